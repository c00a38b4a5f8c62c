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
 *   /ws upgrade ──▶ the same, read once for the socket's life (no cookie is set on a 101)
 *
 * A learner id is 16 random bytes: it is the learner's credential, so it appears in no API
 * answer and no scoreboard. Ids are accepted from any cookie of the right shape, so a learner's
 * progress (kept under their id) outlives a restart of the server.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';
import { cookieValue, tokenMatches } from './token.js';

/** The progress and sandboxes of a Bearer caller that names no learner: the operator's own. */
export const operatorLearner = 'operator';

export interface Caller {
  /** The learner who acts: a learner id, `operatorLearner`, or null (a socket opened without a learner cookie). */
  learner: string | null;
  /** Carries the run's token as Authorization: Bearer — reaches every learner's sandboxes. */
  operator: boolean;
}

/** Before the learner middleware ran: owns nothing, reaches nothing. */
export const nobody: Caller = { learner: null, operator: false };

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

/** The request carries the run's token as Authorization: Bearer. */
export function isOperator(req: IncomingMessage, token: string): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
  return tokenMatches(token, bearer);
}

/** Who opened a socket (after the upgrade guard let it in): nobody is minted here. */
export function identify(req: IncomingMessage, token: string, cookieName: string): Caller {
  const operator = isOperator(req, token);
  return { learner: requestLearner(req, cookieName) ?? (operator ? operatorLearner : null), operator };
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
 * After the token check: sets `ctx.caller`. A page without a learner cookie gets one, on this
 * very response — the page's own HTML is the first request after the token swap, so every API
 * call the page makes carries it. `onLearner` hears of every learner (not the operator) before
 * the request goes on.
 */
export function learnerIdentity(token: string, cookieName: () => string, onLearner: (learner: string) => Promise<void>): Middleware {
  return async (ctx, next) => {
    const { req, res } = ctx;
    const operator = isOperator(req, token);
    let learner = requestLearner(req, cookieName());
    if (learner === undefined && !operator) {
      learner = newLearnerId();
      res.appendHeader('set-cookie', learnerCookie(cookieName(), learner));
    }
    if (learner !== undefined) await onLearner(learner);
    ctx.caller = { learner: learner ?? operatorLearner, operator };
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
