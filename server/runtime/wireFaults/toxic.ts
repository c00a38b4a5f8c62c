/**
 * A wire fault is a toxic in the tap's chain, after Toxiproxy (`toxics/toxic.go`,
 * `CREATING_TOXICS.md`): one required `pipe(stub)` that reads chunks from the stub and
 * writes what the far end should get.
 *
 *   client ⇄ tap ⇄ [upstream chain: toxic → toxic → …] ⇄ service      (client → server)
 *   client ⇄ tap ⇄ [downstream chain: … ← toxic ← toxic] ⇄ service    (server → client)
 *
 * The contract of a pipe, the same as a Go toxic's:
 * - every wait ends when `stub.signal` aborts (the connection closed): use `stub.wait`,
 *   and `stub.read` resolves `undefined` at once;
 * - a byte read is written on, unless dropping it is the fault — and then `stub.drop`
 *   says so, so the recording marks it;
 * - `read()` resolving `undefined` is the end of stream (a FIN): the pipe returns, and the
 *   chain passes the end on.
 */

/** A run of bytes moving through the chain. */
export interface WireChunk {
  bytes: Buffer;
  /** performance.now() (ms) when the relay read it; latency counts from here, as Toxiproxy's StreamChunk.Timestamp. */
  readAtMs: number;
  /** Bytes of this chunk the tap changed or made up; offsets into `bytes`. */
  marks?: ChunkMark[];
}

/** What a toxic did to a range of a chunk's bytes. */
export interface ChunkMark {
  kind: 'changed' | 'injected';
  start: number;
  end: number;
  /** The wire fault's kind. */
  fault: string;
  note: string;
  /** The TLS content type of the record the bytes are in; absent when they are not a record (plaintext). */
  contentType?: number;
}

/** What a fault did to the stream, as the recording keeps it (offsets in the bytes the far end got). */
export interface WireMark {
  kind: 'changed' | 'injected' | 'dropped' | 'reset' | 'closed';
  fault: string;
  /** Byte offset in this direction's delivered stream (for `dropped`: where the bytes vanished). */
  offset: number;
  /** Bytes changed, injected or dropped (0 for `reset`, `closed`). */
  length: number;
  note: string;
  /** For `changed` and `injected`: the TLS content type of the record they are in, when they are in one. */
  contentType?: number;
}

export interface ToxicStub {
  /** Aborts when the connection closes: every wait must end then. */
  readonly signal: AbortSignal;
  /** The next chunk from the side before; `undefined` at end of stream or once aborted. */
  read(): Promise<WireChunk | undefined>;
  /** On towards the far end. */
  write(chunk: WireChunk): void;
  /** The fault drops these bytes: marked in the recording, never silently. */
  drop(bytes: number, note: string): void;
  /** Resolves true after `ms`, false at once if the connection closed first. */
  wait(ms: number): Promise<boolean>;
  /** Resets both legs (RST), as a crashed peer or a firewall would. */
  reset(note: string): void;
  /** Closes both legs (FIN), as a proxy that gives up would. */
  close(note: string): void;
  /** A number in [0, 1), from the fault's seed and this connection's place on the edge. */
  random(): number;
}

export interface Toxic {
  pipe(stub: ToxicStub): Promise<void>;
}

/** The pipe a connection the draw spares gets: every chunk as it came (Toxiproxy's NoopToxic). */
export const noopToxic: Toxic = {
  async pipe(stub) {
    for (let chunk = await stub.read(); chunk; chunk = await stub.read()) stub.write(chunk);
  },
};

/** Client → server is `upstream`, server → client `downstream`, as Toxiproxy names a link's streams. */
export type WireDirection = 'upstream' | 'downstream';
