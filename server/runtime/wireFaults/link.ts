/**
 * One direction of one connection through its wire faults: the chain the tap's relay feeds.
 *
 *   relay reads ──push──▶ [queue] ─▶ toxic 1 ─▶ [queue] ─▶ … ─▶ toxic n ──deliver──▶ relay records, writes
 *                                                     └─ drop / reset / close ──▶ marks, the relay acts
 *
 * Each fault of the edge and direction is drawn once per connection from its seed and the
 * connection's place on the edge (Toxiproxy draws toxicity per link the same way, with
 * math/rand): a fault the draw spares is a noop pipe. The same seed hits the same
 * connections, in the same order.
 */
import type { ChunkMark, Toxic, ToxicStub, WireChunk, WireMark } from './toxic.js';
import { seededRandom } from '../seededRandom.js';

/** What the chain asks of the relay. */
export interface LinkSink {
  /** Bytes for the far end, with what the faults did to them: recorded, then written. */
  deliver(bytes: Buffer, marks: WireMark[]): void;
  /** A mark that goes with no bytes: dropped ones, a reset, a close. */
  mark(mark: WireMark): void;
  /** End of stream towards the far end (FIN). */
  end(): void;
  reset(): void;
  close(): void;
  /** The chain holds few enough bytes again: the relay may read on. */
  drained(): void;
}

/** A fault of this link as the draw left it. */
export interface LinkStage {
  fault: string;
  toxic: Toxic;
  random: () => number;
}

/** Bytes queued at the chain's entry past which the relay stops reading the source. */
export const linkHighWaterBytes = 256 * 1024;

class ChunkQueue {
  readonly #items: WireChunk[] = [];
  #ended = false;
  #waiter: ((chunk: WireChunk | undefined) => void) | undefined;
  bytes = 0;

  constructor(private readonly onTake?: () => void) {}

  push(chunk: WireChunk): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter(chunk);
      return;
    }
    this.#items.push(chunk);
    this.bytes += chunk.bytes.length;
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }

  read(signal: AbortSignal): Promise<WireChunk | undefined> {
    const next = this.#items.shift();
    if (next) {
      this.bytes -= next.bytes.length;
      this.onTake?.();
      return Promise.resolve(next);
    }
    if (this.#ended || signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => this.#wake();
      this.#waiter = (chunk) => {
        signal.removeEventListener('abort', onAbort);
        resolve(chunk);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export class WireLink {
  readonly #abort = new AbortController();
  readonly #input: ChunkQueue;
  readonly #sink: LinkSink;
  /** Bytes delivered so far: where the next mark sits. */
  #offset = 0;
  /** Settles once every fault's pipe has returned (end of stream, abort, or a reset). */
  readonly done: Promise<void>;

  constructor(stages: readonly LinkStage[], sink: LinkSink) {
    this.#sink = sink;
    this.#input = new ChunkQueue(() => {
      if (this.#input.bytes < linkHighWaterBytes / 2) sink.drained();
    });
    let queue = this.#input;
    const pipes: Promise<unknown>[] = [];
    stages.forEach((stage, i) => {
      const last = i === stages.length - 1;
      const next = last ? undefined : new ChunkQueue();
      const from = queue;
      const stub = this.#stub(stage, from, next);
      const piped = stage.toxic.pipe(stub).then(
        () => (next ? next.end() : this.#abort.signal.aborted || sink.end()),
        (error: unknown) => {
          process.emitWarning(`wire fault ${stage.fault} failed: ${error instanceof Error ? error.message : String(error)}; the connection is reset`);
          sink.reset();
        },
      );
      pipes.push(piped);
      if (next) queue = next;
    });
    this.done = Promise.all(pipes).then(() => undefined);
  }

  /** Bytes waiting at the chain's entry. */
  get queuedBytes(): number {
    return this.#input.bytes;
  }

  push(bytes: Buffer): void {
    this.#input.push({ bytes, readAtMs: performance.now() });
  }

  /** The source ended (FIN): the chain passes it on once its faults are through. */
  end(): void {
    this.#input.end();
  }

  /** The connection is gone: every wait of every fault ends now. */
  abort(): void {
    this.#abort.abort();
  }

  #stub(stage: LinkStage, from: ChunkQueue, to: ChunkQueue | undefined): ToxicStub {
    const signal = this.#abort.signal;
    const sink = this.#sink;
    const mark = (kind: WireMark['kind'], length: number, note: string): void => sink.mark({ kind, fault: stage.fault, offset: this.#offset, length, note });
    return {
      signal,
      read: () => from.read(signal),
      write: (chunk) => {
        if (signal.aborted || chunk.bytes.length === 0) return;
        if (to) return to.push(chunk);
        const marks = (chunk.marks ?? []).map((m: ChunkMark): WireMark => ({ kind: m.kind, fault: m.fault, offset: this.#offset + m.start, length: m.end - m.start, note: m.note, ...(m.contentType === undefined ? {} : { contentType: m.contentType }) }));
        this.#offset += chunk.bytes.length;
        sink.deliver(chunk.bytes, marks);
      },
      drop: (bytes, note) => {
        if (bytes > 0) mark('dropped', bytes, note);
      },
      wait: (ms) =>
        new Promise<boolean>((resolve) => {
          if (signal.aborted) return resolve(false);
          const onAbort = (): void => {
            clearTimeout(timer);
            resolve(false);
          };
          const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve(true);
          }, ms);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      reset: (note) => {
        if (signal.aborted) return;
        mark('reset', 0, note);
        sink.reset();
      },
      close: (note) => {
        if (signal.aborted) return;
        mark('closed', 0, note);
        sink.close();
      },
      random: stage.random,
    };
  }
}

/** The stream of draws of a fault (by its seed) for the `n`th connection on its edge. */
export function connectionRandom(seed: number, n: number): () => number {
  return seededRandom(Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b));
}

/** True when the fault hits the `n`th connection: its first draw below the toxicity (0 never, 1 always). */
export function hits(seed: number, n: number, toxicity: number): boolean {
  return connectionRandom(seed, n)() < toxicity;
}
