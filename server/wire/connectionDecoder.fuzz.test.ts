/**
 * The connection decoder on hostile input: over 100,000 seeded inputs, mostly small —
 *
 *   records    one or a few records with valid headers and random or mutated payloads
 *   sealed     a real TLS 1.3 prefix, then a record sealed with the RFC 8448 handshake
 *              secret around a random or mutated handshake message: the parsers behind
 *              decryption see hostile plaintext
 *   tls13      the whole RFC 8448 §3 connection, mutated (bit flips, truncations, length
 *              fields, inserted records and junk, deletions), sometimes re-cut like TCP
 *   tls12      a TLS 1.2 AES-GCM connection sealed here, mutated the same ways
 *   captures   a mutated connection written as pcapng, the file mutated, read back with
 *              readCapture, every connection in it decoded with the key log it carries
 *
 * Each decode must return (never throw), report only typed DecodeErrors of the known kinds
 * and none born of an unexpected exception, stay within its limits, and take a bounded time;
 * the heap must not grow past 200 MB over the run. Each input comes from its own seeded
 * generator, so a failure names the one round that replays it.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CaptureError } from './capture/captureError.js';
import { INTERNAL_ERROR, readCapture } from './capture/readCapture.js';
import { writePcapng } from './capture/writePcapng.js';
import { handshakeTypes } from './codepoints.js';
import { decodeConnection, defaultLimits, type DecoderLimits, type TapChunk } from './connectionDecoder.js';
import { KeyLog } from './keylog.js';
import { DecodeError, type DecodeErrorKind } from './reader.js';
import {
  fromHex,
  plaintextRecord,
  rechunk,
  rfc8448,
  rfc8448Chunks,
  rfc8448KeyLog,
  sealTls13Record,
  seededRandom,
  tls12Connection,
  toHexString,
} from './testing.js';

type Random = () => number;

const kinds = new Set<DecodeErrorKind>(['missing-data', 'trailing-data', 'illegal-value', 'decrypt-failed', 'too-large']);
/** connectionDecoder.ts `asDecodeError`: what an exception that is not a DecodeError becomes. */
const unexpected = 'unexpected failure while decoding';
/** Far above any input here (the largest is a few hundred kB): only a runaway loop gets near it. */
const slowInputMs = 2_000;
const heapGrowthLimit = 200 * 1024 * 1024;

// ─── the harness ──────────────────────────────────────────────────────────────────────────

/**
 * A full collection before each sample, so the numbers are what the decoder keeps alive
 * rather than garbage not yet collected (V8's flag set at run time, then read from a fresh
 * context, which sees `gc`).
 */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('typeof gc === "function" ? gc : () => {}') as () => void;
const heapUsed = (): number => {
  collect();
  return process.memoryUsage().heapUsed;
};

const stats = { inputs: 0, messages: 0, errors: 0, slowestMs: 0, heapStart: heapUsed(), heapPeak: 0 };

function sampleHeap(): void {
  const used = heapUsed();
  stats.heapPeak = Math.max(stats.heapPeak, used);
  if (used - stats.heapStart > heapGrowthLimit) {
    throw new Error(`heap grew by ${Math.round((used - stats.heapStart) / 2 ** 20)} MB after ${stats.inputs} inputs (limit 200 MB)`);
  }
}

/** Decodes one input and checks every promise the decoder makes; `what` names the round for replay. */
function decodeChecked(chunks: TapChunk[], keylog: KeyLog | undefined, what: string, limits: Partial<DecoderLimits> = {}): void {
  const started = performance.now();
  let out;
  try {
    out = decodeConnection(keylog ? { chunks, keylog } : { chunks }, limits);
  } catch (error) {
    throw new Error(`${what}: decodeConnection threw ${String(error)}`);
  }
  const ms = performance.now() - started;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > slowInputMs) throw new Error(`${what}: took ${Math.round(ms)} ms`);
  for (const error of out.errors) {
    if (!(error instanceof DecodeError) || !kinds.has(error.kind)) throw new Error(`${what}: an error that is not a typed DecodeError: ${String(error)}`);
    if (error.message.includes(unexpected)) throw new Error(`${what}: ${error.message}`);
  }
  const { maxMessages, maxRetainedBytes, maxPlaintextBytes } = { ...defaultLimits, ...limits };
  if (out.messages.length > maxMessages) throw new Error(`${what}: ${out.messages.length} messages, limit ${maxMessages}`);
  let retained = 0;
  for (const m of out.messages) if (m.layer !== 'plaintext') retained += m.bytes?.length ?? 0;
  if (retained > maxRetainedBytes) throw new Error(`${what}: ${retained} bytes retained, limit ${maxRetainedBytes}`);
  for (const m of out.messages) {
    if (m.layer === 'plaintext' && (m.bytes?.length ?? 0) > maxPlaintextBytes) throw new Error(`${what}: plaintext kept past its limit`);
  }
  stats.inputs++;
  stats.messages += out.messages.length;
  stats.errors += out.errors.length;
  if (stats.inputs % 2_000 === 0) sampleHeap();
}

/** Runs `rounds` inputs, each from its own generator seeded by (family, round). */
function fuzz(family: number, rounds: number, one: (random: Random, what: string) => void): void {
  for (let round = 0; round < rounds; round++) {
    one(seededRandom(family * 1_000_003 + round), `family ${family} round ${round}`);
  }
}

// ─── generators ───────────────────────────────────────────────────────────────────────────

const int = (random: Random, n: number): number => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;
const randomBytes = (random: Random, n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(random, 256));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Values that sit on the edges length checks care about (RFC 8446 §5.1 caps a record at 2^14 + 256). */
const edgeLengths = [0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0x4100, 0x4101, 0xfffe, 0xffff];
const handshakeCodes = [...handshakeTypes.keys(), 7, 9, 99, 255];

/** A handshake message with a random (known or unknown) type; its length is right, or not. */
function randomHandshake(random: Random): Uint8Array {
  const body = randomBytes(random, int(random, 3) === 0 ? int(random, 300) : int(random, 40));
  const length = int(random, 4) === 0 ? pick(random, edgeLengths) : body.length;
  return concat(Uint8Array.of(pick(random, handshakeCodes), length >> 16, (length >> 8) & 0xff, length & 0xff), body);
}

/** A record whose header is valid (RFC 8446 §5.1) around a payload that may be anything. */
function randomRecord(random: Random): Uint8Array {
  const type = int(random, 10) === 0 ? int(random, 256) : pick(random, [20, 21, 22, 23, 24]);
  const version = pick(random, [0x0303, 0x0303, 0x0301, 0x0300, 0x0302, 0x0304]);
  let payload: Uint8Array;
  if (type === 22) {
    payload = concat(...Array.from({ length: 1 + int(random, 3) }, () => randomHandshake(random)));
  } else if (type === 21 || type === 20) {
    payload = randomBytes(random, int(random, 5));
  } else {
    payload = randomBytes(random, int(random, 20) === 0 ? 1000 + int(random, 16_000) : int(random, 64));
  }
  if (int(random, 20) === 0) payload = payload.subarray(0, int(random, payload.length + 1));
  return fromHex(plaintextRecord(type, toHexString(payload), version));
}

/** Offsets of each record header in `bytes`, as far as the headers can be followed. */
function recordOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!)) out.push(at);
  return out;
}

/** One mutation of `input` (never modified in place). */
function mutate(input: Uint8Array, random: Random): Uint8Array {
  const bytes = input.slice();
  const at = int(random, bytes.length + 1);
  switch (int(random, 8)) {
    case 0: {
      for (let i = 0, n = 1 + int(random, 8); i < n && bytes.length > 0; i++) bytes[int(random, bytes.length)]! ^= 1 << int(random, 8);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, at);
    case 2: {
      // Lengths are where parsers go wrong: the record's (bytes 3–4) and a handshake message's (6–8).
      const headers = recordOffsets(bytes);
      const base = headers.length ? pick(random, headers) : 0;
      const value = pick(random, edgeLengths) + (int(random, 3) - 1);
      const field = pick(random, [3, 6, 7]);
      if (base + field + 1 < bytes.length) {
        bytes[base + field] = (value >> 8) & 0xff;
        bytes[base + field + 1] = value & 0xff;
      }
      return bytes;
    }
    case 3: {
      // Any byte may be a vector length somewhere inside: give a few an edge value.
      for (let i = 0, n = 1 + int(random, 3); i < n && bytes.length > 0; i++) bytes[int(random, bytes.length)] = pick(random, [0, 1, 0x7f, 0x80, 0xfe, 0xff]);
      return bytes;
    }
    case 4: {
      const headers = [...recordOffsets(bytes), bytes.length];
      const where = pick(random, headers);
      return concat(bytes.subarray(0, where), randomRecord(random), bytes.subarray(where));
    }
    case 5:
      return concat(bytes.subarray(0, at), randomBytes(random, 1 + int(random, 16)), bytes.subarray(at));
    case 6: {
      const end = Math.min(bytes.length, at + 1 + int(random, 64));
      return concat(bytes.subarray(0, at), bytes.subarray(end));
    }
    default: {
      // A slice repeated: a replayed record, a duplicated segment.
      const end = Math.min(bytes.length, at + 1 + int(random, 200));
      return concat(bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end));
    }
  }
}

/** Mutates one or two chunks of a connection, sometimes drops its tail, sometimes re-cuts it like TCP. */
function mutateConnection(base: TapChunk[], random: Random): TapChunk[] {
  let chunks = base.map((chunk) => ({ ...chunk }));
  for (let i = 0, n = 1 + int(random, 2); i < n; i++) {
    const target = chunks[int(random, chunks.length)]!;
    target.bytes = mutate(target.bytes, random);
  }
  if (int(random, 6) === 0) chunks = chunks.slice(0, int(random, chunks.length + 1));
  if (int(random, 8) === 0) {
    const target = chunks[int(random, chunks.length)];
    if (target) target.dir = target.dir === 'c2s' ? 's2c' : 'c2s';
  }
  if (int(random, 4) === 0) chunks = rechunk(chunks, int(random, 2 ** 31), 1 + int(random, 40));
  return chunks;
}

/** Tight limits now and then, so the budget paths are hit too. */
function limitsFor(random: Random): Partial<DecoderLimits> {
  if (int(random, 10) !== 0) return {};
  return { maxMessages: 1 + int(random, 10), maxRetainedBytes: int(random, 600), maxPlaintextBytes: int(random, 64) };
}

// ─── fixtures ─────────────────────────────────────────────────────────────────────────────

const tls13 = { chunks: rfc8448Chunks(), keylog: rfc8448KeyLog() };
const records = Object.values(rfc8448.records).map((hex) => fromHex(hex));
const plaintextMessages = Object.values(rfc8448.messages).map((hex) => fromHex(hex));
const helloPrefix: TapChunk[] = tls13.chunks.slice(0, 2);

const tls12 = tls12Connection();

// ─── the tests ────────────────────────────────────────────────────────────────────────────

describe('decodeConnection on hostile input', () => {
  it('keeps its promises on 45,000 single records and short record runs with valid headers', () => {
    fuzz(1, 45_000, (random, what) => {
      const dir = random() < 0.5 ? 'c2s' : 's2c';
      let bytes: Uint8Array;
      const kind = int(random, 4);
      if (kind === 0) bytes = mutate(pick(random, records), random);
      else if (kind === 1) bytes = concat(...Array.from({ length: 1 + int(random, 3) }, () => randomRecord(random)));
      else if (kind === 2) bytes = mutate(randomRecord(random), random);
      else bytes = randomBytes(random, int(random, 48)); // not TLS at all, or a header cut short
      const chunks: TapChunk[] = [{ dir, t: 1, bytes }];
      const context = int(random, 3) === 0 ? [] : helloPrefix.map((c) => ({ ...c, t: 0 }));
      decodeChecked([...context, ...chunks], random() < 0.5 ? tls13.keylog : undefined, what, limitsFor(random));
    });
  }, 60_000);

  it('keeps its promises on 30,000 hostile handshake messages sealed with the real handshake keys', () => {
    const secret = rfc8448.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET;
    fuzz(2, 30_000, (random, what) => {
      const count = 1 + int(random, 3);
      const sealed: Uint8Array[] = [];
      for (let seq = 0; seq < count; seq++) {
        const message = int(random, 2) === 0 ? mutate(pick(random, plaintextMessages), random) : randomHandshake(random);
        // Inner content type 22 mostly; sometimes an alert or an unknown type behind the encryption.
        const type = int(random, 8) === 0 ? pick(random, [21, 23, 0, 99]) : 22;
        sealed.push(sealTls13Record(secret, seq, type, toHexString(message.subarray(0, 2 ** 14))));
      }
      const chunks: TapChunk[] = [...helloPrefix, { dir: 's2c', t: 3, bytes: concat(...sealed) }];
      decodeChecked(chunks, tls13.keylog, what, limitsFor(random));
    });
  }, 60_000);

  it('keeps its promises on 12,000 mutations of the whole RFC 8448 connection, whole and re-cut', () => {
    fuzz(3, 12_000, (random, what) => {
      decodeChecked(mutateConnection(tls13.chunks, random), random() < 0.9 ? tls13.keylog : undefined, what, limitsFor(random));
    });
  }, 60_000);

  it('keeps its promises on 10,000 mutations of a TLS 1.2 AES-GCM connection', () => {
    const clean = decodeConnection(tls12);
    // The fixture itself must decode cleanly, or the mutations below test nothing.
    expect(clean.errors).toEqual([]);
    expect(clean.messages.filter((m) => m.encrypted).map((m) => m.type)).toEqual(['Finished', 'Finished', 'application_data', 'application_data', 'alert']);
    fuzz(4, 10_000, (random, what) => {
      decodeChecked(mutateConnection(tls12.chunks, random), random() < 0.9 ? tls12.keylog : undefined, what, limitsFor(random));
    });
  }, 60_000);

  it('keeps its promises on 4,000 mutated capture files read back and decoded', () => {
    const t0 = 1_700_000_000_000_000;
    const keylogLines = Object.entries(rfc8448.secrets).map(([label, secret]) => `${label} ${rfc8448.clientRandom} ${secret}`);
    let unreadable = 0;
    fuzz(5, 4_000, (random, what) => {
      const chunks = int(random, 2) === 0 ? mutateConnection(tls13.chunks, random) : tls13.chunks;
      const file = writePcapng(
        [{ id: 1, client: { address: '127.0.0.1', port: 40000 }, server: { address: '127.0.0.2', port: 8443 }, openedAt: t0, closedAt: t0 + 100, chunks: chunks.map((c) => ({ ...c, t: t0 + c.t })) }],
        { keylog: keylogLines, ...(int(random, 2) === 0 ? { mss: 1 + int(random, 200) } : {}) },
      );
      let capture;
      try {
        capture = readCapture(mutate(file, random));
      } catch (error) {
        if (error instanceof CaptureError) {
          unreadable++;
          return;
        }
        throw new Error(`${what}: readCapture threw ${String(error)}`);
      }
      const internal = capture.warnings.filter((w) => w.startsWith(INTERNAL_ERROR));
      if (internal.length > 0) throw new Error(`${what}: ${internal.join('; ')}`);
      const keylog = KeyLog.parse(capture.keylog.join('\n'));
      for (const conn of capture.connections) decodeChecked(conn.chunks, keylog, what);
    });
    expect(unreadable).toBeLessThan(4_000);
  }, 60_000);

  it('fed over 100,000 inputs in all, returned for each in bounded time and kept the heap bounded', () => {
    sampleHeap();
    expect(stats.inputs).toBeGreaterThanOrEqual(100_000);
    // Most inputs decode to something: the mutations stay close enough to TLS to reach the parsers.
    expect(stats.messages).toBeGreaterThan(stats.inputs);
    expect(stats.errors).toBeGreaterThan(0);
    expect(stats.slowestMs).toBeLessThan(slowInputMs);
    expect(stats.heapPeak - stats.heapStart).toBeLessThan(heapGrowthLimit);
  });
});
