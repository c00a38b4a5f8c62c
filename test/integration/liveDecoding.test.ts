/**
 * Live decoding against real TLS stacks: a Node mTLS server behind a Tap, Node clients, the
 * live decoder in the tap's thread — and what it decodes compared with decodeConnection over
 * the recording of the same connection, with the same key log:
 *
 *   tls client ⇄ Tap (thread: relay + LiveDecoder) ⇄ tls server
 *        └─ keylog lines (both ends) ──▶ LiveDecoding.addKeylogLine
 *
 * Certificates are issued at test time into a temporary directory.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issuePki, writeMaterials } from '../../server/pki/index.js';
import { pkiSpec } from '../../server/pki/testing.js';
import { Tap, type TapConnection } from '../../server/runtime/index.js';
import { decodeConnection, type DecodedConnection } from '../../server/wire/connectionDecoder.js';
import { KeyLog } from '../../server/wire/keylog.js';
import { LiveDecoding } from '../../server/wire/liveDecoding.js';
import { waitForValue } from '../helpers/waitFor.js';

const address = '127.0.0.1';
const host = 'auth.corp.test';
let dir = '';
let server: { cert: Buffer; key: Buffer; ca: Buffer };
let client: { cert: Buffer; key: Buffer; ca: Buffer };
let stranger: { cert: Buffer; key: Buffer; ca: Buffer };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-live-'));
  const materials = await writeMaterials(
    await issuePki(
      pkiSpec({
        'corp-root': { ca: true },
        'other-root': { ca: true },
        auth: { issuer: 'corp-root', san: [`dns:${host}`], eku: ['serverAuth'] },
        payments: { issuer: 'corp-root', san: ['uri:spiffe://corp.test/payments'], eku: ['clientAuth'] },
        stranger: { issuer: 'other-root', san: ['uri:spiffe://other.test/stranger'], eku: ['clientAuth'] },
      }),
    ),
    dir,
  );
  const read = async (name: string, trust: string) => {
    const files = materials.paths(name);
    const [cert, key, ca] = await Promise.all([files.chain, files.key, await materials.trustBundle([trust])].map((file) => readFile(file)));
    return { cert: cert!, key: key!, ca: ca! };
  };
  [server, client, stranger] = await Promise.all([read('auth', 'corp-root'), read('payments', 'corp-root'), read('stranger', 'corp-root')]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Bench {
  tap: Tap;
  port: number;
  live: LiveDecoding;
  /** Every key-log line either end logged, as the live decoder got them. */
  keylog: KeyLog;
  onKeylog: (line: Buffer) => void;
}

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

/** An mTLS HTTPS server behind a Tap with a live decoder; both ends' key-log lines feed it. */
async function liveTap(): Promise<Bench> {
  const service = https.createServer({ ...server, requestCert: true, rejectUnauthorized: true }, (_request, response) => response.end('hello from auth\n'));
  service.on('tlsClientError', () => {});
  service.listen(0, address);
  await once(service, 'listening');
  const tap = new Tap({ address });
  const port = await tap.listen('auth');
  tap.setUpstream('auth', (service.address() as net.AddressInfo).port);
  const live = await LiveDecoding.start(tap);
  const keylog = new KeyLog();
  const onKeylog = (line: Buffer): void => {
    const text = line.toString('latin1').trimEnd();
    keylog.addLine(text);
    live.addKeylogLine(text);
  };
  service.on('keylog', onKeylog);
  running.push(async () => {
    live.stop();
    await tap.close();
    service.closeAllConnections();
    await new Promise((resolve) => service.close(resolve));
  });
  return { tap, port, live, keylog, onKeylog };
}

function get(bench: Bench, agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: address, port: bench.port, servername: host, headers: { host }, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (text: string) => (body += text));
      response.once('end', () => resolve(body));
    });
    request.once('error', reject);
  });
}

function agentFor(bench: Bench, identity: typeof client, options: https.AgentOptions = {}): https.Agent {
  const agent = new https.Agent({ ...identity, servername: host, ...options } as https.AgentOptions);
  agent.on('keylog', bench.onKeylog);
  return agent;
}

/**
 * A decoded connection as data. A live result crossed threads: its Buffers arrive as plain
 * Uint8Arrays (a structured clone keeps no subclass), so both sides are compared as clones.
 */
const asData = (decoded: DecodedConnection) => ({
  ...structuredClone({ ...decoded, errors: [] }),
  errors: decoded.errors.map(({ kind, context, message }) => ({ kind, context, message })),
});

const closeOf = (tap: Tap, count: number): Promise<TapConnection[]> =>
  new Promise((resolve) => {
    const closed: TapConnection[] = [];
    const onClose = (conn: TapConnection): void => {
      closed.push(conn);
      if (closed.length < count) return;
      tap.off('close', onClose);
      resolve(closed);
    };
    tap.on('close', onClose);
  });

describe('live decoding in the tap thread', () => {
  it('decodes each connection as decodeConnection decodes its recording, with the same key log', async () => {
    const bench = await liveTap();
    const closed = closeOf(bench.tap, 4);
    for (let i = 0; i < 3; i++) {
      const agent = agentFor(bench, client, { keepAlive: false });
      expect(await get(bench, agent)).toBe('hello from auth\n');
      agent.destroy();
    }
    const keepAlive = agentFor(bench, client, { keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) expect(await get(bench, keepAlive)).toBe('hello from auth\n');
    keepAlive.destroy();
    for (const conn of await closed) {
      const { decoded, source } = await bench.live.decoded(conn);
      expect(source).toBe('live');
      expect(asData(decoded)).toEqual(asData(decodeConnection({ chunks: conn.chunks, keylog: bench.keylog })));
      expect(decoded.errors).toEqual([]);
      expect(decoded.messages.filter((m) => m.layer === 'handshake').map((m) => m.type)).toContain('CertificateVerify');
    }
  });

  it('shows what an open connection has decoded so far, before it closes', async () => {
    const bench = await liveTap();
    const opened = once(bench.tap, 'connection') as Promise<[TapConnection]>;
    const agent = agentFor(bench, client, { keepAlive: true, maxSockets: 1 });
    expect(await get(bench, agent)).toBe('hello from auth\n');
    const [conn] = await opened;
    const messages = await waitForValue('the response to be decoded live', async () => {
      const so = await bench.live.messages(conn);
      return so?.some((m) => m.layer === 'application' && m.dir === 's2c') ? so : undefined;
    });
    expect(conn.closedAt).toBeUndefined();
    expect(messages.filter((m) => m.layer === 'handshake' && m.dir === 'c2s').map((m) => m.type)).toEqual(['ClientHello', 'Certificate', 'CertificateVerify', 'Finished']);
    agent.destroy();
  });

  it('decodes a handshake the server rejects: the client certificate from an unknown CA, decrypted', async () => {
    const bench = await liveTap();
    const closed = closeOf(bench.tap, 1);
    const socket = tls.connect({ host: address, port: bench.port, servername: host, ...stranger, ca: server.ca });
    socket.on('keylog', bench.onKeylog);
    socket.on('error', () => {});
    socket.resume();
    await once(socket, 'close');
    const [conn] = await closed;
    const { decoded, source } = await bench.live.decoded(conn!);
    expect(source).toBe('live');
    expect(asData(decoded)).toEqual(asData(decodeConnection({ chunks: conn!.chunks, keylog: bench.keylog })));
    const certificate = decoded.messages.find((m) => m.type === 'Certificate' && m.dir === 'c2s');
    expect([certificate?.encrypted, certificate?.summary]).toEqual([true, 'Certificate: O=mtls-lab, CN=stranger']);
  });

  it('decodes from the recording a connection that opened before the live decoder started', async () => {
    const bench = await liveTap();
    const earlier = new Tap({ address });
    const port = await earlier.listen('auth');
    earlier.setUpstream('auth', bench.tap.portOf('auth')!);
    const opened = once(earlier, 'connection') as Promise<[TapConnection]>;
    const socket = tls.connect({ host: address, port, servername: host, ...client, ca: server.ca });
    socket.on('error', () => {});
    const connected = once(socket, 'secureConnect');
    const [conn] = await opened;
    const live = await LiveDecoding.start(earlier);
    expect(live.firstConnection).toBeGreaterThan(conn.id);
    await connected;
    const closed = once(earlier, 'close');
    socket.destroy();
    await closed;
    expect((await live.decoded(conn)).source).toBe('recording');
    live.stop();
    await earlier.close();
  });
});
