/**
 * Who a request comes from. A learner is a person: a random server-side id held in an
 * HttpOnly SameSite=Strict cookie (named per port, like the token's), and the name they type
 * before Start lab. A learner owns their sandboxes and their progress. The run's token sent as
 * `Authorization: Bearer` is the operator's key (a script, a drill's facilitator): it reaches
 * every sandbox. The token's cookie alone only says "a page of this server"; the learner
 * cookie says who.
 *
 *   page request ──token cookie ✓──▶ learner cookie? ──no──▶ a new id, Set-Cookie on this response
 *   script request ──Bearer token ✓──▶ operator (as the cookie's learner, if it sends one; else `operator`)
 *   participant token ✓ (participants.ts) ──▶ the participant's own learner id, whatever cookies say
 *   /ws upgrade ──▶ the same, read once for the socket's life (no cookie is set on a 101)
 *
 * A learner id is 16 random bytes: it is the learner's credential, so it appears in no API
 * answer and no scoreboard. Ids are accepted from any cookie of the right shape, so a learner's
 * progress (kept under their id) outlives a restart of the server.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { credentialsOf, type CredentialSource } from './credentials.js';
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';
import type { Participant } from './participants.js';
import { cookieValue } from './token.js';

/** The progress and sandboxes of a Bearer caller that names no learner: the operator's own. */
export const operatorLearner = 'operator';

export interface Caller {
  /** The learner who acts: a learner id, `operatorLearner`, or null (a socket opened without a learner cookie). */
  learner: string | null;
  /** Carries the run's token as Authorization: Bearer — reaches every learner's sandboxes. */
  operator: boolean;
  /** Holds the run's token (cookie or Bearer): the person at the server — a drill's facilitator, an interviewer. */
  host: boolean;
  /** Joined through an invitation (participants.ts): reaches their own sandboxes and nothing more. */
  participant?: Participant;
}

/** Before the token check, or on the way in (a join page): owns nothing, reaches nothing. */
export const nobody: Caller = { learner: null, operator: false, host: false };

const learnerIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** One cookie per server port (RFC 6265 §8.5: cookies do not isolate by port), as tokenCookieName. */
export function learnerCookieName(port: number): string {
  return `mtls_lab_learner_${port}`;
}

/** A year: the learner's progress is kept under this id, so it outlives the browser session. */
export function learnerCookie(name: string, id: string): string {
  return `${name}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`;
}

export function newLearnerId(): string {
  return randomBytes(16).toString('base64url');
}

/** The learner id the request's cookie holds, if it is one of ours in shape. */
export function requestLearner(req: IncomingMessage, cookieName: string): string | undefined {
  const id = cookieValue(header(req, 'cookie'), cookieName);
  return id !== undefined && learnerIdPattern.test(id) ? id : undefined;
}

/** Who opened a socket (after the upgrade guard let it in): nobody is minted here. */
export function identify(req: IncomingMessage, source: CredentialSource, cookieName: string): Caller {
  const credentials = credentialsOf(req, source);
  if (!credentials) return nobody;
  if (credentials.participant) return { ...credentials, learner: credentials.participant.learner };
  return { ...credentials, learner: requestLearner(req, cookieName) ?? (credentials.operator ? operatorLearner : null) };
}

/** What only the host may do (open a room, inject faults, read a report): HOST_ONLY for a participant. */
export function requireHost(caller: Caller, what: string): void {
  if (!caller.host) throw new ApiError('HOST_ONLY', what);
}

/** The learner an HTTP request acts as (the learner middleware always sets one). */
export function learnerOf(caller: Caller): string {
  if (caller.learner === null) throw new ApiError('INTERNAL', 'no learner for this request');
  return caller.learner;
}

/** Whether `caller` may see and act on a sandbox owned by `owner`. */
export function reaches(caller: Caller, owner: string): boolean {
  return caller.operator || (caller.learner !== null && caller.learner === owner);
}

/**
 * After the token check (which set the caller's credentials): sets `ctx.caller.learner`. A
 * host's page without a learner cookie gets one, on this very response — the page's own HTML
 * is the first request after the token swap, so every API call the page makes carries it. A
 * participant is the learner their join minted. `onLearner` hears of every learner (not the
 * operator) before the request goes on. A request on the way in (no credentials) is no one.
 */
export function learnerIdentity(cookieName: () => string, onLearner: (learner: string) => Promise<void>): Middleware {
  return async (ctx, next) => {
    const { req, res, caller } = ctx;
    if (caller.participant) {
      await onLearner(caller.participant.learner);
      ctx.caller = { ...caller, learner: caller.participant.learner };
      return next();
    }
    if (!caller.host) return next();
    let learner = requestLearner(req, cookieName());
    if (learner === undefined && !caller.operator) {
      learner = newLearnerId();
      res.appendHeader('set-cookie', learnerCookie(cookieName(), learner));
    }
    if (learner !== undefined) await onLearner(learner);
    ctx.caller = { ...caller, learner: learner ?? operatorLearner };
    return next();
  };
}

/** The names learners gave (the scoreboard's), by learner id; kept while the server runs. */
export class LearnerNames {
  readonly #names = new Map<string, string>();

  get(learner: string | null): string | null {
    return learner === null ? null : (this.#names.get(learner) ?? null);
  }

  set(learner: string, name: string): void {
    this.#names.set(learner, name);
  }
}
