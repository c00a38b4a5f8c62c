/**
 * The parent's handle on one child process (a service or a client): its messages, its
 * output, its exit, and a stop that always ends with the process gone.
 *
 *   sandbox ──spawn (argv config), or a warm one taken from the pool ({ config } message)──▶ child ──messages──▶ onMessage
 *                                         ──stdout/stderr lines──▶ onLine
 *   stop(): close IPC (the child exits on its own) ─▶ SIGTERM ─▶ SIGKILL, each after a bounded wait
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { spawnChild } from './childScript.js';
import { reaperRegistry } from './reaperClient.js';
import type { PooledEntry, WarmPool } from './warmPool.js';

export interface ManagedChildOptions<M> {
  role: 'service' | 'client';
  name: string;
  entry: PooledEntry;
  config: unknown;
  cwd: string;
  /** Where a warm process may be taken from instead of spawning one. */
  pool?: WarmPool;
  onMessage: (message: M) => void;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** How long a child gets to leave on its own before the next, blunter signal. */
const gracefulMs = 2000;
const terminateMs = 1000;

export class ManagedChild<M extends { type: string }> {
  readonly role: 'service' | 'client';
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited (and been reaped). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #stderrTail: string[] = [];
  #stopping: Promise<void> | undefined;

  constructor(options: ManagedChildOptions<M>) {
    this.role = options.role;
    this.name = options.name;
    const warm = options.pool?.take(options.entry);
    this.process = warm ?? spawnChild(options.entry, options.config, { cwd: options.cwd });
    if (warm) warm.send({ type: 'config', config: options.config, cwd: options.cwd }, () => {});
    if (this.process.pid === undefined) throw new Error(`could not start the ${options.role} process "${options.name}"`);
    this.pid = this.process.pid;
    reaperRegistry.registerPid(this.pid);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        reaperRegistry.unregisterPid(this.pid);
        resolve({ code, signal });
      });
    });
    this.process.on('error', () => {});
    this.process.on('message', (message: M) => {
      // A warm process taken before it was done loading still says so: not the sandbox's business.
      if (message.type !== 'warm') options.onMessage(message);
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.process[stream]! }).on('line', (line) => {
        if (stream === 'stderr') {
          this.#stderrTail.push(line);
          if (this.#stderrTail.length > 20) this.#stderrTail.shift();
        }
        options.onLine(stream, line);
      });
    }
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  send(message: object): void {
    if (this.process.connected) this.process.send(message, () => {});
  }

  /**
   * Resolves with the first message `pick` accepts; rejects if the child exits first, or
   * reports `fatal`, quoting what it printed.
   */
  waitFor<T>(what: string, pick: (message: M) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (message: M): void => {
        if (message.type === 'fatal') {
          done();
          reject(new Error(`${this.role} "${this.name}" failed while waiting for ${what}: ${(message as { message?: string }).message ?? ''}`));
          return;
        }
        const value = pick(message);
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        done();
        const said = this.#stderrTail.length ? `; it said:\n${this.#stderrTail.join('\n')}` : '';
        reject(new Error(`${this.role} "${this.name}" exited (${signal ?? code}) before ${what}${said}`));
      };
      const done = (): void => {
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
    });
  }

  /** Idempotent; resolves once the process is gone. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (!this.running) return;
    // A closed channel is the child's cue to clean up (openssl included) and exit.
    if (this.process.connected) this.process.disconnect();
    if (await this.#exitsWithin(gracefulMs)) return;
    this.process.kill('SIGTERM');
    if (await this.#exitsWithin(terminateMs)) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    try {
      await Promise.race([this.exited, once(controller.signal, 'abort')]);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return !this.running;
  }
}
