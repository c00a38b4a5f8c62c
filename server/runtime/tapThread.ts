/**
 * The tap's thread: every Tap of the process relays here, so forwarding a chunk never waits
 * behind the main thread's work (the web server, trace building, a sandbox starting), and
 * what observers do with the bytes (the wire's live decoder) runs beside the relay.
 *
 *   main: Tap ⇄ tapWorker.ts ──TapCommand──▶ this thread: a TapRelay per Tap ⇄ sockets
 *   main ◀──TapMessage: events at once, chunks batched (≤ batchMs, ≤ maxBatchBytes)── this thread
 *                                                   └─▶ observers (Tap.observe), here
 *
 * Events go out at once, before the relay forwards another byte: a process's report that
 * names a port or a connection can only follow them (see tapWorker.ts, drain). Chunks wait
 * up to a millisecond so the main thread takes one message per millisecond of traffic, not
 * one per chunk.
 *
 * Polling: for `pollAfterActivityMs` after each connection or chunk the loop polls instead of
 * sleeping. On a virtual machine (where this lab runs: KVM, 2 vCPUs), a write that has to
 * wake a sleeping thread on the other vCPU costs the writer an inter-processor interrupt
 * and the sleeper a wake-up: measured with the bench's keep-alive requests (bench/tap.ts),
 * a relay thread that sleeps between chunks took the ratio to 0.62–0.70 and added 170 µs
 * to each request's p50; polling for 1 ms after traffic gave 0.85 and +47 µs. The cost is
 * one vCPU while traffic flows, nothing once it stops for a millisecond.
 */
import { performance } from 'node:perf_hooks';
import { workerData, type MessagePort } from 'node:worker_threads';
import type { CreateTapObserver, TapObserver } from './tapObserver.js';
import type { ChunkBatch, Direction, TapCommand, TapEvent, TapMessage } from './tapProtocol.js';
import { TapRelay, type RelaySink } from './tapRelay.js';

const pollAfterActivityMs = 1;
const batchMs = 1;
const maxBatchBytes = 256 * 1024;

const port = (workerData as { port: MessagePort }).port;

interface ThreadTap {
  relay: TapRelay;
  observers: Map<number, TapObserver>;
}

const taps = new Map<number, ThreadTap>();

// ─── batching ────────────────────────────────────────────────────────────────────────────

interface PendingChunk {
  tap: number;
  id: number;
  dir: Direction;
  t: number;
  bytes: Buffer;
}

let pending: PendingChunk[] = [];
let pendingBytes = 0;
let batchTimer: NodeJS.Timeout | undefined;

function queueChunk(chunk: PendingChunk): void {
  pending.push(chunk);
  pendingBytes += chunk.bytes.length;
  if (pendingBytes >= maxBatchBytes) send();
  else batchTimer ??= setTimeout(send, batchMs);
}

function batchOf(chunks: PendingChunk[], bytes: number): ChunkBatch {
  const n = chunks.length;
  const batch: ChunkBatch = {
    taps: new Int32Array(n),
    ids: new Int32Array(n),
    dirs: new Uint8Array(n),
    times: new Float64Array(n),
    ends: new Int32Array(n),
    data: new ArrayBuffer(bytes),
  };
  const data = new Uint8Array(batch.data);
  let at = 0;
  chunks.forEach((chunk, i) => {
    batch.taps[i] = chunk.tap;
    batch.ids[i] = chunk.id;
    batch.dirs[i] = chunk.dir === 'c2s' ? 0 : 1;
    batch.times[i] = chunk.t;
    data.set(chunk.bytes, at);
    at += chunk.bytes.length;
    batch.ends[i] = at;
  });
  return batch;
}

/** Posts the waiting chunks, then `event`: the chunks were read before it happened. */
function send(event?: TapEvent): void {
  clearTimeout(batchTimer);
  batchTimer = undefined;
  const message: TapMessage = {};
  if (pending.length > 0) {
    message.chunks = batchOf(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
  }
  if (event) message.event = event;
  if (message.chunks || message.event) port.postMessage(message, message.chunks ? [message.chunks.data] : []);
}

// ─── polling ─────────────────────────────────────────────────────────────────────────────

let lastActivity = 0;
let polling = false;

function active(): void {
  lastActivity = performance.now();
  if (polling) return;
  polling = true;
  setImmediate(poll);
}

function poll(): void {
  if (performance.now() - lastActivity < pollAfterActivityMs) setImmediate(poll);
  else polling = false;
}

// ─── taps ────────────────────────────────────────────────────────────────────────────────

/** Runs an observer's hook; one that throws is removed (the relay must go on). */
function notify(tap: ThreadTap, call: (observer: TapObserver) => void): void {
  for (const [id, observer] of tap.observers) {
    try {
      call(observer);
    } catch (error) {
      tap.observers.delete(id);
      process.emitWarning(`tap observer ${id} removed after it threw: ${error instanceof Error ? error.message : String(error)}`);
      try {
        observer.dispose?.();
      } catch {
        // Already removed; nothing more to undo.
      }
    }
  }
}

function openTap(tapId: number, address: string): void {
  const sink: RelaySink = {
    open(conn) {
      active();
      send({ ev: 'open', tap: tapId, ...conn });
      notify(tap, (o) => o.open?.(conn));
    },
    upstream(id, upstreamPort) {
      send({ ev: 'upstream', tap: tapId, id, port: upstreamPort });
    },
    chunk(id, dir, t, bytes) {
      active();
      queueChunk({ tap: tapId, id, dir, t, bytes });
      notify(tap, (o) => o.chunk?.(id, { dir, t, bytes }));
    },
    serviceEnd(id, t) {
      send({ ev: 'service-end', tap: tapId, id, t });
    },
    close(id, t, reason) {
      send({ ev: 'close', tap: tapId, id, t, reason });
      notify(tap, (o) => o.close?.(id, t, reason));
    },
  };
  const tap: ThreadTap = { relay: new TapRelay(address, sink), observers: new Map() };
  taps.set(tapId, tap);
}

async function reply(request: number, work: () => unknown): Promise<void> {
  try {
    send({ ev: 'reply', request, value: await work() });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    send({ ev: 'reply', request, error: { message: e instanceof Error ? e.message : String(e), ...(e.code ? { code: e.code } : {}) } });
  }
}

function tapOf(id: number): ThreadTap {
  const tap = taps.get(id);
  if (!tap) throw new Error(`tap thread: no tap ${id}`);
  return tap;
}

port.on('message', (command: TapCommand) => {
  switch (command.op) {
    case 'open':
      openTap(command.tap, command.address);
      return;
    case 'listen':
      void reply(command.request, () => tapOf(command.tap).relay.listen(command.service));
      return;
    case 'upstream':
      taps.get(command.tap)?.relay.setUpstream(command.service, command.port);
      return;
    case 'observe':
      void reply(command.request, async () => {
        const module = (await import(command.module)) as { createTapObserver?: CreateTapObserver };
        if (typeof module.createTapObserver !== 'function') throw new TypeError(`Tap.observe: ${command.module} exports no createTapObserver function`);
        const tap = tapOf(command.tap);
        const firstConnection = tap.relay.nextId;
        tap.observers.set(command.observer, module.createTapObserver({ port: command.port, data: command.data, firstConnection }));
        return firstConnection;
      });
      return;
    case 'unobserve': {
      const tap = taps.get(command.tap);
      const observer = tap?.observers.get(command.observer);
      tap?.observers.delete(command.observer);
      observer?.dispose?.();
      return;
    }
    case 'settle':
      send({ ev: 'reply', request: command.request });
      return;
    case 'close':
      void reply(command.request, async () => {
        const tap = taps.get(command.tap);
        if (!tap) return;
        await tap.relay.close();
        taps.delete(command.tap);
        notify(tap, (o) => o.dispose?.());
        tap.observers.clear();
      });
      return;
  }
});
