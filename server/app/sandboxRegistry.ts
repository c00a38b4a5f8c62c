/**
 * Every sandbox the app started, by id, each owned by a learner (learners.ts). Bounded (each
 * one is several processes); starts in flight are counted and, on shutdown, waited for and
 * stopped with the rest. `changes` says 'change' when a sandbox starts, stops, or its standing
 * moves (the scoreboard follows it), 'started' (LabSession) and 'stopped' (id) for whoever
 * watches each sandbox's life (idleStop.ts).
 *
 *   resume(lab, { owner }) ──a run of that lab by that owner?──yes──▶ it (resumed)
 *                                                         └─no──▶ (owner under its cap, else TOO_MANY_SANDBOXES_FOR_LEARNER)
 *                                                                 start (server under its cap, else TOO_MANY_SANDBOXES) ──▶ LabSession.start
 *   get(id, caller) ──not the caller's (and not the operator)──▶ SANDBOX_NOT_FOUND, as for no sandbox at all
 *   a session's time is up (interview) ──▶ stop(id, 'time-up')
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ApiError } from './errors.js';
import type { LabCatalogue } from './labCatalogue.js';
import { operatorLearner, type Caller } from './learners.js';
import { seededRandom } from '../runtime/seededRandom.js';
import { LabSession, type StartOptions, type SessionOptions } from './labSession.js';
import type { StopReason } from './protocol.js';

/** How many sandboxes may run: on the server, and started from one learner's pages. */
export interface RegistryLimits {
  maxSandboxes: number;
  maxSandboxesPerLearner: number;
}

export class SandboxRegistry {
  readonly changes = new EventEmitter();
  readonly #sessions = new Map<string, LabSession>();
  readonly #changed = (): void => void this.changes.emit('change');
  readonly #starting = new Set<Promise<LabSession>>();
  /** Starts in flight by owner and lab: a second Start while the first starts waits for it. */
  readonly #startingFor = new Map<string, Promise<LabSession>>();
  readonly #catalogue: LabCatalogue;
  readonly #options: SessionOptions & RegistryLimits;
  /** Each sandbox's quiz seed, drawn in turn: a run's seed fixes every order, and no two sandboxes need share one. */
  readonly #quizSeeds: () => number;
  #closed = false;

  /** `quizSeed`: fixes the order of every sandbox's choices (a test's); random when absent. */
  constructor(catalogue: LabCatalogue, options: SessionOptions & Partial<RegistryLimits> & { maxSandboxes: number; quizSeed?: number }) {
    this.#catalogue = catalogue;
    this.#options = { maxSandboxesPerLearner: options.maxSandboxes, ...options };
    this.#quizSeeds = seededRandom(options.quizSeed ?? randomInt(2 ** 32));
    this.changes.setMaxListeners(0);
  }

  /** Starts a fresh sandbox of `labId` (an operator's script may run several of one lab). */
  start(labId: string, how: Partial<Omit<StartOptions, 'quizSeed'>> = {}): Promise<LabSession> {
    return this.#start(labId, { extraFaults: [], interview: false, owner: operatorLearner, ...how });
  }

  /**
   * The owner's running sandbox of `labId` if there is one (or one starting), else a fresh
   * one: a page's Start lab pressed again, or in a second tab, goes on with the same score,
   * hints and wrong answers. `resumed` says which.
   */
  async resume(labId: string, how: Partial<Omit<StartOptions, 'quizSeed'>> & { owner: string }): Promise<{ session: LabSession; resumed: boolean }> {
    const running = this.#runningOf(how.owner, labId);
    if (running) return { session: running, resumed: true };
    const key = `${how.owner}\0${labId}`;
    const pending = this.#startingFor.get(key);
    if (pending) return { session: await pending, resumed: true };
    this.#checkLearnerCap(how.owner);
    const starting = this.start(labId, how);
    this.#startingFor.set(key, starting);
    try {
      return { session: await starting, resumed: false };
    } finally {
      if (this.#startingFor.get(key) === starting) this.#startingFor.delete(key);
    }
  }

  /** The sandbox, if `caller` may reach it; another learner's is SANDBOX_NOT_FOUND, so its id is not even confirmed. */
  get(id: string, caller: Caller): LabSession {
    const session = this.#sessions.get(id);
    if (!session || !session.reachableBy(caller)) throw new ApiError('SANDBOX_NOT_FOUND', `"${id.slice(0, 100)}"`);
    return session;
  }

  /** Every sandbox (the scoreboard's view), or those `caller` may reach. */
  list(caller?: Caller): LabSession[] {
    const all = [...this.#sessions.values()];
    return caller ? all.filter((session) => session.reachableBy(caller)) : all;
  }

  async stop(id: string, caller: Caller | StopReason): Promise<void> {
    const session = typeof caller === 'string' ? this.#sessions.get(id) : this.get(id, caller);
    if (!session) return;
    this.#sessions.delete(id);
    session.events.off('standing', this.#changed);
    await session.stop(typeof caller === 'string' ? caller : 'stopped');
    this.changes.emit('stopped', id);
    this.#changed();
  }

  /** Refuses new starts, then stops every sandbox, those still starting included. */
  async close(): Promise<void> {
    this.#closed = true;
    const late = await Promise.allSettled([...this.#starting]);
    const sessions = [...this.#sessions.values(), ...late.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
    this.#sessions.clear();
    const results = await Promise.allSettled(sessions.map((session) => session.stop('stopped')));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), `${failed.length} sandbox(es) did not stop cleanly`);
  }

  /**
   * A learner's page holds at most `maxSandboxesPerLearner` labs at once, those starting
   * included, so that one learner cannot take a room's share of the machine. The operator's
   * scripts, rooms and interviews start through `start` and meet only the server's cap.
   */
  #checkLearnerCap(owner: string): void {
    const cap = this.#options.maxSandboxesPerLearner;
    const running = [...this.#sessions.values()].filter((s) => s.owner === owner).map((s) => s.doc.spec.id);
    const starting = [...this.#startingFor.keys()].filter((key) => key.startsWith(`${owner}\0`)).map((key) => key.slice(owner.length + 1));
    const labs = [...running, ...starting];
    if (labs.length >= cap) throw new ApiError('TOO_MANY_SANDBOXES_FOR_LEARNER', `${cap} at most per learner, and yours run ${labs.map((lab) => `"${lab}"`).join(', ')}`);
  }

  #runningOf(owner: string, labId: string): LabSession | undefined {
    return [...this.#sessions.values()].find((s) => s.owner === owner && s.doc.spec.id === labId && s.status === 'running');
  }

  async #start(labId: string, how: Omit<StartOptions, 'quizSeed'>): Promise<LabSession> {
    const doc = await this.#catalogue.get(labId);
    if (this.#closed) throw new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down');
    if (this.#sessions.size + this.#starting.size >= this.#options.maxSandboxes) {
      throw new ApiError('TOO_MANY_SANDBOXES', `${this.#options.maxSandboxes} at most on this server (mtls-lab serve --max-sandboxes N raises it)`);
    }
    const starting = LabSession.start(doc, { ...how, quizSeed: Math.floor(this.#quizSeeds() * 2 ** 32) }, this.#options);
    this.#starting.add(starting);
    try {
      const session = await starting;
      if (this.#closed) {
        await session.stop('stopped');
        throw new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down');
      }
      this.#sessions.set(session.id, session);
      session.events.on('standing', this.#changed);
      session.events.once('time-up', () => void this.stop(session.id, 'time-up').catch((error: unknown) => this.#options.logger.error(`sandbox ${session.id} did not stop at the end of its interview`, error)));
      this.changes.emit('started', session);
      this.#changed();
      return session;
    } finally {
      this.#starting.delete(starting);
    }
  }
}
