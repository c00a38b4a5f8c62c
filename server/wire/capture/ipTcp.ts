/**
 * An IPv4 or IPv6 packet → the TCP segment inside it, defensively: every length is checked
 * against what was captured, and what cannot be read becomes a reason, never an exception.
 *
 *   IPv4 (RFC 791 §3.1): IHL × 4 header bytes (options skipped), total length, fragments
 *   IPv6 (RFC 8200 §4): extension headers skipped until TCP (next header 6)
 *   TCP  (RFC 9293 §3.1): data offset × 4 header bytes, then data
 *
 * Checksums are not verified: captures taken on the sending host routinely show checksums
 * the network card had not filled in yet (checksum offload).
 */
import { formatIPv4, formatIPv6 } from './ipAddress.js';

export interface TcpSegment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** RFC 9293 §3.1 control bits (FIN 0x01 … ACK 0x10). */
  flags: number;
  payload: Uint8Array;
  /** Payload bytes the IP header announced that the capture does not hold (a snap length). */
  missing: number;
}

export type IpTcpResult =
  /** `warning`: the segment is usable, but something about it is worth saying. */
  | { kind: 'tcp'; segment: TcpSegment; warning?: string }
  | { kind: 'not-tcp' }
  | { kind: 'skipped'; warning: string };

const u16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const u32 = (b: Uint8Array, at: number): number =>
  (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;

const IPPROTO_TCP = 6;

function tcp(src: string, dst: string, segment: Uint8Array, missing: number): IpTcpResult {
  if (segment.length < 20) return { kind: 'skipped', warning: 'a TCP header is cut short (snap length?); skipped' };
  const headerLength = ((segment[12] ?? 0) >> 4) * 4;
  if (headerLength < 20) return { kind: 'skipped', warning: `a TCP header claims ${headerLength} bytes, fewer than 20; skipped` };
  if (headerLength > segment.length) return { kind: 'skipped', warning: 'TCP options are cut short (snap length?); skipped' };
  return {
    kind: 'tcp',
    segment: {
      src,
      dst,
      srcPort: u16(segment, 0),
      dstPort: u16(segment, 2),
      seq: u32(segment, 4),
      ack: u32(segment, 8),
      flags: (segment[13] ?? 0) & 0x3f,
      payload: segment.subarray(headerLength),
      missing,
    },
  };
}

function ipv4(packet: Uint8Array): IpTcpResult {
  if (packet.length < 20) return { kind: 'skipped', warning: 'an IPv4 header is cut short; skipped' };
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  if (headerLength < 20) return { kind: 'skipped', warning: `an IPv4 header claims ${headerLength} bytes, fewer than 20; skipped` };
  if (headerLength > packet.length) return { kind: 'skipped', warning: 'IPv4 options are cut short; skipped' };
  if (packet[9] !== IPPROTO_TCP) return { kind: 'not-tcp' };
  let total = u16(packet, 2);
  // Total length 0 is what a capture of TCP segmentation offload shows: the NIC fills it in.
  if (total === 0) total = packet.length;
  if (total < headerLength) return { kind: 'skipped', warning: `an IPv4 total length of ${total} is shorter than its header; skipped` };
  const fragment = u16(packet, 6);
  const offset = fragment & 0x1fff;
  const moreFragments = (fragment & 0x2000) !== 0;
  if (offset !== 0) return { kind: 'skipped', warning: 'IPv4 fragments after the first are not reassembled; skipped (the stream has a gap)' };
  const src = formatIPv4(packet, 12);
  const dst = formatIPv4(packet, 16);
  const end = Math.min(total, packet.length);
  const result = tcp(src, dst, packet.subarray(headerLength, end), total - end);
  if (moreFragments && result.kind === 'tcp') {
    return { ...result, warning: 'fragmented IPv4 packets are not reassembled; only the first fragment was read (the stream has a gap)' };
  }
  return result;
}

/** RFC 8200 §4.1 extension headers with the generic (next header, length in 8-octet units − 1) layout. */
const GENERIC_EXTENSIONS = new Set([0 /* Hop-by-Hop */, 43 /* Routing */, 60 /* Destination Options */, 135, 139, 140, 253, 254]);
const FRAGMENT = 44;
const AUTHENTICATION = 51;

function ipv6(packet: Uint8Array): IpTcpResult {
  if (packet.length < 40) return { kind: 'skipped', warning: 'an IPv6 header is cut short; skipped' };
  const payloadLength = u16(packet, 4);
  // Payload length 0: a jumbogram (RFC 2675) or segmentation offload; trust the capture.
  const total = payloadLength === 0 ? packet.length : 40 + payloadLength;
  const end = Math.min(total, packet.length);
  let next = packet[6] ?? 0;
  let at = 40;
  // Each header advances by at least 8 bytes, so this ends within the packet.
  while (next !== IPPROTO_TCP) {
    if (at + 8 > end) return { kind: 'skipped', warning: 'IPv6 extension headers are cut short; skipped' };
    if (GENERIC_EXTENSIONS.has(next)) {
      const length = ((packet[at + 1] ?? 0) + 1) * 8;
      next = packet[at] ?? 0;
      at += length;
    } else if (next === FRAGMENT) {
      const offset = u16(packet, at + 2) >> 3;
      const more = (u16(packet, at + 2) & 1) !== 0;
      if (offset !== 0 || more) {
        return { kind: 'skipped', warning: 'fragmented IPv6 packets are not reassembled; skipped (the stream has a gap)' };
      }
      next = packet[at] ?? 0;
      at += 8;
    } else if (next === AUTHENTICATION) {
      // RFC 4302 §2.2: the AH length counts 4-octet units, minus 2.
      const length = ((packet[at + 1] ?? 0) + 2) * 4;
      next = packet[at] ?? 0;
      at += length;
    } else {
      return { kind: 'not-tcp' };
    }
  }
  if (at > end) return { kind: 'skipped', warning: 'IPv6 extension headers are cut short; skipped' };
  return tcp(formatIPv6(packet, 8), formatIPv6(packet, 24), packet.subarray(at, end), total - end);
}

export function tcpSegmentOf(packet: Uint8Array): IpTcpResult {
  const version = (packet[0] ?? 0) >> 4;
  if (version === 4) return ipv4(packet);
  if (version === 6) return ipv6(packet);
  return { kind: 'not-tcp' };
}
