/**
 * readCapture on hostile input: every prefix of several valid captures, and 24,000 seeded
 * random mutations of them. Each read must end, throw nothing but CaptureError, report no
 * internal error, and return no more stream bytes than the file holds.
 */
import { describe, expect, it } from 'vitest';
import { CaptureError } from './captureError.js';
import { BlockType, LinkType, SecretsType } from './pcapngBlocks.js';
import { INTERNAL_ERROR, readCapture } from './readCapture.js';
import { ACK, conversation, ethernet, FIN, handshake, packet, PcapngBuilder, PSH, sll2, T0, text } from './testFrames.js';
import { writePcap } from './writePcap.js';
import { writePcapng } from './writePcapng.js';
import { seededRandom } from '../../runtime/seededRandom.js';

function bases(): Array<[string, Uint8Array]> {
  const conv = conversation();
  const v6 = conversation({ client: { address: 'fd00::1', port: 40001 }, server: { address: 'fd00::2', port: 443 } });
  const exchange = (c: typeof conv): Uint8Array[] => [
    ...handshake(c),
    packet(c, 'c', 0, ACK, 'abc'),
    packet(c, 'c', 6, PSH | ACK, 'ghi'),
    packet(c, 'c', 3, ACK, 'def'),
    packet(c, 's', 0, PSH | ACK, 'reply', 9),
    packet(c, 'c', 9, FIN | ACK, '', 5),
    packet(c, 's', 5, FIN | ACK, '', 10),
  ];
  const synthetic = writePcapng(
    [
      { id: 1, client: { address: '127.0.0.1', port: 50000 }, server: { address: '127.0.0.2', port: 8443 }, openedAt: T0, closedAt: T0 + 99, chunks: [{ dir: 'c2s', t: T0 + 1, bytes: new Uint8Array(300).fill(1) }, { dir: 's2c', t: T0 + 2, bytes: text('ok') }] },
      { id: 2, client: { address: '::1', port: 50001 }, server: { address: '::1', port: 8443 }, openedAt: T0 + 5, closedAt: T0 + 9, closedBy: 'rst', chunks: [{ dir: 'c2s', t: T0 + 6, bytes: text('v6') }] },
    ],
    { keylog: ['CLIENT_RANDOM 00 11'], mss: 100 },
  );
  const keys = text('CLIENT_RANDOM 00 11\n');
  const handBuilt = new PcapngBuilder(false).section().iface(LinkType.ETHERNET, { tsresol: 9 }).iface(LinkType.RAW, { tsresol: 0x80 | 10, tsoffset: 7 });
  handBuilt.block(BlockType.DSB, (w) => w.u32(SecretsType.TLS_KEY_LOG).u32(keys.length).bytes(keys));
  exchange(conv).forEach((ip, i) => (i % 2 ? handBuilt.packet(1, BigInt(i), ip) : handBuilt.packet(0, BigInt(T0 + i) * 1000n, ethernet(ip, [5]))));
  for (const ip of exchange(v6).slice(0, 3)) handBuilt.block(BlockType.SPB, (w) => w.u32(ip.length).bytes(ip));
  return [
    ['pcapng written by writePcapng', synthetic],
    ['big-endian pcapng, two interfaces, SPB, DSB', handBuilt.finish()],
    ['little-endian pcap, raw IP', writePcap(exchange(conv).map((data, i) => ({ t: T0 + i, data })), { linkType: LinkType.RAW })],
    ['big-endian ns pcap, Ethernet + VLAN', writePcap(exchange(conv).map((data, i) => ({ t: T0 + i, data: ethernet(data, [7, 8]) })), { linkType: LinkType.ETHERNET, littleEndian: false, nanoseconds: true })],
    ['pcap, SLL2, IPv6', writePcap(exchange(v6).map((data, i) => ({ t: T0 + i, data: sll2(data) })), { linkType: LinkType.LINUX_SLL2 })],
  ];
}

/** Reads `bytes` and checks the promises readCapture makes; returns false when it threw CaptureError. */
function readsSafely(bytes: Uint8Array, what: string): boolean {
  let result;
  try {
    result = readCapture(bytes);
  } catch (error) {
    if (error instanceof CaptureError) return false;
    throw new Error(`${what}: threw ${String(error)}`);
  }
  const internal = result.warnings.filter((w) => w.startsWith(INTERNAL_ERROR));
  if (internal.length > 0) throw new Error(`${what}: ${internal.join('; ')}`);
  let streamBytes = 0;
  for (const conn of result.connections) for (const chunk of conn.chunks) streamBytes += chunk.bytes.length;
  if (streamBytes > bytes.length) throw new Error(`${what}: ${streamBytes} stream bytes from a ${bytes.length}-byte file`);
  return true;
}

const interesting = [0, 1, 4, 8, 11, 12, 16, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0x0a0d0d0a, 0x1a2b3c4d, 0x4d3c2b1a];

function mutate(base: Uint8Array, random: () => number): Uint8Array {
  let bytes = base.slice();
  const pick = (n: number): number => Math.floor(random() * n);
  // Mostly leave the magic alone: a wrong magic only ever tests the CaptureError path.
  const from = random() < 0.95 ? 4 : 0;
  const at = (): number => from + pick(Math.max(1, bytes.length - from));
  for (let n = 1 + pick(4); n > 0; n--) {
    switch (pick(7)) {
      case 0:
        {
          const i = at();
          bytes[i] = (bytes[i] ?? 0) ^ (1 << pick(8));
        }
        break;
      case 1:
        bytes[at()] = pick(256);
        break;
      case 2: {
        const i = at() & ~3;
        const value = random() < 0.7 ? interesting[pick(interesting.length)]! : pick(2 ** 32);
        if (i + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(i, value, random() < 0.5);
        break;
      }
      case 3:
        bytes = bytes.slice(0, at());
        break;
      case 4: {
        const i = at();
        const length = pick(64);
        bytes = new Uint8Array([...bytes.subarray(0, i), ...bytes.subarray(i, i + length), ...bytes.subarray(i)]);
        break;
      }
      case 5: {
        const i = at();
        bytes = new Uint8Array([...bytes.subarray(0, i), ...bytes.subarray(i + pick(64))]);
        break;
      }
      default: {
        const i = at();
        const junk = Array.from({ length: pick(32) }, () => pick(256));
        bytes = new Uint8Array([...bytes.subarray(0, i), ...junk, ...bytes.subarray(i)]);
      }
    }
  }
  return bytes;
}

describe('readCapture on hostile input', () => {
  it.each(bases())('reads every prefix of a %s without throwing once the magic is there', (name, file) => {
    for (let length = 0; length <= file.length; length++) {
      const ok = readsSafely(file.subarray(0, length), `${name}, first ${length} bytes`);
      expect(ok || length < 4).toBe(true);
    }
  });

  it('survives 24,000 seeded random mutations, throwing nothing but CaptureError', () => {
    const files = bases();
    const random = seededRandom(0x6d746c73);
    let read = 0;
    for (let i = 0; i < 24_000; i++) {
      const [name, file] = files[i % files.length]!;
      if (readsSafely(mutate(file, random), `mutation ${i} of the ${name}`)) read++;
    }
    // Nearly every mutation keeps a magic number, so nearly every one must be read.
    expect(read).toBeGreaterThan(20_000);
  });

  it('ends on a file of nothing but zero-length blocks', () => {
    const file = new PcapngBuilder().section().finish();
    const zeros = new Uint8Array(file.length + 4096);
    zeros.set(file);
    expect(readCapture(zeros).warnings).toEqual([expect.stringContaining('has length 0')]);
  });

  it('holds at most the configured out-of-order bytes of a stream that never fills its gap', () => {
    const conv = conversation();
    const ips = [...handshake(conv)];
    for (let i = 1; i <= 2000; i++) ips.push(packet(conv, 'c', i * 10, ACK, 'x'.repeat(10)));
    const { connections, warnings } = readCapture(writePcap(ips.map((data, i) => ({ t: T0 + i, data })), { linkType: LinkType.RAW }), { maxBufferedBytes: 1000 });
    expect(connections[0]!.chunks.reduce((n, c) => n + c.bytes.length, 0)).toBe(20_000);
    expect(warnings).toEqual([expect.stringMatching(/10 bytes after stream byte 0 are missing from the capture \(more out-of-order data arrived than is held\)/)]);
  });
});
