/**
 * The relay of one Tap, in the tap's thread (tapThread.ts): a TCP port per service, each
 * connection forwarded to the service and reported chunk by chunk to a sink.
 *
 *   client ──c2s──▶ relay (tap port) ──▶ service (internal port)
 *   client ◀──s2c── relay ◀── service
 *                    └─▶ RelaySink: open, upstream, chunk (each as read), service-end, close
 *
 * The relay must not change what the ends see: it forwards every chunk as soon as it reads
 * it (no Nagle on either leg: both ends run with TCP_NODELAY, as Node's http does), passes a
 * half-close on as a half-close, and a reset as a reset — unless a wire fault is set on the
 * edge (setWireFaults): then a direction the draw hits runs through its chain first,
 *
 *   client ──c2s──▶ relay ──▶ [upstream faults]   ──▶ service
 *   client ◀──s2c── [downstream faults] ◀── relay ◀── service
 *
 * and what the chain delivers is what is recorded, with a mark for each byte a fault
 * changed, made up or dropped, each reset and close it caused (wireFaults/).
 */
import net from 'node:net';
import { nowUs, type CloseReason, type Direction } from './tapProtocol.js';
import type { WireFaultSpec } from './wireFaults/catalogue.js';
import { WireFaultChains } from './wireFaults/chains.js';
import { linkHighWaterBytes, WireLink, type LinkStage } from './wireFaults/link.js';
import type { WireMark } from './wireFaults/toxic.js';

export interface RelaySink {
  open(conn: { id: number; service: string; clientPort: number; openedAt: number; openedAtMs: number }): void;
  /** The tap's port towards the service: what the service logs as the remote port. */
  upstream(id: number, port: number): void;
  /** `bytes` is the buffer the socket read; it is forwarded right after this returns. */
  chunk(id: number, dir: Direction, t: number, bytes: Buffer): void;
  /** The service's leg ended (FIN) or closed, whichever came first. */
  serviceEnd(id: number, t: number): void;
  /** Both legs closed. */
  close(id: number, t: number, reason: CloseReason): void;
  /** What a wire fault did to this direction's stream (before the chunk it marks, if any). */
  mark(id: number, dir: Direction, t: number, mark: WireMark): void;
}

interface Route {
  server: net.Server;
  upstreamPort?: number;
  /** Connections that arrived before the service said where it listens. */
  waiting: Array<(port: number) => void>;
}

const resetCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Resets a socket (RST), or closes it when its FIN is already out: Node's resetAndDestroy on
 * a socket that has ended fails with EINVAL (SO_LINGER after shutdown) and leaves it destroyed
 * without a 'close' — the connection then never ends (seen when a wire fault's slices met an
 * upstream that had gone: EPIPE, then a reset of the client that had already had our FIN).
 */
function reset(socket: net.Socket): void {
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

/**
 * Node destroys a socket as soon as a write to it fails, and with it what the peer sent before
 * the reset that failed the write, still unread in the kernel: a service that answers a bad
 * record with its alert and closes, the client's request unread, resets its leg — and a write
 * of that request lost the alert the relay had already received. So a write that meets a reset
 * is not failed: `onReset` is told, the leg reads on to its end, and the relay passes the reset
 * on after the last byte (whatever else was written to the leg waits, and goes with it).
 */
function holdWriteResets(socket: net.Socket, onReset: () => void): void {
  const hold =
    (callback: (error?: Error | null) => void) =>
    (error?: Error | null): void => {
      if (error && resetCodes.has((error as NodeJS.ErrnoException).code ?? '')) onReset();
      else callback(error);
    };
  const write = socket._write.bind(socket);
  socket._write = (chunk, encoding, callback) => write(chunk, encoding, hold(callback));
  const writev = socket._writev?.bind(socket);
  if (writev) socket._writev = (chunks, callback) => writev(chunks, hold(callback));
}

export class TapRelay {
  readonly #address: string;
  readonly #sink: RelaySink;
  readonly #routes = new Map<string, Route>();
  /** Services whose port was closed because they could not start: the port number, to open again. */
  readonly #refused = new Map<string, number>();
  readonly #live = new Set<net.Socket>();
  /** Connections not yet reported closed; close() waits for them. */
  #open = 0;
  #allClosed: (() => void) | undefined;
  #nextId = 1;
  #closed = false;
  readonly #faults = new WireFaultChains();

  constructor(address: string, sink: RelaySink) {
    this.#address = address;
    this.#sink = sink;
  }

  /** The id the next connection gets. */
  get nextId(): number {
    return this.#nextId;
  }

  /**
   * Opens the tap's port for a service (`port` 0: any free one); the service's own port may
   * follow later (setUpstream).
   */
  async listen(service: string, port = 0): Promise<number> {
    if (this.#routes.has(service)) throw new TypeError(`tap.listen: "${service}" already has a port`);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    const route: Route = { server, waiting: [] };
    server.on('connection', (socket) => this.#accept(service, route, socket));
    this.#routes.set(service, route);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.#address, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.#routes.delete(service);
      throw error;
    }
    return (server.address() as net.AddressInfo).port;
  }

  /** Where the service listens now; a port refused (the service could not start) opens again, at its number. */
  async setUpstream(service: string, upstreamPort: number): Promise<void> {
    const refused = this.#refused.get(service);
    if (refused !== undefined) {
      this.#refused.delete(service);
      await this.listen(service, refused);
    }
    const route = this.#routes.get(service);
    if (!route) return;
    route.upstreamPort = upstreamPort;
    for (const start of route.waiting.splice(0)) start(upstreamPort);
  }

  /**
   * Closes a service's port for good: the service could not start, and a port nothing listens
   * on refuses every connect (ECONNREFUSED), as the service's own address would. Connections
   * already waiting for it are closed.
   */
  async refuse(service: string): Promise<void> {
    const route = this.#routes.get(service);
    if (!route) return;
    this.#routes.delete(service);
    this.#refused.set(service, (route.server.address() as net.AddressInfo).port);
    for (const start of route.waiting.splice(0)) start(0);
    await new Promise<void>((resolve) => route.server.close(() => resolve()));
  }

  /** Replaces the wire faults of an edge (a service); connections opened from now on meet them. */
  setWireFaults(service: string, faults: readonly WireFaultSpec[]): void {
    this.#faults.set(service, faults);
  }

  /** Closes every port and every live connection; resolves once each connection was reported closed. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#live) socket.destroy();
    const connectionsClosed = this.#open === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#allClosed = resolve));
    await Promise.all([
      connectionsClosed,
      ...[...this.#routes.values()].map(
        (route) =>
          new Promise<void>((resolve) => {
            for (const start of route.waiting.splice(0)) start(0);
            route.server.close(() => resolve());
          }),
      ),
    ]);
    this.#routes.clear();
  }

  #accept(service: string, route: Route, client: net.Socket): void {
    if (this.#closed) {
      client.destroy();
      return;
    }
    const id = this.#nextId++;
    this.#open++;
    this.#sink.open({ id, service, clientPort: client.remotePort ?? 0, openedAt: nowUs(), openedAtMs: Date.now() });
    const start = (port: number): void => {
      if (port !== 0) return this.#relay(id, service, client, port);
      client.destroy();
      this.#report(id, 'tap-closed');
    };
    if (route.upstreamPort !== undefined) start(route.upstreamPort);
    else route.waiting.push(start);
  }

  #report(id: number, reason: CloseReason): void {
    this.#sink.close(id, nowUs(), reason);
    if (--this.#open === 0) this.#allClosed?.();
  }

  #relay(id: number, service: string, client: net.Socket, upstreamPort: number): void {
    const sink = this.#sink;
    const upstream = net.connect({ host: this.#address, port: upstreamPort, allowHalfOpen: true, noDelay: true });
    this.#live.add(client);
    this.#live.add(upstream);
    let closeReason: CloseReason | undefined;
    let serviceEnded = false;
    const serviceEnd = (): void => {
      if (serviceEnded) return;
      serviceEnded = true;
      sink.serviceEnd(id, nowUs());
    };

    const resetBoth = (): void => {
      closeReason ??= 'reset';
      reset(client);
      reset(upstream);
    };
    // A leg whose peer reset it under a write: read to its end, then the reset goes on.
    const resetByPeer = new Set<net.Socket>();
    for (const leg of [client, upstream]) {
      holdWriteResets(leg, () => {
        resetByPeer.add(leg);
        if (leg.readableEnded) resetBoth();
      });
    }
    /** `from` read to its end: a FIN goes on as a FIN, unless `from`'s peer had reset it. */
    const passEnd = (from: net.Socket, to: net.Socket): void => {
      if (resetByPeer.has(from)) resetBoth();
      else to.end();
    };

    const n = this.#faults.open(service);
    const links: Array<{ to: net.Socket; link: WireLink }> = [];
    const forward = (dir: Direction, from: net.Socket, to: net.Socket, stages: readonly LinkStage[]): void => {
      if (stages.length === 0) {
        // Backpressure both ways: a slow reader pauses the other end instead of growing buffers.
        from.on('data', (bytes: Buffer) => {
          sink.chunk(id, dir, nowUs(), bytes);
          if (!to.write(bytes)) from.pause();
        });
        to.on('drain', () => from.resume());
        // A FIN is passed on as a FIN: the other direction stays open (RFC 9293 §3.6).
        from.on('end', () => passEnd(from, to));
        return;
      }
      const link = new WireLink(stages, {
        deliver(bytes, marks) {
          if (to.destroyed) return;
          const t = nowUs();
          for (const mark of marks) sink.mark(id, dir, t, mark);
          sink.chunk(id, dir, t, bytes);
          if (!to.write(bytes)) from.pause();
        },
        mark: (mark) => sink.mark(id, dir, nowUs(), mark),
        end: () => passEnd(from, to),
        reset: resetBoth,
        close() {
          client.destroy();
          upstream.destroy();
        },
        drained() {
          if (to.writableLength < linkHighWaterBytes) from.resume();
        },
      });
      links.push({ to, link });
      from.on('data', (bytes: Buffer) => {
        link.push(bytes);
        if (link.queuedBytes > linkHighWaterBytes) from.pause();
      });
      to.on('drain', () => {
        if (link.queuedBytes < linkHighWaterBytes) from.resume();
      });
      from.on('end', () => link.end());
    };
    // Registered before any write can be queued on the socket, so the port is reported
    // before the first byte reaches the service: a service's report naming the port always
    // finds the connection.
    upstream.on('connect', () => {
      if (upstream.localPort !== undefined) sink.upstream(id, upstream.localPort);
    });

    upstream.on('end', serviceEnd);
    forward('c2s', client, upstream, n === undefined ? [] : this.#faults.stagesFor(service, 'upstream', n));
    forward('s2c', upstream, client, n === undefined ? [] : this.#faults.stagesFor(service, 'downstream', n));

    const fail = (other: net.Socket, err: NodeJS.ErrnoException, refused: boolean): void => {
      closeReason ??= refused ? 'refused' : resetCodes.has(err.code ?? '') ? 'reset' : 'error';
      if (other.destroyed) return;
      // A reset (or a refused upstream) is answered with a reset, so the far end sees what a
      // direct connection would have shown it: ECONNRESET, not a clean close.
      if (refused || resetCodes.has(err.code ?? '')) reset(other);
      else other.destroy();
    };
    client.on('error', (err: NodeJS.ErrnoException) => fail(upstream, err, false));
    upstream.on('error', (err: NodeJS.ErrnoException) => fail(client, err, err.code === 'ECONNREFUSED'));

    let open = 2;
    const closed = (socket: net.Socket): void => {
      this.#live.delete(socket);
      // A leg gone: the chain towards it ends every wait, nothing more can reach it.
      for (const { to, link } of links) if (to === socket) link.abort();
      // A leg read on for its last bytes has no one left to pass them to (paused behind a full leg, it might never end).
      const other = socket === client ? upstream : client;
      if (resetByPeer.has(other)) other.destroy();
      if (socket === upstream) serviceEnd();
      if (--open > 0) return;
      this.#report(id, closeReason ?? (this.#closed ? 'tap-closed' : 'end'));
    };
    client.on('close', () => closed(client));
    upstream.on('close', () => closed(upstream));

    client.resume();
  }
}
