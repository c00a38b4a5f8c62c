/**
 * The wire tap: a TCP relay in front of every service that records each byte it forwards.
 *
 *   client ──c2s──▶ tap (sandbox address, port in describe()) ──▶ service (internal port)
 *   client ◀──s2c── tap ◀── service
 *                    │ relayed in the tap's thread (tapRelay.ts, tapThread.ts)
 *                    ▼
 *   this Tap, main thread: connections, lookups by port, events; chunks (µs) read in place
 *
 * Clients, curl and openssl s_client all dial the tap, so every connection is recorded, and
 * the service sees the tap's upstream port as the remote port: that port (and the client's
 * port on the near side) is how process logs are tied back to a recorded connection.
 *
 * The relay runs in a thread of its own so that forwarding never waits for this thread, and
 * so that observers (Tap.observe: the wire's live decoder) work beside it. A connection's
 * events reach this object at once. Its chunks stay where the thread wrote them, in shared
 * memory (chunkLog.ts), and are read from there when asked for (`chunks`, `bytes`): a chunk
 * the relay has forwarded is always there, and 'close' comes after a connection's last one.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ChunkLogReader, type LoggedChunk } from './chunkLog.js';
import type { TapEvent } from './tapProtocol.js';
import { TapWorker } from './tapWorker.js';
import type { WireFaultSpec } from './wireFaults/catalogue.js';
import type { WireMark } from './wireFaults/toxic.js';

/** What a wire fault did to a connection, where: `offset` counts the bytes recorded in `dir` before it. */
export interface TapMark extends WireMark {
  dir: 'c2s' | 's2c';
  /** µs, same clock as chunks. */
  t: number;
}

export interface TapChunk {
  dir: 'c2s' | 's2c';
  /** µs on process.hrtime's clock (monotonic, the same in every thread; the origin is arbitrary): when the relay read it. */
  t: number;
  /** The bytes the relay read, in one read, as read. */
  bytes: Buffer;
}

export interface TapConnection {
  id: number;
  service: string;
  /** The dialling end's port: a lab client reports the same number as its local port. */
  clientPort: number;
  /** The tap's port towards the service: the service logs it as the remote port. */
  upstreamPort?: number;
  /** µs, same clock as chunks. */
  openedAt: number;
  /** µs: when both legs were closed. */
  closedAt?: number;
  /** µs: when the service's leg ended (FIN) or closed, whichever came first. */
  serviceClosedAt?: number;
  /** Wall-clock ms of openedAt, for people. */
  openedAtMs: number;
  /** What the relay has read so far, in order (from a Tap: read from the recording on each access). */
  readonly chunks: TapChunk[];
  readonly bytes: { c2s: number; s2c: number };
  /** How the connection ended: `end` (FIN both ways), `reset`, `error`, `refused` (service down), `tap-closed`. */
  closeReason?: 'end' | 'reset' | 'error' | 'refused' | 'tap-closed';
  /** Bytes whose chunks were dropped to keep the sandbox's recording under its cap. */
  readonly droppedBytes: number;
  /**
   * What the tap's wire faults did to this connection, in order: bytes changed or made up
   * (the chunks hold them as the peer got them), bytes dropped, a reset or close they caused.
   * Empty (or absent, for a capture read from a file) when no fault hit it.
   */
  readonly marks?: readonly TapMark[];
}

/** A connection's part of the recording, as read so far. */
interface ConnectionRecording {
  chunks: TapChunk[];
  bytes: { c2s: number; s2c: number };
  droppedBytes: number;
  marks: TapMark[];
}

export interface TapOptions {
  /** The loopback address the tap and the services share. */
  address: string;
  /** Recorded bytes kept per sandbox; beyond it the oldest chunks go, and each connection that had one there is shown dropped. */
  maxRecordedBytes?: number;
  /** Connection records kept; beyond it the oldest records are dropped whole. */
  maxConnectionRecords?: number;
}

const defaults: Required<Omit<TapOptions, 'address'>> = {
  maxRecordedBytes: 64 * 1024 * 1024,
  maxConnectionRecords: 50_000,
};

/** What Tap.observe resolved to: the observer's port, and the first connection it saw from its start. */
export interface TapObservation {
  port: MessagePort;
  firstConnection: number;
  /** Removes the observer from the tap's thread (its dispose hook runs there). */
  stop(): void;
}

/**
 * Events: `connection` (TapConnection) when a client connects, `close` (TapConnection) when
 * both legs are closed, `truncated` ({ connections, droppedBytes }) when recording was dropped.
 */
export class Tap extends EventEmitter {
  readonly address: string;
  /** Every recorded connection, oldest first (bounded; see TapOptions). */
  readonly connections: TapConnection[] = [];

  readonly #recording = new ChunkLogReader();
  /** By connection id, for each connection still in `connections`. */
  readonly #recorded = new Map<number, ConnectionRecording>();
  #droppedBytes = 0;

  readonly #options: Required<TapOptions>;
  readonly #worker: TapWorker;
  readonly #tap: number;
  readonly #ports = new Map<string, number>();
  /** Connections not yet closed, by id; a Map iterates oldest first. */
  readonly #open = new Map<number, TapConnection>();
  readonly #byUpstreamPort = new Map<number, TapConnection>();
  readonly #byClientPort = new Map<number, TapConnection>();
  #nextObserver = 1;
  #listening = false;
  #closing: Promise<void> | undefined;

  constructor(options: TapOptions) {
    super();
    this.#options = { ...defaults, ...options };
    this.address = options.address;
    this.#worker = TapWorker.get();
    this.#tap = this.#worker.open({ receive: (event) => this.#apply(event), lost: () => this.#lost() }, options.address, this.#options.maxRecordedBytes);
  }

  /** Chunk bytes the recording holds now. */
  get recordedBytes(): number {
    this.#readRecording();
    return this.#recording.bytes;
  }

  /** Chunk bytes dropped to keep the recording under its cap. */
  get droppedBytes(): number {
    this.#worker.drain();
    return this.#droppedBytes;
  }

  /** Opens the tap's port for a service; the service's own port may follow later (setUpstream). */
  async listen(service: string): Promise<number> {
    if (this.#closing) throw new Error(`tap.listen: the tap is closed`);
    if (this.#ports.has(service)) throw new TypeError(`tap.listen: "${service}" already has a port`);
    if (!this.#listening) {
      this.#listening = true;
      this.#worker.ref();
    }
    const port = await this.#worker.request<number>((request) => ({ op: 'listen', tap: this.#tap, service, request }));
    this.#ports.set(service, port);
    return port;
  }

  /** Resolves once connections opened from now on go to `upstreamPort` (a restarted service moves). */
  async setUpstream(service: string, upstreamPort: number): Promise<void> {
    if (!this.#ports.has(service)) throw new TypeError(`tap.setUpstream: "${service}" has no tap port`);
    await this.#worker.request<void>((request) => ({ op: 'upstream', tap: this.#tap, service, port: upstreamPort, request }));
  }

  /** Closes the service's port for good (it could not start): a connect to it is refused; portOf still names it. */
  async refuse(service: string): Promise<void> {
    if (!this.#ports.has(service)) throw new TypeError(`tap.refuse: "${service}" has no tap port`);
    await this.#worker.request<void>((request) => ({ op: 'refuse', tap: this.#tap, service, request }));
  }

  portOf(service: string): number | undefined {
    return this.#ports.get(service);
  }

  /** The connection whose upstream leg used this local port (the service's remote port). */
  byUpstreamPort(port: number): TapConnection | undefined {
    this.#worker.drain();
    return this.#byUpstreamPort.get(port);
  }

  /** The connection a client dialled from this port. */
  byClientPort(port: number): TapConnection | undefined {
    this.#worker.drain();
    return this.#byClientPort.get(port);
  }

  /**
   * The oldest connection whose service leg is still open: for a server that handles one
   * connection at a time (openssl s_server), the one it is serving now. Used for logs that
   * carry no port.
   */
  servingNow(service: string): TapConnection | undefined {
    this.#worker.drain();
    for (const conn of this.#open.values()) {
      if (conn.service === service && conn.serviceClosedAt === undefined) return conn;
    }
    return undefined;
  }

  /**
   * Loads `module` (a URL; its `createTapObserver` export, see tapObserver.ts) into the tap's
   * thread, where it sees each connection opened from now on, chunk by chunk as the relay
   * reads them. `data` is passed to it (structured-cloned).
   */
  async observe(module: URL, data?: unknown): Promise<TapObservation> {
    if (this.#closing) throw new Error('tap.observe: the tap is closed');
    const { port1, port2 } = new MessageChannel();
    const observer = this.#nextObserver++;
    const firstConnection = await this.#worker
      .request<number>((request) => ({ op: 'observe', tap: this.#tap, observer, module: module.href, data, port: port2, request }), [port2])
      .catch((error: unknown) => {
        port1.close();
        throw error;
      });
    return {
      port: port1,
      firstConnection,
      stop: () => {
        port1.close();
        if (!this.#closing) this.#worker.post({ op: 'unobserve', tap: this.#tap, observer });
      },
    };
  }

  /**
   * Replaces the wire faults on a service's edge (validated: wireFaults/catalogue.ts
   * parseWireFault); an empty list clears them. Resolves once connections opened from now on
   * meet them; connections already open keep the chain they opened with.
   */
  async setWireFaults(service: string, faults: readonly WireFaultSpec[]): Promise<void> {
    if (this.#closing) throw new Error('tap.setWireFaults: the tap is closed');
    if (!this.#ports.has(service)) throw new TypeError(`tap.setWireFaults: "${service}" has no tap port`);
    await this.#worker.request((request) => ({ op: 'wire-faults', tap: this.#tap, service, faults: [...faults], request }));
  }

  /** Closes every port and every live connection; resolves after their 'close' events. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#worker.request((request) => ({ op: 'close', tap: this.#tap, request }));
    } catch {
      // The thread is gone: #lost closed what was open.
    } finally {
      this.#worker.forget(this.#tap);
      if (this.#listening) this.#worker.unref();
    }
  }

  /** Takes what the thread has announced, then every chunk it has written since the last read. */
  #readRecording(): void {
    this.#worker.drain();
    this.#recording.read((chunk) => this.#take(chunk));
  }

  #take({ conn, dir, t, bytes }: LoggedChunk): void {
    const recorded = this.#recorded.get(conn);
    if (!recorded) return;
    recorded.chunks.push({ dir, t, bytes });
    recorded.bytes[dir] += bytes.length;
  }

  #apply(event: TapEvent): void {
    switch (event.ev) {
      case 'open': {
        const recorded: ConnectionRecording = { chunks: [], bytes: { c2s: 0, s2c: 0 }, droppedBytes: 0, marks: [] };
        const read = (): ConnectionRecording => {
          this.#readRecording();
          return recorded;
        };
        const conn: TapConnection = {
          id: event.id,
          service: event.service,
          clientPort: event.clientPort,
          openedAt: event.openedAt,
          openedAtMs: event.openedAtMs,
          get chunks() {
            return read().chunks;
          },
          get bytes() {
            return read().bytes;
          },
          get droppedBytes() {
            return read().droppedBytes;
          },
          get marks() {
            return read().marks;
          },
        };
        this.#recorded.set(conn.id, recorded);
        this.#remember(conn);
        this.#open.set(conn.id, conn);
        this.emit('connection', conn);
        return;
      }
      case 'upstream': {
        const conn = this.#open.get(event.id);
        if (!conn) return;
        conn.upstreamPort = event.port;
        this.#byUpstreamPort.set(event.port, conn);
        return;
      }
      case 'service-end': {
        const conn = this.#open.get(event.id);
        if (conn) conn.serviceClosedAt ??= event.t;
        return;
      }
      case 'close': {
        const conn = this.#open.get(event.id);
        if (!conn) return;
        this.#open.delete(event.id);
        conn.closedAt = event.t;
        conn.closeReason ??= event.reason;
        this.emit('close', conn);
        return;
      }
      case 'mark': {
        const marks = this.#recorded.get(event.id)?.marks;
        if (!marks) return;
        // A blackhole drops every chunk it reads: runs of drops at one place are one mark, so a
        // long-lived connection holds a few marks, not one per chunk.
        const last = marks.at(-1);
        const { mark } = event;
        if (mark.kind === 'dropped' && last?.kind === 'dropped' && last.dir === event.dir && last.fault === mark.fault && last.offset === mark.offset && last.note === mark.note) {
          last.length += mark.length;
          return;
        }
        marks.push({ ...mark, dir: event.dir, t: event.t });
        return;
      }
      case 'segment':
        this.#recording.add(event.index, event.buffer);
        return;
      case 'dropped':
        this.#drop(event.index, event.connections);
        return;
      case 'reply':
        return;
    }
  }

  /**
   * The thread dropped a segment of the recording. A connection that lost any of its chunks
   * loses the rest of what was read too: a stream with a hole would misparse (a reader
   * would start mid-record), so it is shown as dropped, whole.
   */
  #drop(index: number, connections: Array<[id: number, bytes: number]>): void {
    // Read first: the segment's records must be counted to their connections before it goes.
    this.#recording.read((chunk) => this.#take(chunk));
    this.#recording.drop(index);
    let droppedBytes = 0;
    for (const [id] of connections) {
      const recorded = this.#recorded.get(id);
      if (recorded) droppedBytes += this.#forgetChunks(recorded);
    }
    this.#droppedBytes += droppedBytes;
    this.emit('truncated', { connections: connections.length, droppedBytes });
  }

  /** The thread died: what was open is over. */
  #lost(): void {
    for (const conn of [...this.#open.values()]) this.#apply({ ev: 'close', tap: this.#tap, id: conn.id, t: conn.chunks.at(-1)?.t ?? conn.openedAt, reason: 'error' });
    this.#closing ??= Promise.resolve();
  }

  #remember(conn: TapConnection): void {
    this.connections.push(conn);
    this.#byClientPort.set(conn.clientPort, conn);
    const excess = this.connections.length - this.#options.maxConnectionRecords;
    if (excess > 0) {
      // Drop a tenth at once so a busy sandbox does not shift the array on every connection.
      const dropped = this.connections.splice(0, excess + Math.floor(this.#options.maxConnectionRecords / 10));
      for (const old of dropped) {
        const recorded = this.#recorded.get(old.id);
        if (recorded) this.#forgetChunks(recorded);
        this.#recorded.delete(old.id);
        if (this.#byClientPort.get(old.clientPort) === old) this.#byClientPort.delete(old.clientPort);
        if (old.upstreamPort !== undefined && this.#byUpstreamPort.get(old.upstreamPort) === old) {
          this.#byUpstreamPort.delete(old.upstreamPort);
        }
      }
    }
  }

  #forgetChunks(recorded: ConnectionRecording): number {
    let bytes = 0;
    for (const chunk of recorded.chunks) bytes += chunk.bytes.length;
    // A new array: whoever holds the old one (a decoder mid-trace) keeps a consistent view.
    recorded.chunks = [];
    recorded.droppedBytes += bytes;
    return bytes;
  }
}
