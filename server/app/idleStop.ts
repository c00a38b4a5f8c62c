/**
 * A learner's sandbox with no page open stops after `idleMs`: a tab closed, a browser gone, a
 * learner who went home. A page is a socket of the sandbox's own learner subscribed to it
 * (wsHub.ts); the operator's sockets and scripts do not count, and the operator's own
 * sandboxes (started by a script naming no learner) are left to the operator.
 *
 *   registry 'started' (a learner's sandbox) ──▶ its timer runs (no page yet)
 *   WsHub: the learner's socket subscribes ──opened──▶ timer cleared ── the last one leaves ──closed──▶ timer runs
 *   timer fires ──▶ registry.stop(id, 'idle')          registry 'stopped' ──▶ forgotten
 *
 * Switched off (idleMs 0), it is a stand-in of the same shape that does nothing.
 */
import type { ErrorLogger } from './errors.js';
import type { LabSession } from './labSession.js';
import { operatorLearner } from './learners.js';
import type { SandboxRegistry } from './sandboxRegistry.js';

/** What the WebSocket hub tells about the pages of a sandbox. */
export interface PagePresence {
  /** One more page of the sandbox's learner follows it. */
  opened(sandbox: string): void;
  /** One page fewer. */
  closed(sandbox: string): void;
  /** Stops every timer (shutdown). */
  close(): void;
}

const noPresence: PagePresence = { opened() {}, closed() {}, close() {} };

export function idleStop(registry: SandboxRegistry, idleMs: number, logger: ErrorLogger): PagePresence {
  return idleMs > 0 ? new IdleStop(registry, idleMs, logger) : noPresence;
}

interface Watched {
  pages: number;
  timer: NodeJS.Timeout | undefined;
}

class IdleStop implements PagePresence {
  readonly #registry: SandboxRegistry;
  readonly #idleMs: number;
  readonly #logger: ErrorLogger;
  readonly #watched = new Map<string, Watched>();
  readonly #started = (session: LabSession): void => {
    if (session.owner === operatorLearner) return;
    const watched: Watched = { pages: 0, timer: undefined };
    this.#watched.set(session.id, watched);
    this.#arm(session.id, watched);
  };
  readonly #stopped = (id: string): void => {
    clearTimeout(this.#watched.get(id)?.timer);
    this.#watched.delete(id);
  };

  constructor(registry: SandboxRegistry, idleMs: number, logger: ErrorLogger) {
    this.#registry = registry;
    this.#idleMs = idleMs;
    this.#logger = logger;
    registry.changes.on('started', this.#started);
    registry.changes.on('stopped', this.#stopped);
  }

  opened(sandbox: string): void {
    const watched = this.#watched.get(sandbox);
    if (!watched) return;
    watched.pages++;
    clearTimeout(watched.timer);
    watched.timer = undefined;
  }

  closed(sandbox: string): void {
    const watched = this.#watched.get(sandbox);
    if (!watched || watched.pages === 0) return;
    if (--watched.pages === 0) this.#arm(sandbox, watched);
  }

  close(): void {
    this.#registry.changes.off('started', this.#started);
    this.#registry.changes.off('stopped', this.#stopped);
    for (const watched of this.#watched.values()) clearTimeout(watched.timer);
    this.#watched.clear();
  }

  #arm(sandbox: string, watched: Watched): void {
    clearTimeout(watched.timer);
    watched.timer = setTimeout(() => {
      this.#registry.stop(sandbox, 'idle').catch((error: unknown) => this.#logger.error(`sandbox ${sandbox} did not stop after ${this.#idleMs} ms with no page open`, error));
    }, this.#idleMs);
  }
}
