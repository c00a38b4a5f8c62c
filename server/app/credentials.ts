/**
 * What a request holds, before anyone asks what it may do: the run's token (the host — the
 * person at the server: a page opened from the printed URL, or a script with it as Bearer,
 * which is also the operator's key) or a participant token minted by a join (participants.ts),
 * as Bearer or in its own cookie. The run's token wins when a browser holds both.
 *
 *   Authorization: Bearer <run token>  ──▶ host + operator (reaches every sandbox)
 *   cookie mtls_lab_token_<port>        ──▶ host
 *   Bearer / cookie mtls_lab_participant_<port> ──▶ that participant, and nothing more
 *
 * A request with a Bearer stands or falls by it: its cookies are not consulted. Other schemes
 * (a proxy's Basic) are not ours and are passed over.
 */
import type { IncomingMessage } from 'node:http';
import { header } from './http.js';
import type { Participant, Participants } from './participants.js';
import { cookieValue, tokenMatches } from './token.js';

export interface Credentials {
  host: boolean;
  operator: boolean;
  participant?: Participant;
}

export interface CredentialSource {
  token: string;
  tokenCookie: () => string;
  participantCookie: () => string;
  participants: Participants;
}

/** One cookie per server port, as the token's (RFC 6265 §8.5: cookies do not isolate by port). */
export function participantCookieName(port: number): string {
  return `mtls_lab_participant_${port}`;
}

/** For the browser session only: a drill or an interview is over when the browser closes. */
export function participantCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The request's credentials, or undefined when it holds none that count. */
export function credentialsOf(req: IncomingMessage, source: CredentialSource): Credentials | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  if (bearer !== undefined) {
    if (tokenMatches(source.token, bearer)) return { host: true, operator: true };
    return asParticipant(source.participants.byToken(bearer));
  }
  const cookies = header(req, 'cookie');
  if (tokenMatches(source.token, cookieValue(cookies, source.tokenCookie()))) return { host: true, operator: false };
  return asParticipant(source.participants.byToken(cookieValue(cookies, source.participantCookie())));
}

function asParticipant(participant: Participant | undefined): Credentials | undefined {
  return participant && { host: false, operator: false, participant };
}
