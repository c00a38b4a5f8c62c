/**
 * Warm processes: service and client processes started ahead of need, each with its modules
 * loaded and waiting for a config, so that starting a sandbox does not wait for a Node start
 * per process. Each one, once taken, is the same separate process it would have been if
 * spawned for the sandbox: its own TLS stack, its own port, its own failures.
 *
 *   createWarmPool(n) ──spawn n serviceMain + n clientMain, no config──▶ each rehearses a TLS request
 *                     (warmUp.ts, on a throwaway certificate) ──▶ idle (each says `warm`)
 *   ManagedChild ──take(entry)──▶ a warm one ──{ config, cwd }──▶ it moves into the sandbox dir and runs
 *                └─ none warm ──▶ undefined: the caller spawns one, as without a pool
 *   takes pause for refillAfterMs ──▶ refill in the background, one spawn at a time, each followed by a
 *                                    pause four times as long as the spawn blocked the event loop
 *
 * A spawn blocks the event loop until the child has exec'd (fork of a large parent, on a busy
 * machine: hundreds of ms, measured by bench/room.ts), so a burst of starts — a room pressing
 * Start together — is not slowed by refills racing it; a pool sized to the room
 * (--warm-processes) takes the whole burst without one spawn.
 *   reserve(holder, counts) ──▶ that many more kept idle until release(holder): a room warms its members'
 *                              processes while they join, and its start takes them all at once
 *   release(holder) ──▶ back to `size`; idle ones beyond it told to go
 *   close() ──▶ idle ones told to go (a closed channel), then SIGKILL after a bounded wait
 *
 * Every process is registered with the reaper from its spawn (reaperClient.ts), so none
 * outlives the server, even a SIGKILLed one. Idle, they do not hold the parent's event
 * loop open; a taken one is held like any child.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import * as v from 'valibot';
import { CertificateSchema } from '../lab/schema.js';
import { issuePkiInThread } from '../pki/index.js';
import { warmUpEnv } from './childIpc.js';
import { spawnChild } from './childScript.js';
import { warmUpHost } from './warmUp.js';
import { reaperRegistry } from './reaperClient.js';

export type PooledEntry = 'serviceMain' | 'clientMain';

export interface WarmPool {
  /** Idle processes kept of each entry (services and clients each). */
  readonly size: number;
  /** Keeps `counts` more idle processes of each entry, beyond `size`, until `holder` releases them. */
  reserve(holder: string, counts: Partial<Record<PooledEntry, number>>): void;
  /** Ends `holder`'s reservation (none is fine): idle processes beyond what is still wanted go. */
  release(holder: string): void;
  /** A warm idle process of `entry`, now the caller's (send it its config); undefined when none is warm. */
  take(entry: PooledEntry): ChildProcess | undefined;
  /** Resolves once every slot holds a process that has said `warm` (benchmarks, tests). */
  filled(): Promise<void>;
  /** Stops the idle processes and refills no more; taken ones are their sandboxes' to stop. */
  close(): Promise<void>;
}

/** How long an idle process gets to leave on its own once its channel closes. */
const leaveMs = 2000;
/** Quiet after the last take before the pool refills. */
const refillAfterMs = 500;
/** Refilling spends at most 1 / (1 + this) of the event loop in spawn calls. */
const spawnDutyFactor = 4;
const entries: readonly PooledEntry[] = ['serviceMain', 'clientMain'];
/** Idle processes of one entry, reservations included: about 1.3 GB of PSS for both entries together (≈ 10 MB each, measured by bench/room.ts). */
const maxIdlePerEntry = 64;

/** A pool of `size` idle processes of each entry; 0 is a pool that never holds one. */
export function createWarmPool(size: number): WarmPool {
  if (!Number.isInteger(size) || size < 0 || size > 64) throw new RangeError(`createWarmPool: size must be a whole number from 0 to 64, got ${size}`);
  return size === 0 ? noWarmPool : new ProcessPool(size);
}

/** The switched-off pool: every take finds none, so every process is spawned for its sandbox. */
export const noWarmPool: WarmPool = {
  size: 0,
  reserve: () => {},
  release: () => {},
  take: () => undefined,
  filled: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

interface Idle {
  child: ChildProcess;
  warm: boolean;
  /** Resolves on `warm` or on exit, whichever is first. */
  settled: Promise<void>;
  /** Detaches the pool's listeners and holds the event loop again: the child is the taker's. */
  release(): void;
}

class ProcessPool implements WarmPool {
  readonly size: number;
  readonly #idle = new Map<PooledEntry, Idle[]>(entries.map((entry) => [entry, []]));
  readonly #reserved = new Map<string, Partial<Record<PooledEntry, number>>>();
  #filling: Promise<void> | undefined;
  #refillTimer: NodeJS.Timeout | undefined;
  /** Callers of filled() still waiting. */
  #waiting = 0;
  #closed = false;
  /** Ends a refill's pause at close: an unref'd timer awaited by close() would let the process exit with close unsettled. */
  readonly #closing = new AbortController();
  /** The warm-up's certificate and key, as its processes read them (JSON), issued with the first fill. */
  #warmUp: string | undefined;

  constructor(size: number) {
    this.size = size;
    this.#refill();
  }

  reserve(holder: string, counts: Partial<Record<PooledEntry, number>>): void {
    this.#reserved.set(holder, { ...counts });
    if (!this.#closed) this.#refill();
  }

  release(holder: string): void {
    if (!this.#reserved.delete(holder)) return;
    for (const [entry, idle] of this.#idle) {
      const extra = idle.splice(this.#target(entry));
      for (const { child } of extra) void stopIdle(child);
    }
  }

  take(entry: PooledEntry): ChildProcess | undefined {
    if (this.#closed) return undefined;
    const idle = this.#idle.get(entry)!;
    // Only a warm one: a process still loading has no listener yet, and Node drops a message nobody listens for.
    const index = idle.findIndex((candidate) => candidate.warm);
    const [taken] = index < 0 ? [] : idle.splice(index, 1);
    clearTimeout(this.#refillTimer);
    this.#refillTimer = setTimeout(() => this.#refill(), refillAfterMs).unref();
    if (taken === undefined) return undefined;
    taken.release();
    return taken.child;
  }

  async filled(): Promise<void> {
    // Idle processes do not hold the event loop; whoever waits for them to warm up does.
    const hold = setInterval(() => {}, 60_000);
    this.#waiting++;
    try {
      if (this.#refillTimer !== undefined) this.#refill();
      while (this.#filling) await this.#filling;
    } finally {
      this.#waiting--;
      clearInterval(hold);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    clearTimeout(this.#refillTimer);
    const idle = [...this.#idle.values()].flat();
    for (const list of this.#idle.values()) list.length = 0;
    await Promise.allSettled([this.#filling, ...idle.map(({ child }) => stopIdle(child))]);
  }

  /** Idle processes of `entry` wanted now: `size` and every reservation, up to maxIdlePerEntry. */
  #target(entry: PooledEntry): number {
    let wanted = this.size;
    for (const counts of this.#reserved.values()) wanted += counts[entry] ?? 0;
    return Math.min(wanted, maxIdlePerEntry);
  }

  #refill(): void {
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    if (this.#filling || this.#closed) return;
    this.#filling = this.#fill().finally(() => (this.#filling = undefined));
  }

  /** One spawn at a time, each waited for until it is warm: the pool fills behind the sandboxes starting, not ahead of them. */
  async #fill(): Promise<void> {
    this.#warmUp ??= await warmUpMaterial();
    for (;;) {
      if (this.#closed) return;
      const short = entries
        .map((entry) => ({ entry, idle: this.#idle.get(entry)! }))
        .filter(({ entry, idle }) => idle.length < this.#target(entry))
        .sort((a, b) => a.idle.length - b.idle.length)[0];
      if (short === undefined) return;
      const spawnedAt = performance.now();
      const idle = this.#spawn(short.entry);
      const blockedMs = performance.now() - spawnedAt;
      short.idle.push(idle);
      await idle.settled;
      // A process that dies before it is warm would die again: refill waits for the next take.
      if (!idle.warm) return;
      // The spawn held the event loop (it returns once the child has exec'd); everything else gets four times as long
      // before the next — unless someone waits for the pool to be full.
      if (this.#waiting === 0) await delay(blockedMs * spawnDutyFactor, undefined, { ref: false, signal: this.#closing.signal }).catch(() => {});
    }
  }

  #spawn(entry: PooledEntry): Idle {
    const child = spawnChild(entry, undefined, { cwd: tmpdir(), env: { [warmUpEnv]: this.#warmUp! } });
    child.on('error', () => {});
    const pid = child.pid;
    if (pid !== undefined) reaperRegistry.registerPid(pid);
    const streams = [child.stdout, child.stderr].filter((stream): stream is Readable => stream !== null);
    const hold = (held: boolean): void => {
      const method = held ? 'ref' : 'unref';
      child[method]();
      (child.channel as { ref?: () => void; unref?: () => void } | null | undefined)?.[method]?.();
      for (const stream of streams) (stream as Readable & { ref?: () => void; unref?: () => void })[method]?.();
    };
    hold(false);
    const idle: Idle = {
      child,
      warm: false,
      settled: Promise.resolve(),
      release: () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        hold(true);
      },
    };
    let settle = (): void => {};
    idle.settled = new Promise((resolve) => (settle = resolve));
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== 'warm') return;
      idle.warm = true;
      settle();
    };
    const onExit = (): void => {
      if (pid !== undefined) reaperRegistry.unregisterPid(pid);
      const list = this.#idle.get(entry)!;
      const at = list.indexOf(idle);
      if (at >= 0) list.splice(at, 1);
      settle();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (pid === undefined) onExit();
    return idle;
  }
}

/** A self-signed certificate for the warm-up's own name, both ends of its handshake. */
export async function warmUpMaterial(): Promise<string> {
  const pki = await issuePkiInThread({ 'warm-up': v.parse(CertificateSchema, { commonName: 'mtls-lab warm-up', san: [`dns:${warmUpHost}`] }) });
  const { certPem, keyPem } = pki.certificates.get('warm-up')!;
  return JSON.stringify({ cert: certPem, key: keyPem });
}

/** A closed channel is an idle process's cue to exit; one that does not is killed. */
async function stopIdle(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), leaveMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
