import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aeadSuite, tls12KeyBlock, trafficKeys } from './keySchedule.js';
import { Tls12RecordOpener, Tls13RecordOpener } from './recordProtection.js';
import { RecordDeframer, type TlsRecord } from './deframer.js';
import { fromHex, rfc8448, toHexString } from './testing.js';

function record(hex: string | Uint8Array): TlsRecord {
  const d = new RecordDeframer();
  d.push(typeof hex === 'string' ? fromHex(hex) : hex, 0);
  const r = d.next();
  if (!r) throw new Error('fixture is not a whole record');
  return r;
}

const suite = aeadSuite(0x1301)!;

describe('TLS 1.3 record protection', () => {
  it('opens the RFC 8448 server flight into EncryptedExtensions … Finished with content type handshake', () => {
    const opener = new Tls13RecordOpener(suite, trafficKeys(suite, fromHex(rfc8448.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET)));
    const opened = opener.open(record(rfc8448.records.serverFlight));
    expect(opened.contentType).toBe(22);
    expect(opened.content.length).toBe(657);
    expect(toHexString(opened.content).startsWith(rfc8448.messages.encryptedExtensions + rfc8448.messages.certificate)).toBe(true);
    expect(toHexString(opened.content).endsWith(rfc8448.messages.serverFinished)).toBe(true);
  });

  it('uses the sequence number in the nonce: the second application record opens only as record 1', () => {
    const keys = trafficKeys(suite, fromHex(rfc8448.secrets.SERVER_TRAFFIC_SECRET_0));
    const opener = new Tls13RecordOpener(suite, keys);
    expect(opener.open(record(rfc8448.records.serverTicket)).contentType).toBe(22);
    expect(toHexString(opener.open(record(rfc8448.records.serverApplicationData)).content)).toBe(rfc8448.applicationData);
    const wrongSeq = new Tls13RecordOpener(suite, keys);
    expect(() => wrongSeq.open(record(rfc8448.records.serverApplicationData))).toThrow(expect.objectContaining({ kind: 'decrypt-failed' }));
  });

  it('reports a modified record as decrypt-failed', () => {
    const bytes = fromHex(rfc8448.records.clientFinished);
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const opener = new Tls13RecordOpener(suite, trafficKeys(suite, fromHex(rfc8448.secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET)));
    expect(() => opener.open(record(bytes))).toThrow(expect.objectContaining({ kind: 'decrypt-failed', context: 'TLSCiphertext.encrypted_record' }));
  });
});

describe('TLS 1.2 AES-GCM record protection', () => {
  it('opens a record sealed with the key block from the master secret and an explicit nonce', () => {
    const gcm = aeadSuite(0xc02f)!;
    const master = fromHex('11'.repeat(48));
    const clientRandom = fromHex('22'.repeat(32));
    const serverRandom = fromHex('33'.repeat(32));
    const keys = tls12KeyBlock(gcm, master, clientRandom, serverRandom);
    const plaintext = Buffer.from('GET / HTTP/1.1\r\n\r\n');
    const explicit = fromHex('0000000000000000');
    // RFC 5246 §6.2.3.3: additional_data = seq_num + type + version + length.
    const aad = fromHex(`0000000000000000 17 0303 ${plaintext.length.toString(16).padStart(4, '0')}`);
    const cipher = createCipheriv('aes-128-gcm', keys.client.key, Buffer.concat([keys.client.iv, explicit]));
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const fragment = Buffer.concat([explicit, body]);
    const wire = Buffer.concat([fromHex(`17 0303 ${fragment.length.toString(16).padStart(4, '0')}`), fragment]);
    const opened = new Tls12RecordOpener(gcm, keys.client).open(record(wire));
    expect(Buffer.from(opened.content).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(() => new Tls12RecordOpener(gcm, keys.server).open(record(wire))).toThrow(expect.objectContaining({ kind: 'decrypt-failed' }));
  });
});
