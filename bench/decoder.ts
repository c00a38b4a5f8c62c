/**
 * Decoder throughput: one real mTLS connection recorded through a Tap (the server sends
 * several MB in many application-data records), then decoded with the client's key log —
 * against the floor of Node's own AES-GCM opening the same number of bytes in records of
 * the same size, measured in the same run.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { Tap, type TapConnection } from '../server/runtime/tap.js';
import { decodeConnection, defaultLimits } from '../server/wire/connectionDecoder.js';
import { KeyLog } from '../server/wire/keylog.js';
import { benchHost, benchPki } from './tap.js';
import { median, timed } from './stats.js';

const address = '127.0.0.1';
const recordSize = 4096;
const payloadBytes = 8 * 1024 * 1024;

/** Records one connection through a tap: the server writes payloadBytes in recordSize writes. */
async function recordConnection(): Promise<{ conn: TapConnection; keylog: KeyLog }> {
  const pki = await benchPki();
  const block = randomBytes(recordSize);
  const server = tls.createServer({ ...pki.server, requestCert: true, rejectUnauthorized: true }, (socket) => {
    socket.on('error', () => {});
    let sent = 0;
    const pump = (): void => {
      while (sent < payloadBytes) {
        sent += block.length;
        if (!socket.write(block)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  const tap = new Tap({ address });
  try {
    server.listen(0, address);
    await once(server, 'listening');
    const tapPort = await tap.listen('bulk');
    tap.setUpstream('bulk', (server.address() as net.AddressInfo).port);
    const closed = once(tap, 'close') as Promise<[TapConnection]>;
    const lines: string[] = [];
    const socket = tls.connect({ host: address, port: tapPort, servername: benchHost, secureContext: pki.clientContext });
    socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
    socket.resume();
    await once(socket, 'end');
    socket.end();
    const [conn] = await closed;
    return { conn, keylog: KeyLog.parse(lines.join('')) };
  } finally {
    await tap.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pki.cleanup();
  }
}

/** The floor: AES-256-GCM (the suite Node negotiates first for TLS 1.3) opening `records` records of `size` bytes. */
function aesGcmFloor(records: number, size: number): () => Promise<void> {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(randomBytes(size)), cipher.final()]);
  const tag = cipher.getAuthTag();
  return async () => {
    for (let i = 0; i < records; i++) {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      decipher.update(sealed);
      decipher.final();
    }
  };
}

export async function benchDecoder(runs = 5): Promise<string[]> {
  runs = Math.max(runs, 5);
  const { conn, keylog } = await recordConnection();
  const input = { chunks: conn.chunks, keylog };
  const wireBytes = conn.bytes.c2s + conn.bytes.s2c;
  // Every record opened, as the floor opens them: by default the decoder counts the large
  // application records past each side's first few instead (skipApplicationRecord).
  const everyRecord = { openedApplicationRecords: Infinity };
  // Untimed first decode: warms the JIT and counts the records, so the floor opens as many, as large.
  let decoded = decodeConnection(input, everyRecord);
  const records = decoded.messages.filter((m) => m.layer === 'record').length;
  const meanRecord = Math.round(wireBytes / records);
  const floor = aesGcmFloor(records, meanRecord);
  const decodeMs: number[] = [];
  const floorMs: number[] = [];
  const defaultMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const [result, ms] = await timed(async () => decodeConnection(input, everyRecord));
    decoded = result;
    decodeMs.push(ms);
    floorMs.push((await timed(floor))[1]);
    defaultMs.push((await timed(async () => decodeConnection(input)))[1]);
  }
  const mb = wireBytes / 1e6;
  const decodeRate = mb / (median(decodeMs) / 1e3);
  const floorRate = mb / (median(floorMs) / 1e3);
  const defaultRate = mb / (median(defaultMs) / 1e3);
  const decrypted = decoded.messages.filter((m) => m.encrypted).length;
  return [
    `decoder throughput (one recorded mTLS connection: ${mb.toFixed(1)} MB on the wire, ${conn.chunks.length} tap chunks, ${records} TLS records averaging ${meanRecord} bytes from ${recordSize}-byte writes), median of ${runs}:`,
    `  decodeConnection with keys, every record opened: ${median(decodeMs).toFixed(1)} ms → ${decodeRate.toFixed(0)} MB/s  (${decoded.version ?? '?'} ${decoded.cipherSuite ?? '?'}, ${decoded.messages.length} messages, ${decrypted} decrypted, ${decoded.errors.length} errors)`,
    `  decodeConnection with its default limits (large application records past each side's first ${defaultLimits.openedApplicationRecords} counted, not opened): ${median(defaultMs).toFixed(1)} ms → ${defaultRate.toFixed(0)} MB/s`,
    `  floor: Node AES-256-GCM opening ${records} records of ${meanRecord} bytes: ${median(floorMs).toFixed(1)} ms → ${floorRate.toFixed(0)} MB/s  → decoder = ${(floorRate / decodeRate).toFixed(1)}× the floor's time`,
  ];
}
