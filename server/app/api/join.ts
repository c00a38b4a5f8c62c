/**
 * The way in for a drill's learners and an interview's candidate and interviewer: a join code
 * or link (participants.ts) and a name buy a participant token, set as an HttpOnly cookie.
 * Both routes answer without the run's token (tokenAuth.ts); wrong codes are counted per
 * address (joinLimiter.ts).
 *
 *   GET  /api/join/:code          → { role } — what the code invites to, so the page can say so
 *   POST /api/join { code, name } → 201 JoinResponse + Set-Cookie mtls_lab_participant_<port>
 */
import type { IncomingMessage } from 'node:http';
import { participantCookie } from '../credentials.js';
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import type { JoinLimiter } from '../joinLimiter.js';
import type { LearnerNames } from '../learners.js';
import type { Participants, ParticipantRole } from '../participants.js';
import type { Route } from '../router.js';
import { objectBody, stringField } from './validate.js';

export interface JoinResponse {
  id: string;
  role: ParticipantRole;
  scope: string;
  name: string;
}

const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

export function joinRoutes(participants: Participants, names: LearnerNames, limiter: JoinLimiter, cookieName: () => string): Route[] {
  /** The invitation behind `code`, counting a wrong one against the caller's address. */
  const invited = <T>(req: IncomingMessage, code: string, use: () => T): T => {
    limiter.check(clientAddress(req));
    try {
      return use();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'INVITE_NOT_FOUND') limiter.failed(clientAddress(req));
      throw error;
    }
  };
  return [
    {
      method: 'GET',
      path: '/api/join/:code',
      handler({ req, res, params }) {
        const invitation = invited(req, params.code!, () => participants.invitation(params.code!) ?? failJoin());
        sendJson(res, 200, { role: invitation.role }, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'POST',
      path: '/api/join',
      handler({ req, res, body }) {
        const input = objectBody(body);
        const code = stringField(input, 'code');
        const name = stringField(input, 'name');
        const { participant, token } = invited(req, code, () => participants.join(code, name));
        names.set(participant.learner, participant.name);
        const joined: JoinResponse = { id: participant.id, role: participant.role, scope: participant.scope, name: participant.name };
        sendJson(res, 201, joined, { 'set-cookie': participantCookie(cookieName(), token), 'cache-control': 'no-store' });
      },
    },
  ];
}

function failJoin(): never {
  throw new ApiError('INVITE_NOT_FOUND');
}
