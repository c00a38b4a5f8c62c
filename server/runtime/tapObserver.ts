/**
 * A module that sees a tap's connections in the tap's own thread, chunk by chunk as the relay
 * reads them (Tap.observe loads it there). Rooms to the right of runtime bring their work to
 * the bytes this way — the wire decoder decodes live without runtime importing it, and
 * without the bytes crossing to another thread first:
 *
 *   tap thread: relay ──open / chunk / close──▶ observer ──its own MessagePort──▶ main thread
 *
 * The module's `createTapObserver` export is called once per Tap.observe. Hooks run inside
 * the relay's socket callbacks: they must only take note and return (the relay forwards
 * each chunk right after); real work goes in the observer's own setImmediate turns, which
 * the relay's polling keeps coming while there is traffic.
 */
import type { MessagePort } from 'node:worker_threads';
import type { CloseReason, Direction } from './tapProtocol.js';

export interface ObservedConnection {
  id: number;
  service: string;
  clientPort: number;
  /** µs on process.hrtime's clock. */
  openedAt: number;
}

export interface ObservedChunk {
  dir: Direction;
  /** µs on process.hrtime's clock. */
  t: number;
  /** The buffer the relay read and forwards: read it, never change it. */
  bytes: Buffer;
}

export interface TapObserver {
  open?(conn: ObservedConnection): void;
  chunk?(id: number, chunk: ObservedChunk): void;
  close?(id: number, closedAt: number, reason: CloseReason): void;
  /** The tap closed or the observer was removed: stop, let go of the port. */
  dispose?(): void;
}

export interface TapObserverContext {
  /** Talks to whoever called Tap.observe: the other end is what it resolved to. */
  port: MessagePort;
  /** What Tap.observe was given (structured-cloned). */
  data: unknown;
  /** The id the next connection will get: the first one this observer sees whole. */
  firstConnection: number;
}

export type CreateTapObserver = (context: TapObserverContext) => TapObserver;
