import { describe, expect, it } from 'vitest';
import { parseAlerts } from './alert.js';
import { decodeConnection, type DecodedConnection, type TapChunk } from './connectionDecoder.js';
import type { Field } from './field.js';
import { parseHandshake, type HandshakeContext } from './handshake.js';
import { DecodeError } from './reader.js';
import { fromHex, handshakeMessage, plaintextRecord, rechunk, rfc8448, tls12ServerHello, vec } from './testing.js';

const tls13: HandshakeContext = { tls13: true };
const tls12: HandshakeContext = { tls13: false, keyExchange: 'ECDHE' };

function find(fields: Field[] | undefined, name: string): Field | undefined {
  for (const f of fields ?? []) {
    if (f.name === name) return f;
    const inner = find(f.children, name);
    if (inner) return inner;
  }
  return undefined;
}

function parseError(hex: string, ctx: HandshakeContext = tls13): DecodeError {
  try {
    parseHandshake(fromHex(hex), ctx);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

/**
 * Feeds one server message through the whole decoder after the RFC 8448 hellos (TLS 1.3)
 * or a TLS 1.2 ServerHello, whole and in three random cuts, and insists the results agree.
 */
function viaConnection(messageHex: string, version: 'tls13' | 'tls12'): DecodedConnection {
  const serverHello = version === 'tls13' ? rfc8448.records.serverHello : plaintextRecord(22, tls12ServerHello(0xc02f));
  const chunks: TapChunk[] = [
    { dir: 'c2s', t: 1, bytes: fromHex(rfc8448.records.clientHello) },
    { dir: 's2c', t: 2, bytes: fromHex(serverHello + plaintextRecord(22, messageHex)) },
  ];
  const whole = decodeConnection({ chunks });
  for (const seed of [1, 2, 3]) expect(decodeConnection({ chunks: rechunk(chunks, seed) })).toEqual(whole);
  return whole;
}

const clientHelloBody = fromHex(rfc8448.records.clientHello).subarray(5);

describe('ClientHello', () => {
  it('decodes the RFC 8448 ClientHello: SNI, suites, groups, versions and key share', () => {
    const out = parseHandshake(clientHelloBody, tls13);
    expect(out.type).toBe('ClientHello');
    expect(out.summary).toBe('ClientHello: SNI server, offers TLS 1.3, 3 cipher suites, key share x25519');
    expect(find(out.fields, 'cipher_suites')?.children?.map((c) => c.value)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']);
    expect(find(out.fields, 'supported_groups')?.value).toBe('x25519, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192');
    expect(find(out.fields, 'psk_key_exchange_modes')?.value).toBe('psk_dhe_ke');
    expect(find(out.fields, 'record_size_limit')?.value).toBe('16385');
    expect(find(out.fields, 'renegotiation_info')?.value).toBe('initial handshake');
    expect(find(out.fields, 'session_ticket')?.value).toBe('empty');
    expect(Buffer.from(out.facts.random!).toString('hex')).toBe(rfc8448.clientRandom);
  });

  it('gives each field its byte range and RFC section', () => {
    const out = parseHandshake(clientHelloBody, tls13);
    expect(find(out.fields, 'random')).toMatchObject({ start: 6, end: 38, rfc: 'RFC 8446 §4.1.2' });
    const sni = find(out.fields, 'server_name')!;
    expect([...clientHelloBody.subarray(sni.start, sni.start + 4)]).toEqual([0, 0, 0, 11]);
    expect(sni.end - sni.start).toBe(4 + 11);
  });

  it('labels GREASE and unknown extensions and keeps their bytes', () => {
    const extensions = vec(2, `0a0a 0000  1a2b 0002 abcd  002b 0005 04 dada 0304`);
    const out = parseHandshake(fromHex(handshakeMessage(1, `0303 ${'00'.repeat(32)} 00 ${vec(2, '3a3a 1301')} 0100 ${extensions}`)), tls13);
    const names = find(out.fields, 'extensions')?.children?.map((c) => c.name);
    expect(names).toEqual(['GREASE (0x0a0a)', 'unknown (0x1a2b)', 'supported_versions']);
    expect(find(out.fields, 'unknown (0x1a2b)')?.value).toBe('2 bytes: abcd');
    expect(find(out.fields, 'GREASE (0x0a0a)')?.rfc).toBe('RFC 8701 §2');
    expect(find(out.fields, 'cipher_suites')?.children?.[0]?.value).toBe('GREASE (0x3a3a)');
    expect(find(out.fields, 'supported_versions')?.value).toBe('GREASE (0xdada), TLS 1.3');
  });

  it('reports cipher suites cut short as missing data in ClientHello.cipher_suites', () => {
    const error = parseError(handshakeMessage(1, `0303 ${'00'.repeat(32)} 00 0004 130113`));
    expect(error.kind).toBe('missing-data');
    expect(error.context).toBe('ClientHello.cipher_suites');
    expect(error.message).toBe('ClientHello.cipher_suites: 3 bytes left, 4 needed');
  });

  it('reports a server_name list shorter than its extension as trailing data in that extension', () => {
    const sni = `0000 0008 ${vec(2, '00 0001 61')} ffff`;
    const error = parseError(handshakeMessage(1, `0303 ${'00'.repeat(32)} 00 0002 1301 0100 ${vec(2, sni)}`));
    expect(error.kind).toBe('trailing-data');
    expect(error.context).toBe('ClientHello.extensions.server_name');
  });
});

describe('ServerHello', () => {
  const serverHelloBody = fromHex(rfc8448.records.serverHello).subarray(5);

  it('decodes the negotiated version from supported_versions, not legacy_version', () => {
    const out = parseHandshake(serverHelloBody, tls13);
    expect(out.summary).toBe('ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256, key share x25519');
    expect(find(out.fields, 'legacy_version')?.value).toBe('TLS 1.2');
    expect(out.facts.extensions?.selectedVersion).toBe(0x0304);
  });

  it('recognises a HelloRetryRequest by its special random (RFC 8446 §4.1.3)', () => {
    const hrrRandom = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
    const out = parseHandshake(fromHex(handshakeMessage(2, `0303 ${hrrRandom} 00 1301 00 ${vec(2, '002b 0002 0304  0033 0002 0017')}`)), tls13);
    expect(out.type).toBe('HelloRetryRequest');
    expect(out.summary).toBe('HelloRetryRequest: server wants a secp256r1 key share');
  });

  it('reports a byte after the extensions as trailing data in ServerHello', () => {
    const error = parseError(handshakeMessage(2, `0303 ${'11'.repeat(32)} 00 c02f 00 0000 ff`), tls12);
    expect(error).toMatchObject({ kind: 'trailing-data', context: 'ServerHello' });
  });

  it('reports an oversized supported_versions body as trailing data in that extension', () => {
    const error = parseError(handshakeMessage(2, `0303 ${'11'.repeat(32)} 00 1301 00 ${vec(2, '002b 0003 0304 00')}`));
    expect(error).toMatchObject({ kind: 'trailing-data', context: 'ServerHello.extensions.supported_versions' });
  });
});

// The DER of RFC 8448's test certificate subject, "CN=rsa".
const dnRsa = '300e310c300a06035504031303727361';

describe('CertificateRequest', () => {
  it('decodes a TLS 1.3 request: signature algorithms and acceptable CA names', () => {
    const extensions = vec(2, `000d ${vec(2, vec(2, '0804 0403'))}  002f ${vec(2, vec(2, vec(2, dnRsa)))}`);
    const out = viaConnection(handshakeMessage(13, `00 ${extensions}`), 'tls13');
    const request = out.messages.find((m) => m.type === 'CertificateRequest')!;
    expect(request.summary).toBe('CertificateRequest: the server asks for a client certificate issued by CN=rsa');
    expect(find(request.fields, 'signature_algorithms')?.value).toBe('rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256');
    expect(find(request.fields, 'DistinguishedName')?.value).toBe('CN=rsa');
    expect(out.errors).toEqual([]);
  });

  it('decodes a TLS 1.2 request: certificate types, signature algorithms and CA names', () => {
    const out = viaConnection(handshakeMessage(13, `${vec(1, '01 40')} ${vec(2, '0401 0403')} ${vec(2, vec(2, dnRsa))}`), 'tls12');
    const request = out.messages.find((m) => m.type === 'CertificateRequest')!;
    expect(find(request.fields, 'certificate_types')?.value).toBe('rsa_sign, ecdsa_sign');
    expect(find(request.fields, 'supported_signature_algorithms')?.value).toBe('rsa_pkcs1_sha256, ecdsa_secp256r1_sha256');
    expect(find(request.fields, 'certificate_authorities')?.children?.[0]?.value).toBe('CN=rsa');
  });
});

describe('Certificate', () => {
  it('decodes the RFC 8448 certificate: subject, issuer, validity, key and fingerprint', () => {
    const out = parseHandshake(fromHex(rfc8448.messages.certificate), tls13);
    expect(out.summary).toBe('Certificate: CN=rsa');
    const cert = out.facts.certificates?.[0];
    expect(cert).toMatchObject({ subject: 'CN=rsa', issuer: 'CN=rsa', notBefore: '2016-07-30T01:23:59.000Z', notAfter: '2026-07-30T01:23:59.000Z', publicKey: 'RSA 1024-bit' });
    expect(cert?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes the TLS 1.2 form, which has no request context and no per-entry extensions', () => {
    const der = fromHex(rfc8448.messages.certificate).subarray(11, 11 + 0x1b0);
    const out = viaConnection(handshakeMessage(11, vec(3, vec(3, Buffer.from(der).toString('hex')))), 'tls12');
    expect(out.messages.find((m) => m.type === 'Certificate')?.summary).toBe('Certificate: CN=rsa');
  });

  it('keeps a certificate that does not parse as raw bytes with a note, without throwing', () => {
    const out = parseHandshake(fromHex(handshakeMessage(11, `00 ${vec(3, `${vec(3, 'deadbeef')} 0000`)}`)), tls13);
    const cert = out.facts.certificates?.[0];
    expect(cert?.error).toMatch(/^not a parseable X\.509 certificate/);
    expect(find(out.fields, 'raw')?.value).toBe('deadbeef');
    expect(out.summary).toBe('Certificate: unparsed certificate');
  });

  it('says so when the certificate list is empty, as a client without a certificate sends', () => {
    const out = parseHandshake(fromHex(handshakeMessage(11, '00 000000')), tls13);
    expect(out.summary).toBe('Certificate: empty (no certificate sent)');
  });
});

describe('other messages', () => {
  it('decodes a TLS 1.2 ECDHE ServerKeyExchange', () => {
    const out = parseHandshake(fromHex(handshakeMessage(12, `03 001d ${vec(1, 'aa'.repeat(32))} 0804 ${vec(2, 'bb'.repeat(8))}`)), tls12);
    expect(out.summary).toBe('ServerKeyExchange: ECDHE on x25519, signed with rsa_pss_rsae_sha256');
  });

  it('decodes KeyUpdate and refuses a request_update other than 0 or 1', () => {
    expect(parseHandshake(fromHex(handshakeMessage(24, '01')), tls13).facts.keyUpdateRequested).toBe(true);
    expect(parseError(handshakeMessage(24, '02'))).toMatchObject({ kind: 'illegal-value', context: 'KeyUpdate.request_update' });
  });

  it('keeps a message type it does not know as raw bytes', () => {
    const out = parseHandshake(fromHex(handshakeMessage(99, '0102')), tls13);
    expect(out.type).toBe('unknown (0x63)');
    expect(out.summary).toBe('unknown (0x63): 2 bytes');
  });
});

describe('alerts', () => {
  it('names the level and description of a certificate_required alert', () => {
    expect(parseAlerts(fromHex('0274')).alerts).toEqual([{ level: 'fatal', description: 'certificate_required', code: 116 }]);
  });

  it('labels an unknown alert description by its value', () => {
    expect(parseAlerts(fromHex('02c8')).alerts[0]?.description).toBe('unknown (0xc8)');
  });

  it('reports an alert cut to one byte as missing data', () => {
    expect(() => parseAlerts(fromHex('02'))).toThrow(expect.objectContaining({ kind: 'missing-data', context: 'Alert.description' }));
  });
});
