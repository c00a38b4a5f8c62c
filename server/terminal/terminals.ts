/**
 * Every terminal of the server, one per sandbox: a second tab opening the same sandbox's
 * terminal shares its shell (and sees the output kept so far), like a second `tmux attach`.
 *
 *   open(key, description) ──▶ the running TerminalSession for key, or a new one
 *   end(key, reason) ──▶ that shell hung up and gone · close() ──▶ every shell gone
 *
 * A shell that exits by itself leaves the table; the next open starts a fresh one. Starts in
 * flight are in the table too, so end() and close() also end a shell that was still starting.
 */
import type { SandboxDescription } from '../runtime/index.js';
import { TerminalSession, type TerminalEndReason, type TerminalSize } from './terminalSession.js';

export class Terminals {
  readonly #sessions = new Map<string, Promise<TerminalSession>>();
  /** Shells being ended (out of the table already): close() waits for them too. */
  readonly #ending = new Set<Promise<void>>();
  #closed = false;

  /** The terminal of `key` (a sandbox id), started in `description.dir` if none runs. */
  async open(key: string, description: SandboxDescription, size: TerminalSize): Promise<TerminalSession> {
    if (this.#closed) throw new Error('the server is closing');
    for (let pending = this.#sessions.get(key); pending; pending = this.#sessions.get(key)) {
      const session = await pending.catch(() => undefined);
      if (session?.running) return session;
      // It failed to start or its shell exited: start afresh, unless another open already did.
      if (this.#sessions.get(key) === pending) this.#forget(key);
    }
    if (this.#closed) throw new Error('the server is closing');
    const starting = TerminalSession.start(description, size);
    this.#sessions.set(key, starting);
    const forget = (): void => void (this.#sessions.get(key) === starting && this.#forget(key));
    starting.then((session) => void session.ended.then(forget), forget);
    return starting;
  }

  /** Ends the terminal of `key`, if any; resolves once its processes are gone. */
  end(key: string, reason: Exclude<TerminalEndReason, 'exit'>): Promise<void> {
    const starting = this.#sessions.get(key);
    this.#forget(key);
    if (!starting) return Promise.resolve();
    const ending = starting.then(
      async (session) => void (await session.end(reason)),
      () => undefined,
    );
    this.#ending.add(ending);
    void ending.finally(() => this.#ending.delete(ending));
    return ending;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...[...this.#sessions.keys()].map((key) => this.end(key, 'server-closing')), ...this.#ending]);
  }

  #forget(key: string): void {
    this.#sessions.delete(key);
  }
}
