/**
 * Every terminal of the server, one per sandbox: a second tab opening the same sandbox's
 * terminal shares its shell (and sees the output kept so far), like a second `tmux attach`.
 *
 *   new Terminals() ──▶ the jail this machine can make (or why none) + the toolbox, once
 *   open(key, description) ──▶ the running TerminalSession for key, or a new one
 *   end(key, reason) ──▶ that shell hung up and gone · close() ──▶ every shell gone, toolbox removed
 *
 * A shell that exits by itself leaves the table; the next open starts a fresh one. Starts in
 * flight are in the table too, so end() and close() also end a shell that was still starting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SandboxDescription } from '../runtime/index.js';
import { reaperRegistry } from '../runtime/reaperClient.js';
import { Jail, TerminalUnavailableError } from './jail.js';
import { TerminalSession, type TerminalEndReason, type TerminalSize } from './terminalSession.js';
import { buildToolbox, type Toolbox } from './toolbox.js';

interface Shelter {
  jail: Jail;
  toolbox: Toolbox;
}

export class Terminals {
  /** Found on first use, then kept: the jail and the toolbox every shell shares. */
  #shelter: Promise<Shelter> | undefined;
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
    const starting = this.#prepare().then(({ jail, toolbox }) => TerminalSession.start(description, size, jail, toolbox));
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

  /** Why no shell can start here (no bwrap, no user namespaces …), or undefined when one can. */
  async unavailable(): Promise<string | undefined> {
    return this.#prepare().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...[...this.#sessions.keys()].map((key) => this.end(key, 'server-closing')), ...this.#ending]);
    const shelter = await this.#shelter?.catch(() => undefined);
    if (shelter) {
      await rm(shelter.toolbox.dir, { recursive: true, force: true });
      reaperRegistry.unregisterDir(shelter.toolbox.dir);
    }
  }

  #prepare(): Promise<Shelter> {
    this.#shelter ??= (async () => {
      const jail = await Jail.find();
      if (!(jail instanceof Jail)) throw new TerminalUnavailableError(jail.unavailable);
      const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-toolbox-'));
      reaperRegistry.registerDir(dir);
      try {
        return { jail, toolbox: await buildToolbox(dir) };
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        reaperRegistry.unregisterDir(dir);
        throw new TerminalUnavailableError(error instanceof Error ? error.message : String(error));
      }
    })();
    return this.#shelter;
  }

  #forget(key: string): void {
    this.#sessions.delete(key);
  }
}
