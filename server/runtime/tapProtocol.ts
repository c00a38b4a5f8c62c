/**
 * What the main thread and the tap's thread say to each other (tapWorker.ts ⇄ tapThread.ts),
 * over one MessagePort, in order:
 *
 *   main ──TapCommand (open a tap, listen, upstream, refuse, observe, close)──▶ tap thread
 *   main ◀──TapEvent (a connection's open, upstream, end, close; the recording's segments)── tap thread
 *
 * Chunks do not travel here: the thread appends them to the tap's recording in shared
 * memory (chunkLog.ts), which this channel only announces segment by segment. A
 * connection's chunks are in the log before its 'close' is posted.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WireFaultSpec } from './wireFaults/catalogue.js';
import type { WireMark } from './wireFaults/toxic.js';

export type Direction = 'c2s' | 's2c';

export type CloseReason = 'end' | 'reset' | 'error' | 'refused' | 'tap-closed';

export type TapCommand =
  | { op: 'open'; tap: number; address: string; maxRecordedBytes: number }
  | { op: 'listen'; tap: number; service: string; request: number }
  /** Where a service listens (first, or again after a restart); the reply comes once connections from now on go there. */
  | { op: 'upstream'; tap: number; service: string; port: number; request: number }
  /** The service will never listen: close its port, so a connect is refused as by a port nothing listens on. */
  | { op: 'refuse'; tap: number; service: string; request: number }
  | { op: 'observe'; tap: number; observer: number; module: string; data: unknown; port: MessagePort; request: number }
  | { op: 'unobserve'; tap: number; observer: number }
  | { op: 'close'; tap: number; request: number }
  /** Replaces an edge's wire faults; the reply comes once the next connection meets them. */
  | { op: 'wire-faults'; tap: number; service: string; faults: WireFaultSpec[]; request: number };

export type TapEvent =
  | { ev: 'open'; tap: number; id: number; service: string; clientPort: number; openedAt: number; openedAtMs: number }
  | { ev: 'upstream'; tap: number; id: number; port: number }
  | { ev: 'service-end'; tap: number; id: number; t: number }
  | { ev: 'close'; tap: number; id: number; t: number; reason: CloseReason }
  /** A wire fault changed, made up or dropped bytes of a direction, or reset or closed the connection. */
  | { ev: 'mark'; tap: number; id: number; dir: Direction; t: number; mark: WireMark }
  /** A new segment of the tap's recording (chunkLog.ts). */
  | { ev: 'segment'; tap: number; index: number; buffer: SharedArrayBuffer }
  /** The recording dropped a segment to stay under its cap: the chunk bytes each connection lost. */
  | { ev: 'dropped'; tap: number; index: number; connections: Array<[id: number, bytes: number]> }
  | { ev: 'reply'; request: number; value?: unknown; error?: { message: string; code?: string } };

/** µs on process.hrtime's clock: the same in every thread of the process. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
