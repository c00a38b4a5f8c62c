/**
 * The capture file against the real reader of captures: a Node `tls` server that requires a
 * client certificate, and a Node `tls` client, talk through an in-test relay that records
 * what the tap records (chunks per direction with µs timestamps, both ends' key logs):
 *
 *   tls client ⇄ relay (records chunks) ⇄ tls server (requestCert)
 *
 * The recording is written with writePcapng, and `tshark` must follow our synthetic TCP,
 * decrypt TLS 1.3 with the embedded key log (or with keys.log beside a file without it),
 * and find nothing malformed: no bad checksum, no TCP analysis flag.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keylogText, writePcapng } from '../../server/wire/capture/writePcapng.js';
import { readCapture } from '../../server/wire/capture/readCapture.js';
import type { RecordedConnection } from '../../server/wire/capture/recording.js';
import { runCommand as run, tshark } from '../helpers/command.js';


/** µs since the epoch on the monotonic clock, as the tap stamps chunks. */
const epochOffsetUs = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n;
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n + epochOffsetUs);

interface Pem {
  key: string;
  cert: string;
}

async function selfSigned(dir: string, name: string, dns: string): Promise<Pem> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const result = await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${dns}`,
  ]);
  if (result.code !== 0) throw new Error(`openssl req for ${name} failed: ${result.stderr}`);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

/** A relay that records every connection it forwards, the way the tap does. */
async function recordingRelay(upstreamPort: number): Promise<{ server: net.Server; port: number; closed: (count: number) => Promise<RecordedConnection[]> }> {
  const done: RecordedConnection[] = [];
  const waiters: Array<() => void> = [];
  let nextId = 1;
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const conn: RecordedConnection = {
      id: nextId++,
      client: { address: client.remoteAddress ?? '', port: client.remotePort ?? 0 },
      server: { address: client.localAddress ?? '', port: client.localPort ?? 0 },
      openedAt: nowUs(),
      chunks: [],
    };
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true, noDelay: true });
    client.on('data', (bytes: Buffer) => {
      conn.chunks.push({ dir: 'c2s', t: nowUs(), bytes });
      upstream.write(bytes);
    });
    upstream.on('data', (bytes: Buffer) => {
      conn.chunks.push({ dir: 's2c', t: nowUs(), bytes });
      client.write(bytes);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    let open = 2;
    const closed = (): void => {
      if (--open > 0) return;
      conn.closedAt = nowUs();
      conn.closedBy = 'fin';
      done.push(conn);
      for (const wake of waiters.splice(0)) wake();
    };
    client.on('close', closed);
    upstream.on('close', closed);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const closed = async (count: number): Promise<RecordedConnection[]> => {
    while (done.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return done;
  };
  return { server, port: (server.address() as net.AddressInfo).port, closed };
}

/** One mTLS exchange: the client sends `request`, the server echoes it, the client ends. */
async function exchange(port: number, serverPem: Pem, clientPem: Pem, request: Buffer, keylog: Set<string>): Promise<Buffer> {
  const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: serverPem.cert, key: clientPem.key, cert: clientPem.cert, minVersion: 'TLSv1.3' });
  socket.on('keylog', (line: Buffer) => keylog.add(line.toString('utf8').trim()));
  await once(socket, 'secureConnect');
  socket.write(request);
  const received: Buffer[] = [];
  let length = 0;
  const echoed = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      length += chunk.length;
      if (length >= request.length) resolve();
    });
    socket.on('error', reject);
  });
  await echoed;
  socket.end();
  await once(socket, 'close');
  return Buffer.concat(received);
}

interface HandshakeRow {
  stream: number;
  srcPort: number;
  types: number[];
}

function handshakeRows(fields: string): HandshakeRow[] {
  return fields
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [stream, srcPort, types] = line.split('\t');
      return { stream: Number(stream), srcPort: Number(srcPort), types: (types ?? '').split(',').filter(Boolean).map(Number) };
    });
}

describe('capture files read by tshark', () => {
  let dir: string;
  let recorded: RecordedConnection[];
  let keylog: string[];
  let relayPort: number;
  let withSecrets: string;
  let withoutSecrets: string;
  let keysFile: string;
  const request = Buffer.alloc(150_000, 'mtls-lab ');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-capture-'));
    const [serverPem, clientPem] = await Promise.all([selfSigned(dir, 'server', 'localhost'), selfSigned(dir, 'client', 'client.lab.test')]);
    const lines = new Set<string>();
    const server = tls.createServer({ key: serverPem.key, cert: serverPem.cert, ca: clientPem.cert, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (socket) => {
      socket.on('data', (chunk: Buffer) => socket.write(chunk));
      socket.on('end', () => socket.end());
      socket.on('error', () => socket.destroy());
    });
    server.on('keylog', (line: Buffer) => lines.add(line.toString('utf8').trim()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const relay = await recordingRelay((server.address() as net.AddressInfo).port);
    relayPort = relay.port;
    try {
      for (let i = 0; i < 2; i++) {
        const echoed = await exchange(relay.port, serverPem, clientPem, request, lines);
        expect(echoed.equals(request)).toBe(true);
      }
      recorded = await relay.closed(2);
    } finally {
      relay.server.close();
      server.close();
    }
    keylog = [...lines];
    withSecrets = path.join(dir, 'with-secrets.pcapng');
    withoutSecrets = path.join(dir, 'without-secrets.pcapng');
    keysFile = path.join(dir, 'keys.log');
    await writeFile(withSecrets, writePcapng(recorded, { keylog }));
    await writeFile(withoutSecrets, writePcapng(recorded));
    await writeFile(keysFile, keylogText(keylog));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * tls.handshake rows. No `-d tcp.port==…,tls`: Wireshark's TLS heuristic must recognise the
   * stream on its own, as it will when a learner opens the file.
   */
  const handshakes = async (file: string, extra: string[] = []): Promise<HandshakeRow[]> =>
    handshakeRows(await tshark(['-r', file, ...extra, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tls.handshake.type']));

  /** Per stream: the handshake types the server sent, and those the client sent. */
  const bySide = (rows: HandshakeRow[]): Array<{ server: number[]; client: number[] }> =>
    [0, 1].map((stream) => ({
      server: rows.filter((r) => r.stream === stream && r.srcPort === relayPort).flatMap((r) => r.types),
      client: rows.filter((r) => r.stream === stream && r.srcPort !== relayPort).flatMap((r) => r.types),
    }));

  // TLS 1.3 with a client certificate (RFC 8446 §2): the server sends ServerHello (2),
  // EncryptedExtensions (8), CertificateRequest (13), Certificate (11), CertificateVerify (15),
  // Finished (20), then NewSessionTicket (4); the client ClientHello (1), Certificate (11),
  // CertificateVerify (15), Finished (20).
  const serverFlight = [2, 8, 13, 11, 15, 20];
  const clientFlight = [1, 11, 15, 20];

  it('lets tshark decrypt every handshake message with the key log embedded in the file', async () => {
    for (const side of bySide(await handshakes(withSecrets))) {
      expect(side.server.filter((t) => t !== 4)).toEqual(serverFlight);
      expect(side.client).toEqual(clientFlight);
    }
  });

  it('lets tshark decrypt with keys.log beside a file without secrets', async () => {
    for (const side of bySide(await handshakes(withoutSecrets, ['-o', `tls.keylog_file:${keysFile}`]))) {
      expect(side.server.filter((t) => t !== 4)).toEqual(serverFlight);
      expect(side.client).toEqual(clientFlight);
    }
  });

  it('shows tshark only the cleartext hellos when it has no keys', async () => {
    for (const side of bySide(await handshakes(withoutSecrets))) {
      expect(side.server).toEqual([2]);
      expect(side.client).toEqual([1]);
    }
  });

  it('lets tshark follow the decrypted stream: the 150 kB the client sent, each way', async () => {
    // `follow,tls,raw` prints client→server bytes as hex lines, server→client lines indented by a tab.
    const follow = await tshark(['-r', withSecrets, '-q', '-z', 'follow,tls,raw,0']);
    const lines = follow.split('\n').filter((line) => /^\t?[0-9a-f]+$/.test(line));
    const sent = Buffer.from(lines.filter((line) => !line.startsWith('\t')).join(''), 'hex');
    const echoed = Buffer.from(lines.filter((line) => line.startsWith('\t')).map((line) => line.trim()).join(''), 'hex');
    expect(sent.equals(request)).toBe(true);
    expect(echoed.equals(request)).toBe(true);
  });

  it('has tshark find no bad IPv4 header or TCP checksum', async () => {
    const args = ['-r', withSecrets, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
    expect(await tshark([...args, '-Y', 'tcp.checksum.status != 1 || ip.checksum.status != 1'])).toBe('');
    const verified = await tshark([...args, '-Y', 'tcp.checksum.status == 1 && ip.checksum.status == 1', '-T', 'fields', '-e', 'frame.number']);
    expect(verified.split('\n').filter(Boolean).length).toBeGreaterThan(20);
  });

  it('has tshark find nothing malformed and no TCP anomaly (retransmission, lost segment, dup ACK, …)', async () => {
    expect(await tshark(['-r', withSecrets, '-Y', '_ws.malformed || _ws.expert.severity >= "Warning" || tcp.analysis.flags'])).toBe('');
  });

  it('has tshark find no bad TCP checksum when the same recording is written over IPv6', async () => {
    const v6 = recorded.map((c) => ({ ...c, client: { ...c.client, address: '::1' }, server: { ...c.server, address: '::1' } }));
    const file = path.join(dir, 'ipv6.pcapng');
    await writeFile(file, writePcapng(v6, { keylog }));
    const args = ['-r', file, '-o', 'tcp.check_checksum:TRUE'];
    expect(await tshark([...args, '-Y', 'tcp.checksum.status != 1 || !ipv6 || _ws.malformed || tcp.analysis.flags'])).toBe('');
    expect(bySide(await handshakes(file)).map((s) => s.client)).toEqual([clientFlight, clientFlight]);
  });

  it('reads back the recording from the file it wrote, byte for byte', async () => {
    const back = readCapture(await readFile(withSecrets));
    expect(back.warnings).toEqual([]);
    expect(back.keylog).toEqual(keylog);
    for (const [i, conn] of recorded.entries()) {
      const got = back.connections[i]!;
      expect([got.id, got.client, got.server, got.openedAt, got.closedAt]).toEqual([conn.id, conn.client, conn.server, conn.openedAt, conn.closedAt]);
      for (const dir of ['c2s', 's2c'] as const) {
        const sent = Buffer.concat(conn.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
        const read = Buffer.concat(got.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
        expect(read.equals(sent)).toBe(true);
      }
    }
  });
});
