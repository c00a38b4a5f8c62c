/**
 * Every sandbox the app started, by id. Bounded (each one is several processes); starts in
 * flight are counted and, on shutdown, waited for and stopped with the rest. `changes` says
 * 'change' when a sandbox starts, stops, or its standing moves (the scoreboard follows it).
 */
import { EventEmitter } from 'node:events';
import { ApiError } from './errors.js';
import type { LabCatalogue } from './labCatalogue.js';
import { LabSession, type StartOptions, type SessionOptions } from './labSession.js';

export class SandboxRegistry {
  readonly changes = new EventEmitter();
  readonly #sessions = new Map<string, LabSession>();
  readonly #changed = (): void => void this.changes.emit('change');
  readonly #starting = new Set<Promise<LabSession>>();
  readonly #catalogue: LabCatalogue;
  readonly #options: SessionOptions & { maxSandboxes: number };
  #closed = false;

  constructor(catalogue: LabCatalogue, options: SessionOptions & { maxSandboxes: number }) {
    this.#catalogue = catalogue;
    this.#options = options;
  }

  async start(labId: string, how: StartOptions = { extraFaults: [], interview: false }): Promise<LabSession> {
    const doc = await this.#catalogue.get(labId);
    if (this.#closed) throw new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down');
    if (this.#sessions.size + this.#starting.size >= this.#options.maxSandboxes) {
      throw new ApiError('TOO_MANY_SANDBOXES', `${this.#options.maxSandboxes} at most`);
    }
    const starting = LabSession.start(doc, how, this.#options);
    this.#starting.add(starting);
    try {
      const session = await starting;
      if (this.#closed) {
        await session.stop();
        throw new ApiError('SANDBOX_NOT_RUNNING', 'the server is shutting down');
      }
      this.#sessions.set(session.id, session);
      session.events.on('standing', this.#changed);
      this.#changed();
      return session;
    } finally {
      this.#starting.delete(starting);
    }
  }

  get(id: string): LabSession {
    const session = this.#sessions.get(id);
    if (!session) throw new ApiError('SANDBOX_NOT_FOUND', `"${id.slice(0, 100)}"`);
    return session;
  }

  find(id: string): LabSession | undefined {
    return this.#sessions.get(id);
  }

  list(): LabSession[] {
    return [...this.#sessions.values()];
  }

  async stop(id: string): Promise<void> {
    const session = this.get(id);
    this.#sessions.delete(id);
    session.events.off('standing', this.#changed);
    await session.stop();
    this.#changed();
  }

  /** Refuses new starts, then stops every sandbox, those still starting included. */
  async close(): Promise<void> {
    this.#closed = true;
    const late = await Promise.allSettled([...this.#starting]);
    const sessions = [...this.#sessions.values(), ...late.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
    this.#sessions.clear();
    const results = await Promise.allSettled(sessions.map((session) => session.stop()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), `${failed.length} sandbox(es) did not stop cleanly`);
  }
}
