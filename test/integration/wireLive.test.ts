/**
 * The wire decoder against real TLS stacks: a Node `tls` server that requires a client
 * certificate, a Node client, and between them a recording relay — the same shape as the
 * lab's tap:
 *
 *   tls client ⇄ relay (records chunks, µs timestamps) ⇄ tls server
 *
 * Key-log lines come from both ends' `keylog` events. Certificates are issued at test time
 * with `openssl` into a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeConnection, type DecodedMessage, type TapChunk } from '../../server/wire/connectionDecoder.js';
import { KeyLog } from '../../server/wire/keylog.js';

interface Materials {
  ca: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
}

let dir = '';
let materials: Materials;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issueMaterials(): Materials {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Wire Lab Root CA', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, subject: string, extensions: string): void => {
    writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  };
  leaf('server', '/CN=auth.corp.test', 'subjectAltName=DNS:auth.corp.test\nextendedKeyUsage=serverAuth\n');
  leaf('client', '/O=Corp/CN=payments-client', 'subjectAltName=URI:spiffe://corp.test/ns/pay/sa/payments\nextendedKeyUsage=clientAuth\n');
  const read = (file: string): Buffer => readFileSync(path.join(dir, file));
  return { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

/** A field of the first (end-entity) certificate in a Certificate message's field tree. */
function leafField(message: DecodedMessage | undefined, name: string): unknown {
  const list = message?.fields.find((f) => f.name === 'certificate_list');
  const leaf = list?.children?.[0]?.children?.find((f) => f.name === 'end_entity');
  return leaf?.children?.find((f) => f.name === name)?.value;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** One mTLS connection through a recording relay; resolves once both relay sockets closed. */
async function recordConnection(version: tls.SecureVersion): Promise<{ chunks: TapChunk[]; keylog: KeyLog; received: string }> {
  const keylog = new KeyLog();
  const chunks: TapChunk[] = [];
  const server = tls.createServer({
    key: materials.serverKey,
    cert: materials.serverCert,
    ca: materials.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: version,
    maxVersion: version,
  }, (socket) => socket.end('hello from auth\n'));
  server.on('keylog', (line: Buffer) => keylog.addText(line));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const serverPort = (server.address() as AddressInfo).port;

  const closed: Promise<unknown>[] = [];
  const relay = net.createServer((downstream) => {
    const upstream = net.connect(serverPort, '127.0.0.1');
    closed.push(once(downstream, 'close'), once(upstream, 'close'));
    downstream.on('data', (data: Buffer) => {
      chunks.push({ dir: 'c2s', t: nowUs(), bytes: new Uint8Array(data) });
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      chunks.push({ dir: 's2c', t: nowUs(), bytes: new Uint8Array(data) });
      downstream.write(data);
    });
    downstream.on('end', () => upstream.end());
    upstream.on('end', () => downstream.end());
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  const relayPort = (relay.address() as AddressInfo).port;

  try {
    const client = tls.connect({
      host: '127.0.0.1',
      port: relayPort,
      servername: 'auth.corp.test',
      ca: materials.ca,
      key: materials.clientKey,
      cert: materials.clientCert,
      minVersion: version,
      maxVersion: version,
    });
    client.on('keylog', (line: Buffer) => keylog.addText(line));
    let received = '';
    client.setEncoding('utf8').on('data', (text: string) => (received += text));
    await once(client, 'secureConnect');
    await once(client, 'end');
    client.end();
    await once(client, 'close');
    await Promise.all(closed);
    return { chunks, keylog, received };
  } finally {
    relay.close();
    server.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtls-lab-wire-'));
  materials = issueMaterials();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the wire decoder on a real mTLS connection', () => {
  it('decrypts a TLS 1.3 mutual-TLS handshake in order and names the client certificate', async () => {
    const { chunks, keylog, received } = await recordConnection('TLSv1.3');
    expect(received).toBe('hello from auth\n');
    const out = decodeConnection({ chunks, keylog });
    expect(out.errors).toEqual([]);
    expect(out.version).toBe('TLS 1.3');
    const handshake = out.messages.filter((m) => m.layer === 'handshake' && m.type !== 'NewSessionTicket');
    expect(handshake.map((m) => `${m.dir} ${m.type}${m.encrypted ? ' (decrypted)' : ''}`)).toEqual([
      'c2s ClientHello',
      's2c ServerHello',
      's2c EncryptedExtensions (decrypted)',
      's2c CertificateRequest (decrypted)',
      's2c Certificate (decrypted)',
      's2c CertificateVerify (decrypted)',
      's2c Finished (decrypted)',
      'c2s Certificate (decrypted)',
      'c2s CertificateVerify (decrypted)',
      'c2s Finished (decrypted)',
    ]);
    expect(leafField(handshake[7], 'subject')).toBe('O=Corp, CN=payments-client');
    expect(leafField(handshake[4], 'subject')).toBe('CN=auth.corp.test');
    // The serial a CRL would name, as `openssl x509 -serial` prints it (hex, without the colons).
    const serial = execFileSync('openssl', ['x509', '-in', path.join(dir, 'client.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '');
    expect(String(leafField(handshake[7], 'serialNumber')).replaceAll(':', '').replace(/^0+/, '')).toBe(serial.toLowerCase().replace(/^0+/, ''));
    expect(handshake[3]?.summary).toContain('CN=Wire Lab Root CA');
    const appData = out.messages.filter((m) => m.layer === 'application');
    expect(appData.some((m) => m.dir === 's2c' && Buffer.from(m.bytes ?? []).toString() === 'hello from auth\n')).toBe(true);
    expect(out.messages.every((m, i) => i === 0 || m.t >= out.messages[i - 1]!.t)).toBe(true);
  });

  it('decrypts a TLS 1.2 ECDHE-ECDSA-AES-GCM mutual-TLS handshake from the CLIENT_RANDOM master secret', async () => {
    const { chunks, keylog } = await recordConnection('TLSv1.2');
    const out = decodeConnection({ chunks, keylog });
    expect(out.errors).toEqual([]);
    expect(out.version).toBe('TLS 1.2');
    expect(out.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_(128|256)_GCM_SHA(256|384)$/);
    const handshake = out.messages.filter((m) => m.layer === 'handshake' && m.type !== 'NewSessionTicket');
    expect(handshake.map((m) => `${m.dir} ${m.type}${m.encrypted ? ' (decrypted)' : ''}`)).toEqual([
      'c2s ClientHello',
      's2c ServerHello',
      's2c Certificate',
      's2c ServerKeyExchange',
      's2c CertificateRequest',
      's2c ServerHelloDone',
      'c2s Certificate',
      'c2s ClientKeyExchange',
      'c2s CertificateVerify',
      'c2s Finished (decrypted)',
      's2c Finished (decrypted)',
    ]);
    expect(leafField(handshake[6], 'subject')).toBe('O=Corp, CN=payments-client');
    const appData = out.messages.filter((m) => m.layer === 'application' && m.dir === 's2c');
    expect(appData.map((m) => Buffer.from(m.bytes ?? []).toString()).join('')).toBe('hello from auth\n');
  });
});
