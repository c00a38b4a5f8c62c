/**
 * Encodes one TCP segment inside an IPv4 or IPv6 header, with valid checksums: the bytes a
 * LINKTYPE_RAW capture carries per packet.
 *
 *   IPv4 (RFC 791 §3.1, 20 bytes, no options) | TCP (RFC 9293 §3.1) | data
 *   IPv6 (RFC 8200 §3, 40 bytes, no extension headers) | TCP | data
 */
import { internetChecksum, IPPROTO_TCP, tcpChecksum } from './checksum.js';

/** TCP control bits (RFC 9293 §3.1). */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/**
 * The largest payload one segment can carry here: 65535 (the IPv4 total length field's
 * limit, RFC 791 §3.1) − 20 (IPv4 header) − 20 (TCP header). Linux advertises exactly this
 * MSS on its loopback interface (MTU 65536), so a capture of loopback traffic looks real.
 */
export const MAX_SEGMENT_PAYLOAD = 65495;

export interface TcpPacketSpec {
  /** 4 bytes (IPv4) or 16 bytes (IPv6); both ends of the same family. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  /** The window field as sent (scaled by the peer per RFC 7323 §2.3 after the handshake). */
  window: number;
  /** TCP options, already padded to a multiple of 4 bytes. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** The IPv4 Identification field; unused for IPv6. */
  ipId?: number;
}

function encodeTcp(spec: TcpPacketSpec, into: Uint8Array, at: number): number {
  const options = spec.options ?? new Uint8Array(0);
  const payload = spec.payload ?? new Uint8Array(0);
  const headerLength = 20 + options.length;
  const view = new DataView(into.buffer, into.byteOffset + at);
  view.setUint16(0, spec.srcPort);
  view.setUint16(2, spec.dstPort);
  view.setUint32(4, spec.seq >>> 0);
  view.setUint32(8, spec.ack >>> 0);
  view.setUint8(12, (headerLength / 4) << 4);
  view.setUint8(13, spec.flags);
  view.setUint16(14, spec.window);
  view.setUint16(16, 0);
  view.setUint16(18, 0);
  into.set(options, at + 20);
  into.set(payload, at + headerLength);
  return headerLength + payload.length;
}

export function encodeTcpPacket(spec: TcpPacketSpec): Uint8Array {
  const { src, dst } = spec;
  if (src.length !== dst.length || (src.length !== 4 && src.length !== 16)) {
    throw new TypeError(`encodeTcpPacket: addresses of ${src.length} and ${dst.length} bytes are not one IP family`);
  }
  const options = spec.options ?? new Uint8Array(0);
  if (options.length % 4 !== 0 || options.length > 40) {
    throw new RangeError(`encodeTcpPacket: ${options.length} bytes of TCP options (a multiple of 4, at most 40)`);
  }
  const payloadLength = spec.payload?.length ?? 0;
  if (payloadLength > MAX_SEGMENT_PAYLOAD) {
    throw new RangeError(`encodeTcpPacket: a ${payloadLength}-byte payload does not fit one IP packet (max ${MAX_SEGMENT_PAYLOAD})`);
  }
  const tcpLength = 20 + options.length + payloadLength;
  const ipHeader = src.length === 4 ? 20 : 40;
  const packet = new Uint8Array(ipHeader + tcpLength);
  const view = new DataView(packet.buffer);
  if (src.length === 4) {
    view.setUint8(0, 0x45); // version 4, IHL 5 words
    view.setUint16(2, packet.length);
    view.setUint16(4, (spec.ipId ?? 0) & 0xffff);
    view.setUint16(6, 0x4000); // Don't Fragment, as Linux sets on TCP (path MTU discovery, RFC 1191)
    view.setUint8(8, 64);
    view.setUint8(9, IPPROTO_TCP);
    packet.set(src, 12);
    packet.set(dst, 16);
    view.setUint16(10, internetChecksum(packet, 0, 20));
  } else {
    view.setUint32(0, 0x60000000); // version 6, traffic class 0, flow label 0
    view.setUint16(4, tcpLength);
    view.setUint8(6, IPPROTO_TCP);
    view.setUint8(7, 64);
    packet.set(src, 8);
    packet.set(dst, 24);
  }
  encodeTcp(spec, packet, ipHeader);
  const segment = packet.subarray(ipHeader);
  view.setUint16(ipHeader + 16, tcpChecksum(src, dst, segment));
  return packet;
}
