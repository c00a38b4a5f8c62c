/**
 * What the main thread and the tap's thread say to each other (tapWorker.ts ⇄ tapThread.ts),
 * over one MessagePort, in order:
 *
 *   main ──TapCommand (open a tap, listen, upstream, observe, settle, close)──▶ tap thread
 *   main ◀──TapMessage { chunks?: ChunkBatch, event?: TapEvent }────────────── tap thread
 *
 * A message's chunks were read before its event happened, so the receiver applies the chunks
 * first. Chunks travel in columns with their bytes in one transferred buffer: one message
 * per millisecond or so, whatever the number of chunks.
 */
import type { MessagePort } from 'node:worker_threads';

export type Direction = 'c2s' | 's2c';

export type CloseReason = 'end' | 'reset' | 'error' | 'refused' | 'tap-closed';

export type TapCommand =
  | { op: 'open'; tap: number; address: string }
  | { op: 'listen'; tap: number; service: string; request: number }
  | { op: 'upstream'; tap: number; service: string; port: number }
  | { op: 'observe'; tap: number; observer: number; module: string; data: unknown; port: MessagePort; request: number }
  | { op: 'unobserve'; tap: number; observer: number }
  /** Sends whatever chunks are waiting for the next batch, then replies. */
  | { op: 'settle'; request: number }
  | { op: 'close'; tap: number; request: number };

export type TapEvent =
  | { ev: 'open'; tap: number; id: number; service: string; clientPort: number; openedAt: number; openedAtMs: number }
  | { ev: 'upstream'; tap: number; id: number; port: number }
  | { ev: 'service-end'; tap: number; id: number; t: number }
  | { ev: 'close'; tap: number; id: number; t: number; reason: CloseReason }
  | { ev: 'reply'; request: number; value?: unknown; error?: { message: string; code?: string } };

/** Chunk i is taps[i], ids[i], dirs[i] (0 c2s, 1 s2c), times[i] (µs), bytes data[ends[i-1] .. ends[i]). */
export interface ChunkBatch {
  taps: Int32Array;
  ids: Int32Array;
  dirs: Uint8Array;
  times: Float64Array;
  ends: Int32Array;
  data: ArrayBuffer;
}

export interface TapMessage {
  chunks?: ChunkBatch;
  event?: TapEvent;
}

/** µs on process.hrtime's clock: the same in every thread of the process. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
