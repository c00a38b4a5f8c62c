/**
 * The wire tap: a TCP relay in front of every service that records each byte it forwards.
 *
 *   client ──c2s──▶ tap (sandbox address, port in describe()) ──▶ service (internal port)
 *   client ◀──s2c── tap ◀── service
 *
 * Clients, curl and openssl s_client all dial the tap, so every connection is recorded, and
 * the service sees the tap's upstream port as the remote port: that port (and the client's
 * port on the near side) is how process logs are tied back to a recorded connection.
 *
 * The relay must not change what the ends see: it forwards every chunk as soon as it reads
 * it (no Nagle on either leg: both ends run with TCP_NODELAY, as Node's http does), passes a
 * half-close on as a half-close, and a reset as a reset.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';

export interface TapChunk {
  dir: 'c2s' | 's2c';
  /** µs on process.hrtime's clock (monotonic; the origin is arbitrary). */
  t: number;
  /** The Buffer the socket read, as read: not a copy. */
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
  chunks: TapChunk[];
  bytes: { c2s: number; s2c: number };
  /** How the connection ended: `end` (FIN both ways), `reset`, `error`, `refused` (service down), `tap-closed`. */
  closeReason?: 'end' | 'reset' | 'error' | 'refused' | 'tap-closed';
  /** Bytes whose chunks were dropped to keep the sandbox's recording under its cap. */
  droppedBytes: number;
}

export interface TapOptions {
  /** The loopback address the tap and the services share. */
  address: string;
  /** Recorded bytes kept per sandbox; beyond it the oldest connections' chunks are dropped. */
  maxRecordedBytes?: number;
  /** Connection records kept; beyond it the oldest records are dropped whole. */
  maxConnectionRecords?: number;
}

const defaults: Required<Omit<TapOptions, 'address'>> = {
  maxRecordedBytes: 64 * 1024 * 1024,
  maxConnectionRecords: 50_000,
};

interface Route {
  service: string;
  server: net.Server;
  port: number;
  upstreamPort?: number;
  /** Connections that arrived before the service said where it listens. */
  waiting: Array<(port: number) => void>;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

const resetCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Events: `connection` (TapConnection) when a client connects, `close` (TapConnection) when
 * both legs are closed, `truncated` ({ connections, droppedBytes }) when recording was dropped.
 */
export class Tap extends EventEmitter {
  readonly address: string;
  /** Every recorded connection, oldest first (bounded; see TapOptions). */
  readonly connections: TapConnection[] = [];
  recordedBytes = 0;
  droppedBytes = 0;

  readonly #options: Required<TapOptions>;
  readonly #routes = new Map<string, Route>();
  readonly #live = new Set<net.Socket>();
  /** Connections not yet closed, oldest first (a Set iterates in insertion order). */
  readonly #open = new Set<TapConnection>();
  readonly #byUpstreamPort = new Map<number, TapConnection>();
  readonly #byClientPort = new Map<number, TapConnection>();
  #nextId = 1;
  #closed = false;

  constructor(options: TapOptions) {
    super();
    this.#options = { ...defaults, ...options };
    this.address = options.address;
  }

  /** Opens the tap's port for a service; the service's own port may follow later (setUpstream). */
  async listen(service: string): Promise<number> {
    if (this.#routes.has(service)) throw new TypeError(`tap.listen: "${service}" already has a port`);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    const route: Route = { service, server, port: 0, waiting: [] };
    server.on('connection', (socket) => this.#accept(route, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.address, port: 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    route.port = (server.address() as net.AddressInfo).port;
    this.#routes.set(service, route);
    return route.port;
  }

  setUpstream(service: string, upstreamPort: number): void {
    const route = this.#routes.get(service);
    if (!route) throw new TypeError(`tap.setUpstream: "${service}" has no tap port`);
    route.upstreamPort = upstreamPort;
    for (const start of route.waiting.splice(0)) start(upstreamPort);
  }

  portOf(service: string): number | undefined {
    return this.#routes.get(service)?.port;
  }

  /** The connection whose upstream leg used this local port (the service's remote port). */
  byUpstreamPort(port: number): TapConnection | undefined {
    return this.#byUpstreamPort.get(port);
  }

  /** The connection a client dialled from this port. */
  byClientPort(port: number): TapConnection | undefined {
    return this.#byClientPort.get(port);
  }

  /**
   * The oldest connection whose service leg is still open: for a server that handles one
   * connection at a time (openssl s_server), the one it is serving now. Used for logs that
   * carry no port.
   */
  servingNow(service: string): TapConnection | undefined {
    for (const conn of this.#open) {
      if (conn.service === service && conn.serviceClosedAt === undefined) return conn;
    }
    return undefined;
  }

  /** Closes every port and every live connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#live) socket.destroy();
    await Promise.all(
      [...this.#routes.values()].map(
        (route) =>
          new Promise<void>((resolve) => {
            for (const start of route.waiting.splice(0)) start(0);
            route.server.close(() => resolve());
          }),
      ),
    );
  }

  #accept(route: Route, client: net.Socket): void {
    if (this.#closed) {
      client.destroy();
      return;
    }
    const conn: TapConnection = {
      id: this.#nextId++,
      service: route.service,
      clientPort: client.remotePort ?? 0,
      openedAt: nowUs(),
      openedAtMs: Date.now(),
      chunks: [],
      bytes: { c2s: 0, s2c: 0 },
      droppedBytes: 0,
    };
    this.#remember(conn);
    this.#open.add(conn);
    this.emit('connection', conn);
    if (route.upstreamPort !== undefined) this.#relay(conn, client, route.upstreamPort);
    else route.waiting.push((port) => (port === 0 ? client.destroy() : this.#relay(conn, client, port)));
  }

  #relay(conn: TapConnection, client: net.Socket, upstreamPort: number): void {
    const upstream = net.connect({ host: this.address, port: upstreamPort, allowHalfOpen: true, noDelay: true });
    this.#live.add(client);
    this.#live.add(upstream);

    const record = (dir: TapChunk['dir'], bytes: Buffer): void => {
      conn.chunks.push({ dir, t: nowUs(), bytes });
      conn.bytes[dir] += bytes.length;
      this.recordedBytes += bytes.length;
      if (this.recordedBytes > this.#options.maxRecordedBytes) this.#trim();
    };

    // Backpressure both ways: a slow reader pauses the other end instead of growing buffers.
    client.on('data', (bytes: Buffer) => {
      record('c2s', bytes);
      if (!upstream.write(bytes)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (bytes: Buffer) => {
      record('s2c', bytes);
      if (!client.write(bytes)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());

    upstream.on('connect', () => {
      conn.upstreamPort = upstream.localPort;
      if (conn.upstreamPort !== undefined) this.#byUpstreamPort.set(conn.upstreamPort, conn);
    });

    // A FIN is passed on as a FIN: the other direction stays open (RFC 9293 §3.6).
    client.on('end', () => upstream.end());
    upstream.on('end', () => {
      conn.serviceClosedAt ??= nowUs();
      client.end();
    });

    const fail = (other: net.Socket, err: NodeJS.ErrnoException, refused: boolean): void => {
      conn.closeReason ??= refused ? 'refused' : resetCodes.has(err.code ?? '') ? 'reset' : 'error';
      if (other.destroyed) return;
      // A reset (or a refused upstream) is answered with a reset, so the far end sees what a
      // direct connection would have shown it: ECONNRESET, not a clean close.
      if (refused || resetCodes.has(err.code ?? '')) other.resetAndDestroy();
      else other.destroy();
    };
    client.on('error', (err: NodeJS.ErrnoException) => fail(upstream, err, false));
    upstream.on('error', (err: NodeJS.ErrnoException) => fail(client, err, err.code === 'ECONNREFUSED'));

    let open = 2;
    const closed = (socket: net.Socket): void => {
      this.#live.delete(socket);
      if (socket === upstream) conn.serviceClosedAt ??= nowUs();
      if (--open > 0) return;
      conn.closedAt = nowUs();
      this.#open.delete(conn);
      conn.closeReason ??= this.#closed ? 'tap-closed' : 'end';
      this.emit('close', conn);
    };
    client.on('close', () => closed(client));
    upstream.on('close', () => closed(upstream));

    client.resume();
  }

  #remember(conn: TapConnection): void {
    this.connections.push(conn);
    this.#byClientPort.set(conn.clientPort, conn);
    const excess = this.connections.length - this.#options.maxConnectionRecords;
    if (excess > 0) {
      // Drop a tenth at once so a busy sandbox does not shift the array on every connection.
      const dropped = this.connections.splice(0, excess + Math.floor(this.#options.maxConnectionRecords / 10));
      for (const old of dropped) {
        this.#forgetChunks(old);
        if (this.#byClientPort.get(old.clientPort) === old) this.#byClientPort.delete(old.clientPort);
        if (old.upstreamPort !== undefined && this.#byUpstreamPort.get(old.upstreamPort) === old) {
          this.#byUpstreamPort.delete(old.upstreamPort);
        }
      }
    }
  }

  /** Drops the oldest connections' chunks until the recording is back under 90% of its cap. */
  #trim(): void {
    const target = this.#options.maxRecordedBytes * 0.9;
    let connections = 0;
    let droppedBytes = 0;
    for (const conn of this.connections) {
      if (this.recordedBytes <= target) break;
      if (conn.chunks.length === 0) continue;
      droppedBytes += this.#forgetChunks(conn);
      connections++;
    }
    this.droppedBytes += droppedBytes;
    this.emit('truncated', { connections, droppedBytes });
  }

  #forgetChunks(conn: TapConnection): number {
    let bytes = 0;
    for (const chunk of conn.chunks) bytes += chunk.bytes.length;
    // A new array: whoever holds the old one (a decoder mid-trace) keeps a consistent view.
    conn.chunks = [];
    conn.droppedBytes += bytes;
    this.recordedBytes -= bytes;
    return bytes;
  }
}
