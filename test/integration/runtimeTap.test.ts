/**
 * The tap records exactly the bytes each end sent, in order, per direction.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, Tap, type Sandbox, type TapConnection } from '../../server/runtime/index.js';
import { healthyLab } from './runtimeHelpers.js';

const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.stop()));
});

describe('the tap', () => {
  it("records each direction byte for byte as the ends sent it", async () => {
    const sandbox = await startSandbox(healthyLab({ id: 'tap-bytes' }));
    running.push(sandbox);
    const { services, clients } = sandbox.describe();
    const service = services.auth!;
    const client = clients.payments!;

    // A TCP socket of our own, wrapped in a stream that keeps a copy of every byte TLS
    // writes to it and every byte it reads: what this end sent and received.
    const raw = net.connect({ host: service.address, port: service.port });
    await once(raw, 'connect');
    const localPort = raw.localPort;
    const sent: Buffer[] = [];
    const received: Buffer[] = [];
    const wire = new Duplex({
      write(chunk: Buffer, _encoding, callback) {
        sent.push(Buffer.from(chunk));
        raw.write(chunk, callback);
      },
      final(callback) {
        raw.end();
        callback();
      },
      read() {
        raw.resume();
      },
    });
    raw.on('data', (chunk: Buffer) => {
      received.push(Buffer.from(chunk));
      if (!wire.push(chunk)) raw.pause();
    });
    raw.on('end', () => wire.push(null));

    const closed = new Promise<TapConnection>((resolve) =>
      sandbox.events.on('close', (conn: TapConnection) => {
        if (conn.clientPort === localPort) resolve(conn);
      }),
    );
    const socket = tls.connect({
      socket: wire,
      servername: service.host,
      ca: readFileSync(client.trust!),
      cert: readFileSync(client.cert!),
      key: readFileSync(client.key!),
    });
    await once(socket, 'secureConnect');
    socket.end(`GET / HTTP/1.1\r\nHost: ${service.host}\r\nConnection: close\r\n\r\n`);
    let body = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    await once(socket, 'end');
    expect(body).toContain('hello from auth; you are CN=payments-client');
    socket.destroy();
    raw.destroy();

    const conn = await closed;
    const recorded = (dir: 'c2s' | 's2c'): Buffer => Buffer.concat(conn.chunks.filter((chunk) => chunk.dir === dir).map((chunk) => chunk.bytes));
    expect(recorded('c2s').equals(Buffer.concat(sent))).toBe(true);
    expect(recorded('s2c').equals(Buffer.concat(received))).toBe(true);
    expect(conn.bytes).toEqual({ c2s: Buffer.concat(sent).length, s2c: Buffer.concat(received).length });
    // A TLS handshake record opens each direction (RFC 8446 §5.1, ContentType 22).
    expect(recorded('c2s')[0]).toBe(0x16);
    expect(recorded('s2c')[0]).toBe(0x16);
    const times = conn.chunks.map((chunk) => chunk.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(conn.upstreamPort).toBeGreaterThan(0);
    expect(conn.closedAt).toBeGreaterThanOrEqual(conn.openedAt);
  });
});

describe('the tap as a relay', () => {
  /** A tap in front of a plain TCP server whose behaviour each test sets. */
  async function tapInFrontOf(onConnection: (socket: net.Socket) => void, options: { maxRecordedBytes?: number } = {}) {
    const upstream = net.createServer({ allowHalfOpen: true }, onConnection);
    await new Promise<void>((resolve) => upstream.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const tap = new Tap({ address: '127.0.0.1', ...options });
    const port = await tap.listen('echo');
    tap.setUpstream('echo', (upstream.address() as net.AddressInfo).port);
    return {
      tap,
      port,
      async close() {
        await tap.close();
        await new Promise((resolve) => upstream.close(resolve));
      },
    };
  }

  it('passes a half-close on and keeps the other direction open', async () => {
    const relay = await tapInFrontOf((socket) => {
      const got: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => got.push(chunk));
      // After the client's FIN, the server still answers, then closes its side.
      socket.on('end', () => socket.end(Buffer.concat([Buffer.from('got: '), ...got])));
    });
    try {
      const closing = new Promise<TapConnection>((resolve) => relay.tap.once('close', resolve));
      const client = net.connect({ host: '127.0.0.1', port: relay.port, allowHalfOpen: true });
      client.end('ping');
      let reply = '';
      client.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
      await once(client, 'end');
      expect(reply).toBe('got: ping');
      client.end();
      const closed = await closing;
      expect(closed.closeReason).toBe('end');
      expect(closed.bytes).toEqual({ c2s: 4, s2c: 9 });
    } finally {
      await relay.close();
    }
  });

  it('answers a reset from the service with a reset to the client', async () => {
    const relay = await tapInFrontOf((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const closing = new Promise<TapConnection>((resolve) => relay.tap.once('close', resolve));
      const client = net.connect({ host: '127.0.0.1', port: relay.port });
      client.write('hello');
      const [err] = (await once(client, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
      expect(err.code).toBe('ECONNRESET');
      const closed = await closing;
      expect(closed.closeReason).toBe('reset');
    } finally {
      await relay.close();
    }
  });

  it('shows an open connection every byte it has relayed so far, and keeps the recording after it closes', async () => {
    // 256 KiB cap: 16 KiB segments, so the 5 KiB messages cross from segment to segment.
    const relay = await tapInFrontOf((socket) => socket.on('data', (chunk: Buffer) => socket.write(chunk)).on('end', () => socket.end()), {
      maxRecordedBytes: 256 * 1024,
    });
    const opened = once(relay.tap, 'connection') as Promise<[TapConnection]>;
    const client = net.connect({ host: '127.0.0.1', port: relay.port });
    try {
      const [conn] = await opened;
      const concat = (dir: 'c2s' | 's2c'): Buffer => Buffer.concat(conn.chunks.filter((chunk) => chunk.dir === dir).map((chunk) => chunk.bytes));
      const sent: Buffer[] = [];
      let echoed = 0;
      for (let i = 0; i < 20; i++) {
        const message = Buffer.alloc(5 * 1024, i);
        sent.push(message);
        client.write(message);
        // The echo came back through the relay, which records a chunk before it forwards it.
        while (echoed < sent.length * message.length) echoed += ((await once(client, 'data')) as [Buffer])[0].length;
        const all = Buffer.concat(sent);
        expect(concat('c2s').equals(all)).toBe(true);
        expect(concat('s2c').equals(all)).toBe(true);
      }
      const closed = once(relay.tap, 'close');
      client.end();
      await closed;
      await relay.tap.close();
      expect(conn.bytes).toEqual({ c2s: 20 * 5 * 1024, s2c: 20 * 5 * 1024 });
      expect(concat('s2c').equals(Buffer.concat(sent))).toBe(true);
    } finally {
      client.destroy();
      await relay.close();
    }
  });

  it('keeps its recording under the cap by dropping the oldest connections first, and says so', async () => {
    const relay = await tapInFrontOf((socket) => socket.on('data', (chunk: Buffer) => socket.write(chunk)).on('end', () => socket.end()), {
      maxRecordedBytes: 64 * 1024,
    });
    try {
      const truncations: unknown[] = [];
      relay.tap.on('truncated', (info) => truncations.push(info));
      for (let i = 0; i < 4; i++) {
        // The tap's own 'close': its recording of the connection is complete by then.
        const recorded = once(relay.tap, 'close');
        const client = net.connect({ host: '127.0.0.1', port: relay.port });
        client.end(Buffer.alloc(20 * 1024, i));
        client.resume();
        await recorded;
      }
      expect(truncations.length).toBeGreaterThan(0);
      expect(relay.tap.recordedBytes).toBeLessThanOrEqual(64 * 1024);
      expect(relay.tap.connections[0]!.chunks).toEqual([]);
      expect(relay.tap.connections[0]!.droppedBytes).toBeGreaterThan(0);
      expect(relay.tap.connections.at(-1)!.chunks.length).toBeGreaterThan(0);
    } finally {
      await relay.close();
    }
  });
});
