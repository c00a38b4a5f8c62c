/**
 * The tap's recording: an append-only log of chunks in shared memory, written by the tap's
 * thread as the relay reads and read in place by the main thread when it needs the bytes.
 *
 *   tap thread: ChunkLogWriter.append(conn, dir, t, bytes) ──▶ segment k: [end][record][record]…
 *                 ├─ a new segment ──onSegment(k, SharedArrayBuffer)──▶ main: ChunkLogReader.add
 *                 └─ over the cap, the oldest ──onDrop(k, bytes per connection)──▶ main: ChunkLogReader.drop
 *   main: ChunkLogReader.read(visit) ── every record published since the last read
 *
 * Why shared memory: posting each chunk to the main thread (even batched, a message per
 * millisecond) and copying it there cost the main thread — where the lab's own clients and
 * servers compete for the same two vCPUs in the bench — 7 to 10% of its keep-alive
 * requests/s (bench/tap.ts). Here a chunk costs the relay one copy and the main thread
 * nothing until someone reads the recording.
 *
 * A segment is never written twice: the writer appends, publishes the new end with
 * Atomics.store, and drops whole segments (oldest first) to stay under its cap. Memory is
 * never reused, so a view the reader handed out stays valid for as long as it is held.
 */

import type { Direction } from './tapProtocol.js';

/** Segment header: the published end of what was written, an Int32 at byte 0. */
const segmentHeader = 8;
/** Record header: connection u32 @0, direction u8 @4, length u32 @8, time f64 @12 (µs). */
const recordHeader = 20;
const largestSegment = 1024 * 1024;
const smallestSegment = 4 * 1024;

export interface LoggedChunk {
  conn: number;
  dir: Direction;
  t: number;
  /** A view into the shared segment. */
  bytes: Buffer;
}

interface WriterSegment {
  index: number;
  view: DataView;
  bytes: Uint8Array;
  end: Int32Array;
  used: number;
  /** Chunk bytes per connection in this segment: what dropping it takes from each. */
  perConnection: Map<number, number>;
  payload: number;
}

export interface ChunkLogWriterOptions {
  /** Chunk bytes kept; beyond it the oldest segments go until 90% of it is left. */
  maxBytes: number;
  onSegment(index: number, buffer: SharedArrayBuffer): void;
  onDrop(index: number, perConnection: Map<number, number>): void;
}

export class ChunkLogWriter {
  readonly #options: ChunkLogWriterOptions;
  /** Enough segments that dropping one keeps most of the cap's worth. */
  readonly #segmentBytes: number;
  readonly #segments: WriterSegment[] = [];
  #bytes = 0;
  #nextIndex = 0;

  constructor(options: ChunkLogWriterOptions) {
    this.#options = options;
    this.#segmentBytes = Math.min(largestSegment, Math.max(smallestSegment, Math.floor(options.maxBytes / 16)));
  }

  /** Chunk bytes kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  append(conn: number, dir: Direction, t: number, chunk: Uint8Array): void {
    const size = recordHeader + chunk.length;
    let segment = this.#segments.at(-1);
    if (!segment || segment.used + size > segment.bytes.length) segment = this.#open(size);
    const at = segment.used;
    segment.view.setUint32(at, conn, true);
    segment.view.setUint8(at + 4, dir === 'c2s' ? 0 : 1);
    segment.view.setUint32(at + 8, chunk.length, true);
    segment.view.setFloat64(at + 12, t, true);
    segment.bytes.set(chunk, at + recordHeader);
    segment.used = at + size;
    // The record is whole before the reader can see past it.
    Atomics.store(segment.end, 0, segment.used);
    segment.perConnection.set(conn, (segment.perConnection.get(conn) ?? 0) + chunk.length);
    segment.payload += chunk.length;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#options.maxBytes) this.#trim();
  }

  #open(size: number): WriterSegment {
    const buffer = new SharedArrayBuffer(Math.max(this.#segmentBytes, segmentHeader + size));
    const segment: WriterSegment = {
      index: this.#nextIndex++,
      view: new DataView(buffer),
      bytes: new Uint8Array(buffer),
      end: new Int32Array(buffer, 0, 1),
      used: segmentHeader,
      perConnection: new Map(),
      payload: 0,
    };
    Atomics.store(segment.end, 0, segmentHeader);
    this.#segments.push(segment);
    this.#options.onSegment(segment.index, buffer);
    return segment;
  }

  /** Drops the oldest segments, never the one being written, until 90% of the cap is left. */
  #trim(): void {
    const target = this.#options.maxBytes * 0.9;
    while (this.#bytes > target && this.#segments.length > 1) {
      const oldest = this.#segments.shift()!;
      this.#bytes -= oldest.payload;
      this.#options.onDrop(oldest.index, oldest.perConnection);
    }
  }
}

interface ReaderSegment {
  buffer: SharedArrayBuffer;
  view: DataView;
  end: Int32Array;
  payload: number;
}

export class ChunkLogReader {
  readonly #segments = new Map<number, ReaderSegment>();
  /** The next record to read: segment `#segment`, byte `#offset`. */
  #segment = 0;
  #offset = segmentHeader;
  /** The newest segment announced. */
  #newest = -1;
  #bytes = 0;

  /** Chunk bytes read from the segments still held. */
  get bytes(): number {
    return this.#bytes;
  }

  add(index: number, buffer: SharedArrayBuffer): void {
    this.#segments.set(index, { buffer, view: new DataView(buffer), end: new Int32Array(buffer, 0, 1), payload: 0 });
    this.#newest = Math.max(this.#newest, index);
  }

  /** Lets go of a segment the writer dropped; read() first, so that its records were visited. */
  drop(index: number): void {
    const segment = this.#segments.get(index);
    if (!segment) return;
    this.#segments.delete(index);
    this.#bytes -= segment.payload;
  }

  /** Visits, in order, every record published since the last call. */
  read(visit: (chunk: LoggedChunk) => void): void {
    for (;;) {
      const segment = this.#segments.get(this.#segment);
      if (!segment) {
        // Dropped before it was read (the writer is past it), or not announced yet.
        if (this.#segment < this.#newest) this.#advance();
        else return;
        continue;
      }
      // Seen before its end is loaded: when a later segment exists, this end is final.
      const final = this.#segment < this.#newest;
      const end = Atomics.load(segment.end, 0);
      while (this.#offset < end) {
        const at = this.#offset;
        const length = segment.view.getUint32(at + 8, true);
        visit({
          conn: segment.view.getUint32(at, true),
          dir: segment.view.getUint8(at + 4) === 0 ? 'c2s' : 's2c',
          t: segment.view.getFloat64(at + 12, true),
          bytes: Buffer.from(segment.buffer, at + recordHeader, length),
        });
        segment.payload += length;
        this.#bytes += length;
        this.#offset = at + recordHeader + length;
      }
      if (!final) return;
      this.#advance();
    }
  }

  #advance(): void {
    this.#segment++;
    this.#offset = segmentHeader;
  }
}
