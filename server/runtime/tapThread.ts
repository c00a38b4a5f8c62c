/**
 * The tap's thread: every Tap of the process relays here, so forwarding a chunk never waits
 * behind the main thread's work (the web server, trace building, a sandbox starting), and
 * what observers do with the bytes (the wire's live decoder) runs beside the relay.
 *
 *   main: Tap ⇄ tapWorker.ts ──TapCommand──▶ this thread: a TapRelay per Tap ⇄ sockets
 *   main ◀──TapEvent, at once───────────────────────────────┤
 *   main ◀──reads in place── recording (chunkLog.ts, shared memory) ◀─┤ each chunk, as read
 *                                                   └─▶ observers (Tap.observe), here
 *
 * Events go out at once, before the relay forwards another byte: a process's report that
 * names a port or a connection can only follow them (see tapWorker.ts, drain). A chunk is
 * in the recording before it is forwarded.
 *
 * Polling: for `pollAfterActivityMs` after each connection or chunk the loop polls instead of
 * sleeping. On a virtual machine (where this lab runs: KVM, 2 vCPUs), a write that has to
 * wake a sleeping thread on the other vCPU costs the writer an inter-processor interrupt
 * and the sleeper a wake-up: measured with the bench's keep-alive requests (bench/tap.ts),
 * a relay thread that sleeps between chunks took the ratio to 0.62–0.70 and added 170 µs
 * to each request's p50; polling for 1 ms after traffic gave 0.85 and +47 µs. The cost is
 * one vCPU while traffic flows, nothing once it stops for a millisecond.
 *
 * Only while one tap carries traffic: with several sandboxes sending (a room of learners),
 * their service and client processes need every vCPU, and a spinning relay takes one from
 * them. Measured with 10 baseline sandboxes at the lab's rate (100 requests/s): polling
 * doubled this process's CPU (0.19 core against 0.10), for no request faster.
 */
import { performance } from 'node:perf_hooks';
import { workerData, type MessagePort } from 'node:worker_threads';
import { ChunkLogWriter } from './chunkLog.js';
import type { CreateTapObserver, TapObserver } from './tapObserver.js';
import type { TapCommand, TapEvent } from './tapProtocol.js';
import { TapRelay, type RelaySink } from './tapRelay.js';

const pollAfterActivityMs = 1;
/** Traffic on a second tap within this long of the last one means several sandboxes are sending: no polling for as long again. */
const sharedTrafficMs = 1000;

const port = (workerData as { port: MessagePort }).port;

interface ThreadTap {
  relay: TapRelay;
  observers: Map<number, TapObserver>;
}

const taps = new Map<number, ThreadTap>();

function send(event: TapEvent): void {
  port.postMessage(event);
}

// ─── polling ─────────────────────────────────────────────────────────────────────────────

let lastActivity = 0;
let lastTap = 0;
let sharedUntil = 0;
let polling = false;

function active(tapId: number): void {
  const now = performance.now();
  if (tapId !== lastTap && now - lastActivity < sharedTrafficMs) sharedUntil = now + sharedTrafficMs;
  lastActivity = now;
  lastTap = tapId;
  if (polling || now < sharedUntil) return;
  polling = true;
  setImmediate(poll);
}

function poll(): void {
  const now = performance.now();
  if (now - lastActivity < pollAfterActivityMs && now >= sharedUntil) setImmediate(poll);
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

function openTap(tapId: number, address: string, maxRecordedBytes: number): void {
  const recording = new ChunkLogWriter({
    maxBytes: maxRecordedBytes,
    onSegment: (index, buffer) => send({ ev: 'segment', tap: tapId, index, buffer }),
    onDrop: (index, perConnection) => send({ ev: 'dropped', tap: tapId, index, connections: [...perConnection] }),
  });
  const sink: RelaySink = {
    open(conn) {
      active(tapId);
      send({ ev: 'open', tap: tapId, ...conn });
      notify(tap, (o) => o.open?.(conn));
    },
    upstream(id, upstreamPort) {
      send({ ev: 'upstream', tap: tapId, id, port: upstreamPort });
    },
    chunk(id, dir, t, bytes) {
      active(tapId);
      recording.append(id, dir, t, bytes);
      notify(tap, (o) => o.chunk?.(id, { dir, t, bytes }));
    },
    serviceEnd(id, t) {
      send({ ev: 'service-end', tap: tapId, id, t });
    },
    mark(id, dir, t, mark) {
      send({ ev: 'mark', tap: tapId, id, dir, t, mark });
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
      openTap(command.tap, command.address, command.maxRecordedBytes);
      return;
    case 'listen':
      void reply(command.request, () => tapOf(command.tap).relay.listen(command.service));
      return;
    case 'upstream':
      void reply(command.request, () => taps.get(command.tap)?.relay.setUpstream(command.service, command.port));
      return;
    case 'refuse':
      void reply(command.request, () => tapOf(command.tap).relay.refuse(command.service));
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
    case 'wire-faults':
      void reply(command.request, () => tapOf(command.tap).relay.setWireFaults(command.service, command.faults));
      return;
    case 'unobserve': {
      const tap = taps.get(command.tap);
      const observer = tap?.observers.get(command.observer);
      tap?.observers.delete(command.observer);
      observer?.dispose?.();
      return;
    }
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
