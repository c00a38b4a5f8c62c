import { describe, expect, it } from 'vitest';
import { decodeConnection, type DecodedConnection, type TapChunk } from './connectionDecoder.js';
import { KeyLog } from './keylog.js';
import { DecodeError } from './reader.js';
import { nextTrafficSecret } from './keySchedule.js';
import { fromHex, handshakeMessage, plaintextRecord, rechunk, rfc8448, rfc8448Chunks, rfc8448KeyLog, sealTls13Record, seededRandom, toHexString } from './testing.js';

/** Decodes whole and in several random cuts; the results must be identical. */
function decodeBoth(chunks: TapChunk[], keylog?: KeyLog): DecodedConnection {
  const input = keylog ? { chunks, keylog } : { chunks };
  const whole = decodeConnection(input);
  for (const seed of [7, 8, 9]) expect(decodeConnection({ ...input, chunks: rechunk(chunks, seed) })).toEqual(whole);
  return whole;
}

const messagesOnly = (out: DecodedConnection) => out.messages.filter((m) => m.layer !== 'record');

describe('decodeConnection on RFC 8448 §3 (simple 1-RTT handshake)', () => {
  it('decrypts the server flight to exactly EncryptedExtensions, Certificate, CertificateVerify, Finished, then the client Finished', () => {
    const out = decodeBoth(rfc8448Chunks(), rfc8448KeyLog());
    const handshake = out.messages.filter((m) => m.layer === 'handshake');
    expect(handshake.map((m) => [m.dir, m.type, m.encrypted])).toEqual([
      ['c2s', 'ClientHello', false],
      ['s2c', 'ServerHello', false],
      ['s2c', 'EncryptedExtensions', true],
      ['s2c', 'Certificate', true],
      ['s2c', 'CertificateVerify', true],
      ['s2c', 'Finished', true],
      ['c2s', 'Finished', true],
      ['s2c', 'NewSessionTicket', true],
    ]);
    const bytes = handshake.map((m) => toHexString(m.bytes!));
    expect(bytes[2]).toBe(rfc8448.messages.encryptedExtensions);
    expect(bytes[3]).toBe(rfc8448.messages.certificate);
    expect(bytes[5]).toBe(rfc8448.messages.serverFinished);
    expect(bytes[6]).toBe(rfc8448.messages.clientFinished);
    expect(out.errors).toEqual([]);
  });

  it('reports the negotiated version and cipher suite', () => {
    const out = decodeConnection({ chunks: rfc8448Chunks(), keylog: rfc8448KeyLog() });
    expect([out.version, out.cipherSuite]).toEqual(['TLS 1.3', 'TLS_AES_128_GCM_SHA256']);
  });

  it('decrypts the application data in both directions and the closing alerts', () => {
    const out = decodeBoth(rfc8448Chunks(), rfc8448KeyLog());
    const tail = messagesOnly(out).slice(-4);
    expect(tail.map((m) => [m.dir, m.layer, m.encrypted])).toEqual([
      ['c2s', 'application', true],
      ['s2c', 'application', true],
      ['s2c', 'alert', true],
      ['c2s', 'alert', true],
    ]);
    expect(toHexString(tail[0]!.bytes!)).toBe(rfc8448.applicationData);
    expect(tail[2]?.alert).toEqual({ level: 'warning', description: 'close_notify', code: 0 });
  });

  it('reports protected records as "encrypted record (no keys)" without a key log', () => {
    const out = decodeBoth(rfc8448Chunks());
    expect(messagesOnly(out).map((m) => m.type)).toEqual(['ClientHello', 'ServerHello']);
    const encrypted = out.messages.filter((m) => m.type === 'encrypted_record');
    expect(encrypted).toHaveLength(7);
    expect(encrypted[0]?.summary).toBe('encrypted record (no keys): 674 bytes');
    expect(out.errors).toEqual([]);
  });

  it('decrypts the handshake but not application data when only handshake secrets are logged', () => {
    const partial = KeyLog.parse(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'].map((l) => `${l} ${rfc8448.clientRandom} ${rfc8448.secrets[l as 'CLIENT_HANDSHAKE_TRAFFIC_SECRET']}`).join('\n'));
    const out = decodeConnection({ chunks: rfc8448Chunks(), keylog: partial });
    expect(out.messages.filter((m) => m.layer === 'handshake').map((m) => m.type)).toEqual(['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'Finished']);
    expect(out.messages.filter((m) => m.type === 'encrypted_record')).toHaveLength(5);
  });

  it('reports a record that fails authentication as decrypt-failed and recovers at the application keys', () => {
    const chunks = rfc8448Chunks();
    const flight = chunks[2]!.bytes;
    flight[100] = (flight[100] ?? 0) ^ 0xff;
    const out = decodeConnection({ chunks, keylog: rfc8448KeyLog() });
    expect(out.errors.map((e) => [e.kind, e.context])).toEqual([['decrypt-failed', 'TLSCiphertext.encrypted_record']]);
    expect(out.messages.find((m) => m.type === 'encrypted_record')?.summary).toMatch(/^encrypted record \(decrypt failed\)/);
    expect(messagesOnly(out).filter((m) => m.dir === 's2c').map((m) => m.type)).toEqual(['ServerHello', 'NewSessionTicket', 'application_data', 'alert']);
  });
});

describe('decodeConnection across a HelloRetryRequest', () => {
  it('labels the HelloRetryRequest and the second ClientHello, then follows the real ServerHello', () => {
    const hrrRandom = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
    const hrr = plaintextRecord(22, handshakeMessage(2, `0303 ${hrrRandom} 00 1301 00 000c 002b 0002 0304 0033 0002 001d`));
    const chunks = [
      { dir: 'c2s' as const, t: 1, bytes: fromHex(rfc8448.records.clientHello) },
      { dir: 's2c' as const, t: 2, bytes: fromHex(hrr) },
      { dir: 'c2s' as const, t: 3, bytes: fromHex(rfc8448.records.clientHello) },
      ...rfc8448Chunks().slice(1).map((c) => ({ ...c, t: c.t + 10 })),
    ];
    const out = decodeBoth(chunks, rfc8448KeyLog());
    expect(messagesOnly(out).slice(0, 5).map((m) => `${m.dir} ${m.type}`)).toEqual([
      'c2s ClientHello',
      's2c HelloRetryRequest',
      'c2s ClientHello',
      's2c ServerHello',
      's2c EncryptedExtensions',
    ]);
    expect(out.version).toBe('TLS 1.3');
  });
});

describe('decodeConnection across a KeyUpdate', () => {
  it('moves the sender to its next traffic secret after a KeyUpdate (RFC 8446 §7.2)', () => {
    const secret0 = rfc8448.secrets.CLIENT_TRAFFIC_SECRET_0;
    const secret1 = toHexString(nextTrafficSecret('sha256', fromHex(secret0)));
    const chunks = rfc8448Chunks().slice(0, 6);
    chunks.push(
      { dir: 'c2s', t: 10, bytes: sealTls13Record(secret0, 1, 22, handshakeMessage(24, '00')) },
      { dir: 'c2s', t: 11, bytes: sealTls13Record(secret1, 0, 23, Buffer.from('after the update').toString('hex')) },
    );
    const out = decodeBoth(chunks, rfc8448KeyLog());
    const client = messagesOnly(out).filter((m) => m.dir === 'c2s').slice(-2);
    expect(client.map((m) => m.summary)).toEqual([
      'KeyUpdate: sender switches to its next traffic key (update_not_requested)',
      'application data, 16 bytes: "after the update"',
    ]);
    expect(out.errors).toEqual([]);
  });
});

describe('decodeConnection on a long-lived connection', () => {
  const secret0 = rfc8448.secrets.CLIENT_TRAFFIC_SECRET_0;
  /** The RFC 8448 handshake and first client record (sequence 0), then `count` more 100-byte client records. */
  const longConnection = (count: number): TapChunk[] => {
    const chunks = rfc8448Chunks().slice(0, 6);
    for (let seq = 1; seq <= count; seq++) chunks.push({ dir: 'c2s', t: 10 + seq, bytes: sealTls13Record(secret0, seq, 23, '78'.repeat(100)) });
    return chunks;
  };

  it('counts large application records past the first 8 in one message instead of decrypting them', () => {
    const out = decodeBoth(longConnection(12), rfc8448KeyLog());
    const client = messagesOnly(out).filter((m) => m.dir === 'c2s' && m.layer === 'application');
    expect(client.filter((m) => m.type === 'application_data')).toHaveLength(8);
    expect(client.filter((m) => m.type === 'unopened_records').map((m) => [m.records, m.summary])).toEqual([
      [5, 'application data, 585 bytes of ciphertext in 5 records, counted, not decrypted (the first 8 of this side were)'],
    ]);
    expect(out.errors).toEqual([]);
  });

  it('still decrypts the close_notify after skipped records, at the sequence number after them', () => {
    const chunks = longConnection(12);
    chunks.push({ dir: 'c2s', t: 30, bytes: sealTls13Record(secret0, 13, 21, '0100') });
    const out = decodeBoth(chunks, rfc8448KeyLog());
    expect(messagesOnly(out).at(-1)?.alert?.description).toBe('close_notify');
    expect(out.errors).toEqual([]);
  });

  it('still decrypts a KeyUpdate after skipped records and follows the sender to its next secret (RFC 8446 §7.2)', () => {
    const secret1 = toHexString(nextTrafficSecret('sha256', fromHex(secret0)));
    const chunks = longConnection(12);
    chunks.push(
      { dir: 'c2s', t: 30, bytes: sealTls13Record(secret0, 13, 22, handshakeMessage(24, '00')) },
      { dir: 'c2s', t: 31, bytes: sealTls13Record(secret1, 0, 23, '78'.repeat(100)) },
    );
    const out = decodeBoth(chunks, rfc8448KeyLog());
    expect(messagesOnly(out).slice(-2).map((m) => m.type)).toEqual(['KeyUpdate', 'application_data']);
    expect(out.errors).toEqual([]);
  });

  it('decrypts every record when the limit allows it', () => {
    const out = decodeConnection({ chunks: longConnection(12), keylog: rfc8448KeyLog() }, { openedApplicationRecords: Infinity });
    expect(out.messages.filter((m) => m.dir === 'c2s' && m.layer === 'application')).toHaveLength(13);
  });
});

describe('decodeConnection on damaged or foreign input', () => {
  it('reports a connection cut inside a record as missing data in TLSPlaintext', () => {
    const chunks = rfc8448Chunks().slice(0, 3);
    chunks[2] = { ...chunks[2]!, bytes: chunks[2]!.bytes.subarray(0, 300) };
    const out = decodeBoth(chunks, rfc8448KeyLog());
    expect(out.errors.map((e) => [e.kind, e.context])).toEqual([['missing-data', 'TLSPlaintext']]);
    expect(out.errors[0]?.message).toBe("TLSPlaintext: the server's stream ended inside a record: 300 bytes of it arrived");
  });

  it('reports a ClientHello whose length overruns its record as missing data in the handshake', () => {
    const hello = fromHex(rfc8448.records.clientHello).subarray(0, 100);
    hello[3] = 0;
    hello[4] = 95;
    const out = decodeBoth([{ dir: 'c2s', t: 1, bytes: hello }]);
    expect(out.errors.map((e) => [e.kind, e.context])).toEqual([['missing-data', 'Handshake']]);
  });

  it('recognises plain HTTP sent to a TLS port and quotes the request line', () => {
    const out = decodeBoth([{ dir: 'c2s', t: 5, bytes: new TextEncoder().encode('GET / HTTP/1.1\r\nHost: auth.corp.test\r\n\r\n') }]);
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0]).toMatchObject({ dir: 'c2s', t: 5, layer: 'plaintext', type: 'plaintext', encrypted: false });
    expect(out.messages[0]?.summary).toBe('plaintext on a TLS port from the client (40 bytes): "GET / HTTP/1.1"');
    expect(out.errors).toEqual([]);
  });

  it('stops decoding a direction at a record header that is not TLS and reports why', () => {
    const bytes = new Uint8Array([...fromHex(rfc8448.records.clientHello), ...fromHex('63 0303 0001 00')]);
    const out = decodeBoth([{ dir: 'c2s', t: 1, bytes }]);
    expect(messagesOnly(out).map((m) => m.type)).toEqual(['ClientHello']);
    expect(out.errors.map((e) => [e.kind, e.context])).toEqual([['illegal-value', 'TLSPlaintext.type']]);
  });

  it('labels a malformed handshake message and keeps decoding the records after it', () => {
    const broken = '16 0303 0008 0b000004 00000001';
    const out = decodeBoth([
      { dir: 'c2s', t: 1, bytes: fromHex(rfc8448.records.clientHello) },
      { dir: 's2c', t: 2, bytes: fromHex(rfc8448.records.serverHello + broken.replace(/ /g, '') + '15030300020232') },
    ]);
    expect(messagesOnly(out).map((m) => m.summary)).toEqual([
      expect.stringMatching(/^ClientHello/),
      expect.stringMatching(/^ServerHello/),
      'malformed Certificate: Certificate.certificate_list: 0 bytes left, 1 needed',
      'fatal alert: decode_error (50) — a message could not be decoded',
    ]);
    expect(out.errors.every((e) => e instanceof DecodeError)).toBe(true);
  });

  it('stops with a too-large error once the message limit is reached', () => {
    const out = decodeConnection({ chunks: rfc8448Chunks(), keylog: rfc8448KeyLog() }, { maxMessages: 5 });
    expect(out.messages).toHaveLength(5);
    expect(out.errors.map((e) => [e.kind, e.context])).toEqual([['too-large', 'Connection.messages']]);
  });

  it('omits message bytes past the retention budget but keeps decoding', () => {
    const out = decodeConnection({ chunks: rfc8448Chunks(), keylog: rfc8448KeyLog() }, { maxRetainedBytes: 1000 });
    expect(out.messages.filter((m) => m.layer === 'handshake')).toHaveLength(8);
    expect(out.messages.some((m) => m.bytes === undefined)).toBe(true);
  });

  it('survives 20,000 seeded mutations and truncations of the RFC 8448 records, reporting only DecodeErrors', () => {
    const random = seededRandom(8448);
    const keylog = rfc8448KeyLog();
    const base = rfc8448Chunks();
    let decodedMessages = 0;
    for (let round = 0; round < 20_000; round++) {
      const chunks = base.map((c) => ({ ...c, bytes: c.bytes.slice() }));
      const target = chunks[Math.floor(random() * chunks.length)]!;
      const bytes = target.bytes;
      const kind = Math.floor(random() * 4);
      if (kind === 0) {
        for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) {
          const at = Math.floor(random() * bytes.length);
          bytes[at] = Math.floor(random() * 256);
        }
      } else if (kind === 1) {
        target.bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      } else if (kind === 2) {
        // Lengths are where parsers go wrong: hit the record and handshake length fields.
        const at = [3, 4, 6, 7, 8][Math.floor(random() * 5)]!;
        bytes[at] = Math.floor(random() * 256);
      } else {
        const at = Math.floor(random() * bytes.length);
        const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256));
        target.bytes = new Uint8Array([...bytes.subarray(0, at), ...junk, ...bytes.subarray(at)]);
      }
      const out = decodeConnection({ chunks, keylog });
      for (const error of out.errors) expect(error).toBeInstanceOf(DecodeError);
      decodedMessages += out.messages.length;
    }
    expect(decodedMessages).toBeGreaterThan(20_000);
  }, 90_000);
});
