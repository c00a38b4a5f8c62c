/**
 * Live decoding of a Tap's connections, seen from the main thread: the decoder itself runs
 * in the tap's thread, beside the relay (liveDecoderObserver.ts says why).
 *
 *   LiveDecoding.start(tap) ──Tap.observe──▶ tap thread: LiveDecoder fed by the relay
 *   addKeylogLine ──batched per tick──────▶ LiveDecoder's key log
 *   messages(conn) ◀── what an open connection has decoded so far
 *   decoded(conn) ◀── its LiveResult once it closed — or, when the thread cannot give one
 *                     (opened before the start, dropped behind a backlog, a secret logged too
 *                     late), decodeConnection over the tap's recording, here
 *
 * Either way `decoded` is what decodeConnection makes of the recording with every key-log
 * line given so far.
 */
import type { Tap, TapConnection, TapObservation } from '../runtime/index.js';
import { siblingModule } from '../runtime/index.js';
import { decodeConnection, type DecodedConnection, type DecodedMessage } from './connectionDecoder.js';
import { KeyLog } from './keylog.js';
import type { LiveDecoderOptions } from './liveDecoder.js';
import { fromWire, type LiveReply, type LiveRequest } from './liveDecoderProtocol.js';

export class LiveDecoding {
  /** Starts a live decoder for every connection `tap` opens from now on. */
  static async start(tap: Tap, options: Partial<LiveDecoderOptions> = {}): Promise<LiveDecoding> {
    return new LiveDecoding(await tap.observe(siblingModule(import.meta.url, 'liveDecoderObserver'), options));
  }

  /** Connections with this id and later are decoded live; earlier ones from their recording. */
  readonly firstConnection: number;
  /** Every line given, for decoding a recording here when the thread has no result. */
  readonly keylog = new KeyLog();
  readonly #observation: TapObservation;
  readonly #pending = new Map<number, (reply: LiveReply | undefined) => void>();
  #nextRequest = 1;
  #lines: string[] = [];
  #stopped = false;

  private constructor(observation: TapObservation) {
    this.#observation = observation;
    this.firstConnection = observation.firstConnection;
    const port = observation.port;
    port.on('message', (reply: LiveReply) => {
      this.#pending.get(reply.request)?.(reply);
      this.#pending.delete(reply.request);
    });
    // The tap's thread went away (the tap closed): nothing more will be answered.
    port.on('close', () => this.#settleAll());
    port.unref();
  }

  addKeylogLine(line: string): void {
    if (!this.keylog.addLine(line) || this.#stopped) return;
    if (this.#lines.length === 0) queueMicrotask(() => this.#sendLines());
    this.#lines.push(line);
  }

  /** The connection decoded, and where: live when the thread decoded it whole, else from its recording. */
  async decoded(conn: TapConnection): Promise<{ decoded: DecodedConnection; source: 'live' | 'recording' }> {
    const reply = conn.id >= this.firstConnection ? await this.#ask({ decoded: conn.id }) : undefined;
    const result = reply && 'result' in reply && reply.result ? fromWire(reply.result) : undefined;
    if (result && result.keysLoggedLate.length === 0) return { decoded: result.decoded, source: 'live' };
    return { decoded: decodeConnection({ chunks: conn.chunks, keylog: this.keylog }), source: 'recording' };
  }

  /** What an open connection has decoded so far (undefined once it is closed or when it is not decoded live). */
  async messages(conn: TapConnection): Promise<DecodedMessage[] | undefined> {
    if (conn.id < this.firstConnection) return undefined;
    const reply = await this.#ask({ messages: conn.id });
    return reply && 'messages' in reply ? reply.messages : undefined;
  }

  /** Stops the decoder in the tap's thread; pending questions get their answer from the recording. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#observation.stop();
    this.#settleAll();
  }

  #ask(question: { decoded: number } | { messages: number }): Promise<LiveReply | undefined> {
    if (this.#stopped) return Promise.resolve(undefined);
    this.#sendLines();
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#pending.set(request, resolve);
      this.#observation.port.postMessage({ request, ...question } satisfies LiveRequest);
    });
  }

  #sendLines(): void {
    if (this.#lines.length === 0 || this.#stopped) return;
    this.#observation.port.postMessage({ keylog: this.#lines } satisfies LiveRequest);
    this.#lines = [];
  }

  #settleAll(): void {
    for (const resolve of this.#pending.values()) resolve(undefined);
    this.#pending.clear();
  }
}
