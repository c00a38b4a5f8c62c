/**
 * People who join through an invitation rather than the run's token: a drill's learners
 * (a room's short join code, shared by the room) and an interview's candidate and interviewer
 * (long secret links, one person each). Joining mints a participant token — their only
 * credential, kept in an HttpOnly cookie — and a learner id of their own, so they reach their
 * own sandboxes and nothing else (learners.ts `reaches`).
 *
 *   facilitator ──invite({role, scope})──▶ code ──/join/<code>──▶ learner's page
 *   POST /api/join {code, name} ──▶ Participant (token, learner id) ──Set-Cookie──▶ every later request
 *   room or interview ends ──revoke(scope)──▶ its codes and tokens stop working
 *
 * A room's code is short enough to read off a projector, so it can be guessed; failed joins
 * are counted per address (joinLimiter.ts) to make guessing one a matter of years.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ApiError } from './errors.js';
import { newLearnerId } from './learners.js';

export type ParticipantRole = 'learner' | 'candidate' | 'interviewer';

export interface Participant {
  /** Public and stable: what a facilitator's console or an interviewer's view names them by. */
  readonly id: string;
  /** Owns their sandboxes and progress. A credential-like secret: never in an API answer. */
  readonly learner: string;
  name: string;
  readonly role: ParticipantRole;
  /** The room's or the interview's id. */
  readonly scope: string;
  /** May open the browser terminal on their sandbox (the facilitator decides). */
  terminal: boolean;
}

interface Invite {
  role: ParticipantRole;
  scope: string;
  terminal: boolean;
  /** A short code is a room's, shared by everyone in it; a long one is one person's link and is spent by its first join. */
  shared: boolean;
  /** Joins a shared code takes at most (a room's places), and how many it has taken. */
  seats: number;
  joined: number;
}

/** No 0/O, 1/I/L: a code read aloud or off a projector is typed right. 30⁶ ≈ 7·10⁸ codes. */
const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ2345689';
const shortCodeLength = 6;
/** A name is what the scoreboard shows: printable, one line, short. */
const maxNameLength = 40;

function shortCode(): string {
  return Array.from({ length: shortCodeLength }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('');
}

export class Participants {
  /** 'joined' (Participant) after each join. */
  readonly changes = new EventEmitter();
  readonly #invites = new Map<string, Invite>();
  readonly #byToken = new Map<string, Participant>();
  readonly #byId = new Map<string, Participant>();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  /** A new invitation's code: short (a room's, many joins) or a long secret (one person's link). */
  invite(how: { role: ParticipantRole; scope: string; short?: boolean; terminal?: boolean; seats?: number }): string {
    const shared = how.short ?? false;
    let code: string;
    do code = shared ? shortCode() : randomBytes(18).toString('base64url');
    while (this.#invites.has(code));
    this.#invites.set(code, { role: how.role, scope: how.scope, terminal: how.terminal ?? false, shared, seats: how.seats ?? Infinity, joined: 0 });
    return code;
  }

  /** Whether `code` invites anyone now (the join page asks before it shows its form). */
  invitation(code: string): { role: ParticipantRole; scope: string } | undefined {
    const invite = this.#invites.get(normalizeCode(code));
    return invite && { role: invite.role, scope: invite.scope };
  }

  /** Joins through `code` as `name`; INVITE_NOT_FOUND for a code that invites nobody (never issued, spent, or revoked), INVITE_FULL once its seats are taken. */
  join(code: string, name: string): { participant: Participant; token: string } {
    const key = normalizeCode(code);
    const invite = this.#invites.get(key);
    if (!invite) throw new ApiError('INVITE_NOT_FOUND');
    const checked = checkedName(name);
    if (invite.joined >= invite.seats) throw new ApiError('INVITE_FULL', `all ${invite.seats} places are taken`);
    invite.joined++;
    if (!invite.shared) this.#invites.delete(key);
    const token = randomBytes(24).toString('base64url');
    const participant: Participant = {
      id: randomBytes(6).toString('base64url'),
      learner: newLearnerId(),
      name: checked,
      role: invite.role,
      scope: invite.scope,
      terminal: invite.terminal,
    };
    this.#byToken.set(token, participant);
    this.#byId.set(participant.id, participant);
    this.changes.emit('joined', participant);
    return { participant, token };
  }

  /** The participant `token` belongs to (a 24-byte random session key, looked up like any session store's). */
  byToken(token: string | undefined): Participant | undefined {
    return token ? this.#byToken.get(token) : undefined;
  }

  get(id: string): Participant | undefined {
    return this.#byId.get(id);
  }

  inScope(scope: string): Participant[] {
    return [...this.#byId.values()].filter((p) => p.scope === scope);
  }

  /** Lets the scope's participants open a terminal, or not, from now on (its invites too). */
  setTerminal(scope: string, allowed: boolean): void {
    for (const invite of this.#invites.values()) if (invite.scope === scope) invite.terminal = allowed;
    for (const participant of this.inScope(scope)) participant.terminal = allowed;
  }

  /** The scope ended: its codes invite nobody and its participants' tokens open nothing. */
  revoke(scope: string): void {
    for (const [code, invite] of this.#invites) if (invite.scope === scope) this.#invites.delete(code);
    for (const [token, participant] of this.#byToken) {
      if (participant.scope !== scope) continue;
      this.#byToken.delete(token);
      this.#byId.delete(participant.id);
    }
  }
}

/** Short codes are read aloud: case and spaces do not matter. Long ones are taken as they are. */
function normalizeCode(code: string): string {
  const compact = code.replace(/[\s-]+/g, '');
  return compact.length === shortCodeLength ? compact.toUpperCase() : code.trim();
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > maxNameLength || /\p{Cc}/u.test(trimmed)) {
    throw new ApiError('BAD_REQUEST', `"name" must be 1–${maxNameLength} printable characters on one line`);
  }
  return trimmed;
}
