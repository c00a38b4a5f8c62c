/**
 * Walks a capture file and hands each packet, key log and problem to a sink, without
 * looking inside the packets. Two containers:
 *
 *   classic pcap (draft-ietf-opsawg-pcap §4–5): 24-byte header, 16-byte record headers;
 *     magic 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns), in the writer's byte order; 0xa1b2cd34 is
 *     the "modified" libpcap format whose records carry 8 more bytes.
 *   pcapng (draft-ietf-opsawg-pcapng): blocks, sections (SHB) each with their own byte
 *     order and interfaces (IDB: link type, if_tsresol, if_tsoffset); packets in EPB, SPB
 *     and the obsolete PB; TLS key logs in DSB.
 *
 * Only bytes that cannot be a capture throw (CaptureError). Every other defect is reported
 * to `sink.warn` and reading goes on where it safely can, or stops where it cannot resync
 * (a block length that is not trustworthy). Each step advances by at least 12 bytes, so a
 * hostile file cannot loop.
 */
import { CaptureError } from './captureError.js';
import { BlockType, BYTE_ORDER_MAGIC, Option, SecretsType } from './pcapngBlocks.js';

export interface CapturedFrame {
  linkType: number;
  /** µs since the Unix epoch. */
  t: number;
  data: Uint8Array;
  /** opt_comment of a pcapng packet, if any. */
  comment?: string;
}

export interface FrameSink {
  frame(frame: CapturedFrame): void;
  /** The text of a TLS key log (pcapng DSB of type TLSK). */
  keylog(text: string): void;
  warn(message: string): void;
}

export type CaptureFormat = 'pcap' | 'pcapng';

const textDecoder = new TextDecoder('utf-8', { fatal: false });

const u32le = (b: Uint8Array, at: number): number =>
  ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
const u32be = (b: Uint8Array, at: number): number =>
  (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
const u16le = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u16be = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);

interface Endian {
  u16(b: Uint8Array, at: number): number;
  u32(b: Uint8Array, at: number): number;
}
const LE: Endian = { u16: u16le, u32: u32le };
const BE: Endian = { u16: u16be, u32: u32be };

const hex8 = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;

/** Which container `bytes` is; throws CaptureError when it is neither. */
export function captureFormat(bytes: Uint8Array): CaptureFormat {
  if (bytes.length < 4) {
    throw new CaptureError('not-a-capture', `${bytes.length} bytes are too few for a capture file (the magic number alone is 4)`);
  }
  const magic = u32le(bytes, 0);
  if (magic === BlockType.SHB) return 'pcapng';
  for (const m of [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34]) {
    if (magic === m || u32be(bytes, 0) === m) return 'pcap';
  }
  throw new CaptureError(
    'not-a-capture',
    `magic number ${hex8(u32be(bytes, 0))} is neither pcap (0xa1b2c3d4, 0xa1b23c4d) nor pcapng (0x0a0d0d0a); is this a capture file?`,
  );
}

// ─── classic pcap ────────────────────────────────────────────────────────────────────────

export function readClassicPcap(bytes: Uint8Array, sink: FrameSink): void {
  const le = u32le(bytes, 0);
  const e = le === 0xa1b2c3d4 || le === 0xa1b23c4d || le === 0xa1b2cd34 ? LE : BE;
  const magic = e.u32(bytes, 0);
  const nanoseconds = magic === 0xa1b23c4d;
  const recordHeader = magic === 0xa1b2cd34 ? 24 : 16;
  if (bytes.length < 24) {
    sink.warn(`the pcap file header is cut short: ${bytes.length} of 24 bytes`);
    return;
  }
  const major = e.u16(bytes, 4);
  if (major !== 2) sink.warn(`pcap version ${major}.${e.u16(bytes, 6)} is not 2.4; reading it as 2.4`);
  // LinkType is the low 16 bits; the high bits carry FCS information (draft-ietf-opsawg-pcap §4).
  const linkType = e.u32(bytes, 20) & 0xffff;
  let off = 24;
  while (off < bytes.length) {
    if (bytes.length - off < recordHeader) {
      sink.warn(`the last packet record header is cut short: ${bytes.length - off} of ${recordHeader} bytes`);
      return;
    }
    const seconds = e.u32(bytes, off);
    const fraction = e.u32(bytes, off + 4);
    const captured = e.u32(bytes, off + 8);
    const start = off + recordHeader;
    const t = seconds * 1e6 + (nanoseconds ? Math.floor(fraction / 1000) : fraction);
    if (captured > bytes.length - start) {
      sink.warn(`the last packet is cut short: ${bytes.length - start} of ${captured} bytes`);
      sink.frame({ linkType, t, data: bytes.subarray(start) });
      return;
    }
    sink.frame({ linkType, t, data: bytes.subarray(start, start + captured) });
    off = start + captured;
  }
}

// ─── pcapng ──────────────────────────────────────────────────────────────────────────────

interface Interface {
  linkType: number;
  snapLength: number;
  /** µs = (ticks × 10^6 / divisor) + offsetUs; µs resolution is the fast path. */
  micros: (high: number, low: number) => number;
}

interface Section {
  e: Endian;
  interfaces: Interface[];
  /** Timestamp of the previous packet, for SPBs, which carry none (§4.4). */
  lastT: number;
}

/** Calls `each(code, value)` per option in `body[start, end)` until opt_endofopt. */
function readOptions(
  body: Uint8Array,
  start: number,
  e: Endian,
  warn: (message: string) => void,
  each: (code: number, value: Uint8Array) => void,
): void {
  let pos = start;
  while (pos + 4 <= body.length) {
    const code = e.u16(body, pos);
    const length = e.u16(body, pos + 2);
    if (code === Option.endOfOpt) return;
    if (pos + 4 + length > body.length) {
      warn(`an option (code ${code}) claims ${length} bytes but its block has ${body.length - pos - 4} left; its remaining options were ignored`);
      return;
    }
    each(code, body.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length + ((4 - (length % 4)) % 4);
  }
}

function timestampConverter(tsresol: number, offsetSeconds: bigint): Interface['micros'] {
  if (tsresol === 6 && offsetSeconds === 0n) return (high, low) => high * 0x100000000 + low;
  // §4.2 if_tsresol: MSB clear → 10^-n s per tick; MSB set → 2^-n s per tick.
  const exponent = BigInt(tsresol & 0x7f);
  const divisor = tsresol & 0x80 ? 1n << exponent : 10n ** exponent;
  const offsetUs = offsetSeconds * 1_000_000n;
  return (high, low) => Number((((BigInt(high) << 32n) | BigInt(low)) * 1_000_000n) / divisor + offsetUs);
}

function readInterface(body: Uint8Array, section: Section, warn: (message: string) => void): Interface {
  const { e } = section;
  if (body.length < 8) {
    warn(`an interface description block has ${body.length} of 8 bytes; its packets are skipped`);
    return { linkType: -1, snapLength: 0, micros: () => 0 };
  }
  let tsresol = 6;
  let offsetSeconds = 0n;
  readOptions(body, 8, e, warn, (code, value) => {
    if (code === Option.ifTsresol && value.length >= 1) tsresol = value[0] ?? 6;
    if (code === Option.ifTsoffset && value.length >= 8) {
      const high = BigInt(e.u32(value, e === LE ? 4 : 0));
      const low = BigInt(e.u32(value, e === LE ? 0 : 4));
      offsetSeconds = BigInt.asIntN(64, (high << 32n) | low);
    }
  });
  return { linkType: e.u16(body, 0), snapLength: e.u32(body, 4), micros: timestampConverter(tsresol, offsetSeconds) };
}

function packetComment(body: Uint8Array, start: number, e: Endian, warn: (message: string) => void): string | undefined {
  let comment: string | undefined;
  readOptions(body, start, e, warn, (code, value) => {
    if (code === Option.comment && comment === undefined) comment = textDecoder.decode(value);
  });
  return comment;
}

/** EPB (§4.3) and the obsolete PB: interface, timestamp, lengths, data, options. */
function readPacket(body: Uint8Array, section: Section, sink: FrameSink, obsolete: boolean): void {
  const { e } = section;
  const fixed = 20;
  const name = obsolete ? 'a packet block' : 'an enhanced packet block';
  if (body.length < fixed) {
    sink.warn(`${name} has ${body.length} of ${fixed} bytes of fixed fields; skipped`);
    return;
  }
  const interfaceId = obsolete ? e.u16(body, 0) : e.u32(body, 0);
  const iface = section.interfaces[interfaceId];
  if (!iface) {
    sink.warn(`a packet names interface ${interfaceId}, which its section never described; skipped`);
    return;
  }
  let captured = e.u32(body, 12);
  if (captured > body.length - fixed) {
    sink.warn(`a packet claims ${captured} captured bytes but its block holds ${body.length - fixed}; read what is there`);
    captured = body.length - fixed;
  }
  const t = iface.micros(e.u32(body, 4), e.u32(body, 8));
  section.lastT = t;
  const data = body.subarray(fixed, fixed + captured);
  const optionsAt = fixed + captured + ((4 - (captured % 4)) % 4);
  const comment = packetComment(body, optionsAt, e, sink.warn);
  if (iface.linkType < 0) return;
  sink.frame(comment === undefined ? { linkType: iface.linkType, t, data } : { linkType: iface.linkType, t, data, comment });
}

/** SPB (§4.4): interface 0, no timestamp, captured length min(original, snap length, block). */
function readSimplePacket(body: Uint8Array, section: Section, sink: FrameSink): void {
  const iface = section.interfaces[0];
  if (body.length < 4 || !iface) {
    sink.warn(body.length < 4 ? 'a simple packet block is shorter than 4 bytes; skipped' : 'a simple packet block precedes any interface; skipped');
    return;
  }
  sink.warn('simple packet blocks carry no timestamp; each was given the previous packet\'s time');
  let captured = Math.min(section.e.u32(body, 0), body.length - 4);
  if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
  if (iface.linkType < 0) return;
  sink.frame({ linkType: iface.linkType, t: section.lastT, data: body.subarray(4, 4 + captured) });
}

/** DSB (§4.7): secrets type, length, data. */
function readSecrets(body: Uint8Array, section: Section, sink: FrameSink): void {
  if (body.length < 8) {
    sink.warn(`a decryption secrets block has ${body.length} of 8 bytes; skipped`);
    return;
  }
  const type = section.e.u32(body, 0);
  let length = section.e.u32(body, 4);
  if (length > body.length - 8) {
    sink.warn(`a decryption secrets block claims ${length} bytes but holds ${body.length - 8}; read what is there`);
    length = body.length - 8;
  }
  if (type !== SecretsType.TLS_KEY_LOG) {
    sink.warn(`decryption secrets of type ${hex8(type)} are not TLS key logs (TLSK); skipped`);
    return;
  }
  sink.keylog(textDecoder.decode(body.subarray(8, 8 + length)));
}

/** Blocks a reader of TCP streams has no use for, skipped without a word. */
const quietlySkipped = new Set<number>([BlockType.NRB, BlockType.ISB, 0x00000bad, 0x40000bad, 0x00000009]);

export function readPcapng(bytes: Uint8Array, sink: FrameSink): void {
  let section: Section | undefined;
  let off = 0;
  let lengthMismatchReported = false;
  while (off < bytes.length) {
    const left = bytes.length - off;
    if (left < 12) {
      sink.warn(`${left} bytes after the last block are too few for a block; ignored`);
      return;
    }
    if (u32le(bytes, off) === BlockType.SHB) {
      if (left < 28) {
        sink.warn(`a section header block is cut short: ${left} of at least 28 bytes`);
        return;
      }
      // §4.1: the byte-order magic decides how every later field of the section is read.
      const e = u32le(bytes, off + 8) === BYTE_ORDER_MAGIC ? LE : u32be(bytes, off + 8) === BYTE_ORDER_MAGIC ? BE : undefined;
      if (!e) {
        if (off === 0) {
          throw new CaptureError('not-a-capture', `pcapng byte-order magic ${hex8(u32be(bytes, 8))} is not 0x1a2b3c4d; is this a capture file?`);
        }
        sink.warn(`a section at byte ${off} has byte-order magic ${hex8(u32be(bytes, off + 8))}, not 0x1a2b3c4d; the rest of the file was ignored`);
        return;
      }
      const major = e.u16(bytes, off + 12);
      if (major !== 1) sink.warn(`pcapng section version ${major}.${e.u16(bytes, off + 14)} is not 1.x; reading it as 1.0`);
      section = { e, interfaces: [], lastT: 0 };
    }
    if (!section) {
      sink.warn('the file does not start with a section header block');
      return;
    }
    const { e } = section;
    const type = e.u32(bytes, off);
    const total = e.u32(bytes, off + 4);
    if (total < 12 || total % 4 !== 0 || total > left) {
      sink.warn(
        total > left
          ? `a block at byte ${off} (type ${hex8(type)}) claims ${total} bytes but the file has ${left} left: the file is truncated`
          : `a block at byte ${off} (type ${hex8(type)}) has length ${total}, which is not a multiple of 4 of at least 12; the rest of the file was ignored`,
      );
      return;
    }
    if (e.u32(bytes, off + total - 4) !== total && !lengthMismatchReported) {
      lengthMismatchReported = true;
      sink.warn(`a block at byte ${off} ends with a length different from its leading ${total}; trusting the leading one`);
    }
    const body = bytes.subarray(off + 8, off + total - 4);
    switch (type) {
      case BlockType.SHB:
        break;
      case BlockType.IDB:
        section.interfaces.push(readInterface(body, section, sink.warn));
        break;
      case BlockType.EPB:
        readPacket(body, section, sink, false);
        break;
      case BlockType.OPB:
        readPacket(body, section, sink, true);
        break;
      case BlockType.SPB:
        readSimplePacket(body, section, sink);
        break;
      case BlockType.DSB:
        readSecrets(body, section, sink);
        break;
      default:
        if (!quietlySkipped.has(type)) sink.warn(`blocks of type ${hex8(type)} are not read; skipped`);
    }
    off += total;
  }
}
