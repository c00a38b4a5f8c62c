/**
 * Just enough of the TLS key schedules to turn logged secrets into record keys: a passive
 * decoder never sees the (EC)DHE private keys, so it starts from the traffic secrets
 * (TLS 1.3) or the master secret (TLS 1.2) in the key log.
 */
import { createHmac } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';
export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export interface AeadSuite {
  code: number;
  version: 'tls13' | 'tls12';
  aead: AeadName;
  hash: HashName;
  keyLength: number;
  /** TLS 1.3: 12-byte iv. TLS 1.2: 4-byte GCM salt (RFC 5288 §3) or 12-byte ChaCha iv (RFC 7905 §2). */
  ivLength: number;
  /** TLS 1.2 key exchange, for the ServerKeyExchange/ClientKeyExchange shape. */
  keyExchange?: 'ECDHE' | 'DHE' | 'RSA';
}

const suites: AeadSuite[] = [
  // RFC 8446 §B.4
  { code: 0x1301, version: 'tls13', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, ivLength: 12 },
  { code: 0x1302, version: 'tls13', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, ivLength: 12 },
  { code: 0x1303, version: 'tls13', aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32, ivLength: 12 },
  // RFC 5289 §3.2 (ECDHE GCM), RFC 5288 §3 (DHE/RSA GCM), RFC 7905 §2 (ChaCha20-Poly1305)
  { code: 0xc02b, version: 'tls12', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, ivLength: 4, keyExchange: 'ECDHE' },
  { code: 0xc02c, version: 'tls12', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, ivLength: 4, keyExchange: 'ECDHE' },
  { code: 0xc02f, version: 'tls12', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, ivLength: 4, keyExchange: 'ECDHE' },
  { code: 0xc030, version: 'tls12', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, ivLength: 4, keyExchange: 'ECDHE' },
  { code: 0x009e, version: 'tls12', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, ivLength: 4, keyExchange: 'DHE' },
  { code: 0x009f, version: 'tls12', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, ivLength: 4, keyExchange: 'DHE' },
  { code: 0x009c, version: 'tls12', aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, ivLength: 4, keyExchange: 'RSA' },
  { code: 0x009d, version: 'tls12', aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, ivLength: 4, keyExchange: 'RSA' },
  { code: 0xcca8, version: 'tls12', aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32, ivLength: 12, keyExchange: 'ECDHE' },
  { code: 0xcca9, version: 'tls12', aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32, ivLength: 12, keyExchange: 'ECDHE' },
  { code: 0xccaa, version: 'tls12', aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32, ivLength: 12, keyExchange: 'DHE' },
];

const byCode = new Map(suites.map((s) => [s.code, s]));

/** The AEAD parameters of a suite this decoder can decrypt, or undefined (CBC, CCM, unknown). */
export function aeadSuite(code: number): AeadSuite | undefined {
  return byCode.get(code);
}

/** TLS 1.2 key exchange named by the suite, for suites the decoder cannot decrypt as well. */
export function keyExchangeOf(name: string): 'ECDHE' | 'DHE' | 'RSA' | undefined {
  if (name.startsWith('TLS_ECDHE_')) return 'ECDHE';
  if (name.startsWith('TLS_DHE_')) return 'DHE';
  if (name.startsWith('TLS_RSA_')) return 'RSA';
  return undefined;
}

export function hashLength(hash: HashName): number {
  return hash === 'sha256' ? 32 : 48;
}

/** HKDF-Expand (RFC 5869 §2.3). */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    previous = new Uint8Array(createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i)).digest());
    out.set(previous.subarray(0, Math.min(previous.length, length - filled)), filled);
    filled += previous.length;
  }
  return out;
}

/**
 * HKDF-Expand-Label (RFC 8446 §7.1): the info is `struct { uint16 length; opaque
 * label<7..255> = "tls13 " + Label; opaque context<0..255>; } HkdfLabel`.
 */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/** RFC 8446 §7.3: `[sender]_write_key` and `[sender]_write_iv` from a traffic secret. */
export function trafficKeys(suite: AeadSuite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', new Uint8Array(0), suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', new Uint8Array(0), suite.ivLength),
  };
}

/** RFC 8446 §7.2: after a KeyUpdate, `application_traffic_secret_N+1`. */
export function nextTrafficSecret(hash: HashName, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash));
}

/** The TLS 1.2 PRF, `P_hash(secret, label + seed)` (RFC 5246 §5). */
export function tls12Prf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const out = new Uint8Array(length);
  let a: Uint8Array = labelSeed;
  let filled = 0;
  while (filled < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(labelSeed).digest();
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
  }
  return out;
}

export interface Tls12Keys {
  client: TrafficKeys;
  server: TrafficKeys;
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random +
 * client_random), cut into MAC keys (none for AEAD suites), write keys, then write IVs.
 */
export function tls12KeyBlock(suite: AeadSuite, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Tls12Keys {
  const seed = Buffer.concat([serverRandom, clientRandom]);
  const block = tls12Prf(suite.hash, masterSecret, 'key expansion', seed, 2 * suite.keyLength + 2 * suite.ivLength);
  let at = 0;
  const take = (n: number): Uint8Array => block.slice(at, (at += n));
  const clientKey = take(suite.keyLength);
  const serverKey = take(suite.keyLength);
  const clientIv = take(suite.ivLength);
  const serverIv = take(suite.ivLength);
  return { client: { key: clientKey, iv: clientIv }, server: { key: serverKey, iv: serverIv } };
}
