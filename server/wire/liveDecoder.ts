/**
 * Live decoding: every connection's bytes decoded while it is open, chunk by chunk, by the
 * same incremental decoder decodeConnection runs over a whole recording.
 *
 *   client ⇄ tap ⇄ service
 *            │ open(id) · push(id, chunk) … · close(id)
 *            ▼
 *   ConnectionDecoder per connection (holdForKeys) ──messages(id): decoded so far
 *            ▲                                      └─close──▶ onDecoded(id, LiveResult)
 *   addKeylogLine ──▶ one KeyLog ──▶ held decoders resume
 *
 * The ends log each secret over IPC (or a key-log file) at about the time they send the
 * first record it protects, so a record can arrive before its secret: its decoder holds it,
 * and the chunks after it, until the secret is logged or `keyWaitMs` passes, whichever comes
 * first — a close included, so the last records of a rejected handshake still find their
 * keys. Fed the chunks in arrival order, the result is exactly decodeConnection's over the
 * same chunks with the same key log. Only a secret logged after its wait ran out leaves a
 * difference, and the result says so (`keysLoggedLate`): whoever holds the recording
 * decodes it again.
 *
 * The class keeps no thread of its own: it runs where it is fed (the tap's thread, see
 * liveDecoderObserver.ts), which decides when its work runs.
 */
import { ConnectionDecoder, type DecodedConnection, type DecodedMessage, type DecoderLimits, type TapChunk } from './connectionDecoder.js';
import { KeyLog, type KeyLogLabel } from './keylog.js';

export interface LiveDecoderOptions {
  /** How long a record waits for its secret before it is decoded without it. */
  keyWaitMs: number;
  limits: Partial<DecoderLimits>;
}

export const defaultLiveDecoderOptions: Readonly<LiveDecoderOptions> = { keyWaitMs: 250, limits: {} };

export interface LiveResult {
  decoded: DecodedConnection;
  /** Secrets logged only after their records were decoded without them: decode the recording again for the full picture. */
  keysLoggedLate: KeyLogLabel[];
}

interface Live {
  decoder: ConnectionDecoder;
  /** Set while a record waits for its secret: the wait's end, and which secret it is for. */
  timer?: NodeJS.Timeout;
  waitingFor?: KeyLogLabel;
  closing: boolean;
}

export class LiveDecoder {
  readonly keylog = new KeyLog();
  readonly #options: LiveDecoderOptions;
  readonly #onDecoded: (id: number, result: LiveResult) => void;
  readonly #live = new Map<number, Live>();
  /** Connections whose decoder holds a record for a secret: the ones a new key-log line may release. */
  readonly #waiting = new Set<number>();

  constructor(onDecoded: (id: number, result: LiveResult) => void, options: Partial<LiveDecoderOptions> = {}) {
    this.#options = { ...defaultLiveDecoderOptions, ...options };
    if (!(this.#options.keyWaitMs >= 0)) throw new TypeError(`LiveDecoder: keyWaitMs must be a number ≥ 0 (got ${String(options.keyWaitMs)})`);
    this.#onDecoded = onDecoded;
  }

  /** A connection starts; its chunks follow. Opening an id already open is a no-op. */
  open(id: number): void {
    if (this.#live.has(id)) return;
    this.#live.set(id, { decoder: new ConnectionDecoder(this.keylog, this.#options.limits, { holdForKeys: true }), closing: false });
  }

  /** One chunk as the tap read it; chunks of a connection must come in the order they were read. */
  push(id: number, chunk: TapChunk): void {
    const live = this.#live.get(id);
    if (!live || live.closing) return;
    live.decoder.push(chunk);
    this.#watch(id, live);
  }

  /** The connection closed: its result follows once no record waits for a secret. */
  close(id: number): void {
    const live = this.#live.get(id);
    if (!live || live.closing) return;
    live.closing = true;
    if (live.decoder.waitingFor === undefined) this.#finish(id, live);
  }

  addKeylogLine(line: string): void {
    if (!this.keylog.addLine(line) || this.#waiting.size === 0) return;
    for (const id of [...this.#waiting]) {
      const live = this.#live.get(id);
      if (!live) continue;
      live.decoder.resume();
      this.#watch(id, live);
    }
  }

  /** What a connection has decoded so far (the same array grows as chunks decode); undefined once closed and reported. */
  messages(id: number): readonly DecodedMessage[] | undefined {
    return this.#live.get(id)?.decoder.messages;
  }

  /** Connections open (or closed and waiting for a secret). */
  get size(): number {
    return this.#live.size;
  }

  /** Stops decoding a connection without reporting it: its result must come from the recording. */
  forget(id: number): void {
    const live = this.#live.get(id);
    if (!live) return;
    clearTimeout(live.timer);
    this.#waiting.delete(id);
    this.#live.delete(id);
  }

  /** Forgets every connection without reporting them. */
  dispose(): void {
    for (const live of this.#live.values()) clearTimeout(live.timer);
    this.#live.clear();
    this.#waiting.clear();
  }

  /** Starts or stops the wait that follows the decoder's state; a closing connection finishes once nothing waits. */
  #watch(id: number, live: Live): void {
    const label = live.decoder.waitingFor;
    if (label === live.waitingFor) return;
    clearTimeout(live.timer);
    live.waitingFor = label;
    if (label === undefined) {
      this.#waiting.delete(id);
      if (live.closing) this.#finish(id, live);
      return;
    }
    // A new wait for each secret: once a secret is logged or given up on, a later hold is for another one.
    this.#waiting.add(id);
    live.timer = setTimeout(() => {
      live.decoder.resume(true);
      this.#watch(id, live);
    }, this.#options.keyWaitMs);
    live.timer.unref();
  }

  #finish(id: number, live: Live): void {
    clearTimeout(live.timer);
    this.#waiting.delete(id);
    this.#live.delete(id);
    const decoded = live.decoder.finish();
    this.#onDecoded(id, { decoded, keysLoggedLate: live.decoder.keysLoggedLate });
  }
}
