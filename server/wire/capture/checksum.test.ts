import { describe, expect, it } from 'vitest';
import { internetChecksum, tcpChecksum } from './checksum.js';
import { encodeTcpPacket, TcpFlag } from './tcpPacket.js';

describe('internetChecksum', () => {
  it('matches the worked example of RFC 1071 §3', () => {
    // 0001 f203 f4f5 f6f7 sums to 0xddf2 after folding; the checksum is its complement.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(~0xddf2 & 0xffff);
  });

  it('pads an odd final byte with zero', () => {
    expect(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56, 0x00)));
  });

  it('sums to zero over an IPv4 header that carries its own checksum', () => {
    const packet = encodeTcpPacket({ src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TcpFlag.ACK, window: 5 });
    expect(internetChecksum(packet, 0, 20)).toBe(0);
  });
});

describe('tcpChecksum', () => {
  it('sums to zero over an IPv6 segment that carries its own checksum', () => {
    const src = new Uint8Array(16).fill(0x20);
    const dst = new Uint8Array(16).fill(0x30);
    const packet = encodeTcpPacket({ src, dst, srcPort: 443, dstPort: 50000, seq: 0xfffffff0, ack: 7, flags: TcpFlag.ACK | TcpFlag.PSH, window: 0xffff, payload: new Uint8Array(1001).fill(0xab) });
    const segment = packet.slice(40);
    const carried = (segment[16]! << 8) | segment[17]!;
    segment[16] = 0;
    segment[17] = 0;
    expect(tcpChecksum(src, dst, segment)).toBe(carried);
  });
});
