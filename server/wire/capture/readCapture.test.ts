import { describe, expect, it } from 'vitest';
import { CaptureError } from './captureError.js';
import { parseIp } from './ipAddress.js';
import { BlockType, LinkType, SecretsType } from './pcapngBlocks.js';
import { readCapture } from './readCapture.js';
import type { RecordedConnection } from './recording.js';
import { encodeTcpPacket } from './tcpPacket.js';
import {
  ACK,
  concat,
  conversation,
  ethernet,
  FIN,
  handshake,
  nullLoopback,
  packet,
  PcapngBuilder,
  PSH,
  RST,
  sll,
  sll2,
  SYN,
  T0,
  text,
  type Conversation,
} from './testFrames.js';
import { writePcap } from './writePcap.js';
import { writePcapng } from './writePcapng.js';

const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Raw-IP classic pcap, one packet per µs from T0. */
const rawPcap = (ips: Uint8Array[], options: { littleEndian?: boolean; nanoseconds?: boolean; linkType?: number } = {}): Uint8Array =>
  writePcap(
    ips.map((data, i) => ({ t: T0 + i, data })),
    { linkType: LinkType.RAW, ...options },
  );

/** A short exchange: handshake, "ping" from the client, "pong" from the server, FINs. */
const pingPong = (conv: Conversation = conversation()): Uint8Array[] => [
  ...handshake(conv),
  packet(conv, 'c', 0, PSH | ACK, 'ping'),
  packet(conv, 's', 0, PSH | ACK, 'pong', 4),
  packet(conv, 'c', 4, FIN | ACK, '', 4),
  packet(conv, 's', 4, FIN | ACK, '', 5),
  packet(conv, 'c', 5, ACK, '', 5),
];

/** Each connection as [client, server, 'dir:text' …] for compact expectations. */
const summary = (connections: RecordedConnection[]): Array<[string, string, ...string[]]> =>
  connections.map((c) => [
    `${c.client.address}:${c.client.port}`,
    `${c.server.address}:${c.server.port}`,
    ...c.chunks.map((k) => `${k.dir}:${decode(k.bytes)}`),
  ]);

const pingPongSummary = ['10.0.0.1:40000', '10.0.0.2:8443', 'c2s:ping', 's2c:pong'];

describe('readCapture: round trip', () => {
  const big = new Uint8Array(150_000).map((_, i) => (i * 7) & 0xff);
  const recorded: RecordedConnection[] = [
    {
      id: 1,
      client: { address: '127.0.0.1', port: 50000 },
      server: { address: '127.0.0.2', port: 8443 },
      openedAt: T0,
      closedAt: T0 + 9_000,
      closedBy: 'fin',
      chunks: [
        { dir: 'c2s', t: T0 + 10, bytes: text('ClientHello') },
        { dir: 's2c', t: T0 + 30, bytes: big },
        { dir: 's2c', t: T0 + 30, bytes: text('same µs, own chunk') },
        { dir: 'c2s', t: T0 + 8_000, bytes: text('Finished') },
      ],
    },
    {
      id: 2,
      client: { address: '::1', port: 50001 },
      server: { address: '::1', port: 8443 },
      openedAt: T0 + 20,
      closedAt: T0 + 40,
      closedBy: 'rst',
      chunks: [{ dir: 'c2s', t: T0 + 25, bytes: text('hello over IPv6') }],
    },
    {
      id: 3,
      client: { address: '127.0.0.1', port: 50002 },
      server: { address: '127.0.0.2', port: 8443 },
      openedAt: T0 + 50,
      chunks: [{ dir: 's2c', t: T0 + 60, bytes: text('server speaks first') }],
    },
  ];

  it('reads back what writePcapng wrote: the same connections, chunk for chunk, to the microsecond', () => {
    const { connections, warnings } = readCapture(writePcapng(recorded));
    expect(warnings).toEqual([]);
    expect(connections).toEqual(recorded);
  });

  it('keeps connection ids that are not 1, 2, 3', () => {
    const renumbered = recorded.map((c, i) => ({ ...c, id: [7, 3, 12][i]! }));
    expect(readCapture(writePcapng(renumbered)).connections.map((c) => c.id)).toEqual([7, 3, 12]);
  });

  it('returns the key log embedded in the decryption secrets block', () => {
    const keylog = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET 01 02', 'SERVER_TRAFFIC_SECRET_0 01 03'];
    expect(readCapture(writePcapng(recorded, { keylog })).keylog).toEqual(keylog);
  });
});

describe('readCapture: classic pcap', () => {
  it('reads a little-endian microsecond file', () => {
    const { connections } = readCapture(rawPcap(pingPong(), { littleEndian: true }));
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(connections[0]!.chunks.map((c) => c.t)).toEqual([T0 + 3, T0 + 4]);
  });

  it('reads a big-endian microsecond file', () => {
    const { connections } = readCapture(rawPcap(pingPong(), { littleEndian: false }));
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(connections[0]!.closedAt).toBe(T0 + 6);
  });

  it('reads a big-endian nanosecond file down to the microsecond', () => {
    const file = rawPcap(pingPong(), { littleEndian: false, nanoseconds: true });
    const { connections } = readCapture(file);
    expect(connections[0]!.openedAt).toBe(T0);
    expect(connections[0]!.chunks.map((c) => c.t)).toEqual([T0 + 3, T0 + 4]);
  });
});

describe('readCapture: link layers', () => {
  const framed = (linkType: number, wrap: (ip: Uint8Array) => Uint8Array, ips = pingPong()): Uint8Array =>
    writePcap(
      ips.map((ip, i) => ({ t: T0 + i, data: wrap(ip) })),
      { linkType },
    );

  it('reads IPv6', () => {
    const conv = conversation({ client: { address: 'fd00::1', port: 40000 }, server: { address: 'fd00::2', port: 8443 } });
    expect(summary(readCapture(rawPcap(pingPong(conv))).connections)).toEqual([['fd00::1:40000', 'fd00::2:8443', 'c2s:ping', 's2c:pong']]);
  });

  it('reads Ethernet frames with an 802.1Q VLAN tag', () => {
    expect(summary(readCapture(framed(LinkType.ETHERNET, (ip) => ethernet(ip, [42]))).connections)).toEqual([pingPongSummary]);
  });

  it('reads Ethernet frames with stacked 802.1ad and 802.1Q tags', () => {
    const qinq = (ip: Uint8Array): Uint8Array => {
      const inner = ethernet(ip, [42]);
      return concat(inner.subarray(0, 12), [0x88, 0xa8, 0, 7], inner.subarray(12));
    };
    expect(summary(readCapture(framed(LinkType.ETHERNET, qinq)).connections)).toEqual([pingPongSummary]);
  });

  it('reads untagged Ethernet frames carrying IPv6', () => {
    const conv = conversation({ client: { address: '::1', port: 40000 }, server: { address: '::1', port: 8443 } });
    expect(summary(readCapture(framed(LinkType.ETHERNET, (ip) => ethernet(ip), pingPong(conv))).connections)[0]!.slice(2)).toEqual(['c2s:ping', 's2c:pong']);
  });

  it('reads Linux cooked capture (SLL) frames', () => {
    expect(summary(readCapture(framed(LinkType.LINUX_SLL, sll)).connections)).toEqual([pingPongSummary]);
  });

  it('reads Linux cooked capture v2 (SLL2) frames', () => {
    expect(summary(readCapture(framed(LinkType.LINUX_SLL2, sll2)).connections)).toEqual([pingPongSummary]);
  });

  it('reads BSD loopback (NULL) frames, IPv4 and IPv6', () => {
    expect(summary(readCapture(framed(LinkType.NULL, (ip) => nullLoopback(ip, 2))).connections)).toEqual([pingPongSummary]);
    const conv = conversation({ client: { address: '::1', port: 40000 }, server: { address: '::1', port: 8443 } });
    expect(readCapture(framed(LinkType.NULL, (ip) => nullLoopback(ip, 30), pingPong(conv))).connections).toHaveLength(1);
  });

  it('reads the IPv4 link type (228)', () => {
    expect(summary(readCapture(framed(LinkType.IPV4, (ip) => ip)).connections)).toEqual([pingPongSummary]);
  });

  it('skips frames that carry no IP without a warning', () => {
    const arp = concat([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06], new Uint8Array(28));
    const ips = pingPong().map((ip) => ethernet(ip));
    const file = writePcap([arp, ...ips].map((data, i) => ({ t: T0 + i, data })), { linkType: LinkType.ETHERNET });
    const { connections, warnings } = readCapture(file);
    expect(connections).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('warns once, with a count, about frames of a link type it does not read', () => {
    const { connections, warnings } = readCapture(framed(105, (ip) => ip));
    expect(connections).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^frames of link type 105 are not read.*\(8 times\)$/)]);
  });
});

describe('readCapture: IP', () => {
  it('skips IPv4 options', () => {
    const withOptions = (ip: Uint8Array): Uint8Array => {
      // IHL 6: one 4-byte option word (four NOPs, RFC 791 §3.1) between header and TCP.
      const out = concat(ip.subarray(0, 20), [1, 1, 1, 1], ip.subarray(20));
      out[0] = 0x46;
      const total = out.length;
      out[2] = total >> 8;
      out[3] = total & 0xff;
      return out;
    };
    expect(summary(readCapture(rawPcap(pingPong().map(withOptions))).connections)).toEqual([pingPongSummary]);
  });

  it('skips IPv6 hop-by-hop and destination options headers', () => {
    const conv = conversation({ client: { address: '::1', port: 40000 }, server: { address: '::1', port: 8443 } });
    const withExtensions = (ip: Uint8Array): Uint8Array => {
      // Hop-by-Hop (0) → Destination Options (60) → TCP (6), each 8 bytes of PadN (RFC 8200 §4.2).
      const out = concat(ip.subarray(0, 40), [60, 0, 1, 4, 0, 0, 0, 0], [6, 0, 1, 4, 0, 0, 0, 0], ip.subarray(40));
      out[6] = 0;
      const payload = out.length - 40;
      out[4] = payload >> 8;
      out[5] = payload & 0xff;
      return out;
    };
    expect(summary(readCapture(rawPcap(pingPong(conv).map(withExtensions))).connections)[0]!.slice(2)).toEqual(['c2s:ping', 's2c:pong']);
  });

  it('skips IPv4 fragments after the first, with a warning', () => {
    const conv = conversation();
    const fragment = packet(conv, 'c', 4, PSH | ACK, 'tail');
    fragment[6] = 0x00;
    fragment[7] = 0x10; // fragment offset 16 × 8 bytes
    const { connections, warnings } = readCapture(rawPcap([...pingPong(conv).slice(0, 4), fragment]));
    expect(summary(connections)).toEqual([['10.0.0.1:40000', '10.0.0.2:8443', 'c2s:ping']]);
    expect(warnings).toEqual([expect.stringContaining('IPv4 fragments after the first are not reassembled')]);
  });

  it('reads on after bytes a snap length cut off, saying how many are missing', () => {
    const conv = conversation();
    const ips = [...handshake(conv), packet(conv, 'c', 0, ACK, 'abcdef'), packet(conv, 'c', 6, PSH | ACK, 'ghi')];
    const file = writePcap(
      ips.map((data, i) => ({ t: T0 + i, data: i === 3 ? data.subarray(0, data.length - 4) : data, originalLength: data.length })),
      { linkType: LinkType.RAW },
    );
    const { connections, warnings } = readCapture(file);
    expect(connections[0]!.chunks.map((c) => decode(c.bytes))).toEqual(['ab', 'ghi']);
    expect(warnings).toEqual([expect.stringContaining('4 bytes after stream byte 2 were not captured')]);
  });
});

describe('readCapture: TCP reassembly', () => {
  const conv = conversation();

  it('holds out-of-order segments until the gap fills', () => {
    const ips = [...handshake(conv), packet(conv, 'c', 0, ACK, 'abc'), packet(conv, 'c', 6, PSH | ACK, 'ghij'), packet(conv, 'c', 3, ACK, 'def')];
    const { connections, warnings } = readCapture(rawPcap(ips));
    expect(summary(connections)[0]!.slice(2)).toEqual(['c2s:abcdefghij']);
    expect(warnings).toEqual([]);
  });

  it('delivers retransmitted and overlapping segments once', () => {
    const ips = [
      ...handshake(conv),
      packet(conv, 'c', 0, ACK, 'abc'),
      packet(conv, 'c', 0, ACK, 'abc'),
      packet(conv, 'c', 1, ACK, 'bcde'),
      packet(conv, 'c', 5, PSH | ACK, 'fg'),
      packet(conv, 's', 0, PSH | ACK, 'OK', 7),
      packet(conv, 'c', 3, PSH | ACK, 'defg'),
      packet(conv, 's', 0, PSH | ACK, 'OK', 7),
    ];
    expect(summary(readCapture(rawPcap(ips)).connections)[0]!.slice(2)).toEqual(['c2s:abcdefg', 's2c:OK']);
  });

  it('keeps the first copy of a byte when a retransmission disagrees', () => {
    const ips = [...handshake(conv), packet(conv, 'c', 0, ACK, 'abc'), packet(conv, 'c', 0, PSH | ACK, 'XYZW')];
    expect(summary(readCapture(rawPcap(ips)).connections)[0]!.slice(2)).toEqual(['c2s:abcW']);
  });

  it('times bytes that arrived early at the moment the gap filled', () => {
    const ips = [...handshake(conv), packet(conv, 'c', 0, PSH | ACK, 'a'), packet(conv, 'c', 2, PSH | ACK, 'c'), packet(conv, 'c', 1, PSH | ACK, 'b')];
    const chunks = readCapture(rawPcap(ips)).connections[0]!.chunks;
    expect(chunks.map((c) => [decode(c.bytes), c.t - T0])).toEqual([
      ['a', 3],
      ['b', 5],
      ['c', 5],
    ]);
  });

  it('ends a chunk at PSH and when the other direction speaks', () => {
    const ips = [
      ...handshake(conv),
      packet(conv, 'c', 0, ACK, 'a'),
      packet(conv, 'c', 1, PSH | ACK, 'b'),
      packet(conv, 'c', 2, ACK, 'c'),
      packet(conv, 's', 0, ACK, 'x', 3),
      packet(conv, 'c', 3, ACK, 'd', 1),
    ];
    expect(summary(readCapture(rawPcap(ips)).connections)[0]!.slice(2)).toEqual(['c2s:ab', 'c2s:c', 's2c:x', 'c2s:d']);
  });

  it('declares a gap lost once more out-of-order bytes arrive than it holds, and reads on', () => {
    const ips = [...handshake(conv), packet(conv, 'c', 0, PSH | ACK, 'aa'), packet(conv, 'c', 10, PSH | ACK, 'kkkk'), packet(conv, 'c', 14, PSH | ACK, 'oooo')];
    const { connections, warnings } = readCapture(rawPcap(ips), { maxBufferedBytes: 6 });
    expect(connections[0]!.chunks.map((c) => decode(c.bytes))).toEqual(['aa', 'kkkk', 'oooo']);
    expect(warnings).toEqual([expect.stringMatching(/^10\.0\.0\.1:40000 → 10\.0\.0\.2:8443: 8 bytes after stream byte 2 are missing/)]);
  });

  it('reads on after a gap that never fills before the capture ends', () => {
    const ips = [...handshake(conv), packet(conv, 'c', 0, PSH | ACK, 'aa'), packet(conv, 'c', 5, PSH | ACK, 'ff')];
    const { connections, warnings } = readCapture(rawPcap(ips));
    expect(connections[0]!.chunks.map((c) => decode(c.bytes))).toEqual(['aa', 'ff']);
    expect(warnings).toEqual([expect.stringContaining('3 bytes after stream byte 2 are missing from the capture (the capture ends')]);
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const wrapping = conversation({ clientIsn: 0xfffffffd });
    const ips = [...handshake(wrapping), packet(wrapping, 'c', 0, ACK, 'ab'), packet(wrapping, 'c', 4, PSH | ACK, 'ef'), packet(wrapping, 'c', 2, ACK, 'cd')];
    expect(summary(readCapture(rawPcap(ips)).connections)[0]!.slice(2)).toEqual(['c2s:abcdef']);
  });

  it('takes the SYN sender as the client even when it has the lower port', () => {
    const reversed = conversation({ client: { address: '10.0.0.1', port: 22 }, server: { address: '10.0.0.2', port: 40000 } });
    const { connections, warnings } = readCapture(rawPcap(pingPong(reversed)));
    expect(summary(connections)).toEqual([['10.0.0.1:22', '10.0.0.2:40000', 'c2s:ping', 's2c:pong']]);
    expect(warnings).toEqual([]);
  });

  it('takes the SYN-ACK receiver as the client when the SYN was not captured', () => {
    const { connections } = readCapture(rawPcap(pingPong().slice(1)));
    expect(summary(connections)).toEqual([pingPongSummary]);
  });

  it('without a handshake, takes the end on a well-known port as the server and says so', () => {
    const https = conversation({ server: { address: '10.0.0.2', port: 443 } });
    const ips = [packet(https, 's', 0, PSH | ACK, 'late'), packet(https, 'c', 0, PSH | ACK, 'more', 4)];
    const { connections, warnings } = readCapture(rawPcap(ips));
    expect(summary(connections)).toEqual([['10.0.0.1:40000', '10.0.0.2:443', 's2c:late', 'c2s:more']]);
    expect(warnings).toEqual([expect.stringContaining('no SYN was captured for 10.0.0.1:40000 → 10.0.0.2:443')]);
  });

  it('without a handshake or a well-known port, takes the first to send data as the client', () => {
    const ips = [packet(conv, 'c', 0, PSH | ACK, 'hello'), packet(conv, 's', 0, PSH | ACK, 'hi', 5)];
    expect(summary(readCapture(rawPcap(ips)).connections)).toEqual([['10.0.0.1:40000', '10.0.0.2:8443', 'c2s:hello', 's2c:hi']]);
  });

  it('starts a new connection on a new SYN after the FINs', () => {
    const second = conversation({ clientIsn: 90000, serverIsn: 70000 });
    const { connections } = readCapture(rawPcap([...pingPong(conv), ...pingPong(second)]));
    expect(summary(connections)).toEqual([pingPongSummary, pingPongSummary]);
    expect(connections.map((c) => [c.id, c.closedBy])).toEqual([
      [1, 'fin'],
      [2, 'fin'],
    ]);
  });

  it('starts a new connection on a new SYN after a reset', () => {
    const second = conversation({ clientIsn: 90000, serverIsn: 70000 });
    const reset = [...handshake(conv), packet(conv, 's', 0, RST | ACK)];
    const { connections } = readCapture(rawPcap([...reset, ...pingPong(second)]));
    expect(connections.map((c) => [c.closedBy, c.chunks.length])).toEqual([
      ['rst', 0],
      ['fin', 2],
    ]);
  });

  it('treats a retransmitted SYN as the same connection', () => {
    const [syn, ...rest] = pingPong(conv);
    expect(readCapture(rawPcap([syn!, syn!, ...rest])).connections).toHaveLength(1);
  });

  it('leaves closedAt unset while only one end has sent its FIN', () => {
    const { connections } = readCapture(rawPcap(pingPong(conv).slice(0, 6)));
    expect(connections[0]!.closedAt).toBeUndefined();
  });
});

describe('readCapture: pcapng', () => {
  const conv = conversation();
  const ips = pingPong(conv);

  it('reads a big-endian section', () => {
    const b = new PcapngBuilder(false).section().iface(LinkType.RAW);
    ips.forEach((ip, i) => b.packet(0, BigInt(T0 + i), ip));
    expect(summary(readCapture(b.finish()).connections)).toEqual([pingPongSummary]);
  });

  it('reads each interface with its own link type and timestamp resolution', () => {
    const b = new PcapngBuilder().section();
    b.iface(LinkType.ETHERNET, { tsresol: 9 }); // ns
    b.iface(LinkType.LINUX_SLL, { tsresol: 0x80 | 20, tsoffset: 1_700_000_000 }); // 2^-20 s, plus an offset
    b.iface(LinkType.RAW, { tsresol: 3 }); // ms
    b.packet(0, BigInt(T0) * 1000n + 999n, ethernet(ips[0]!));
    b.packet(1, 1n << 20n, sll(ips[1]!)); // exactly one second after the offset
    b.packet(2, BigInt(T0 / 1000) + 2n, ips[2]!);
    for (const ip of ips.slice(3)) b.packet(0, BigInt(T0) * 1000n + 5_000_000n, ethernet(ip));
    const { connections, warnings } = readCapture(b.finish());
    expect(warnings).toEqual([]);
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(connections[0]!.openedAt).toBe(T0);
  });

  it('reads simple packet blocks on interface 0, timed like the packet before', () => {
    const b = new PcapngBuilder().section().iface(LinkType.RAW);
    b.packet(0, BigInt(T0), ips[0]!);
    for (const ip of ips.slice(1)) b.block(BlockType.SPB, (w) => w.u32(ip.length).bytes(ip));
    const { connections, warnings } = readCapture(b.finish());
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(connections[0]!.chunks[0]!.t).toBe(T0);
    expect(warnings).toEqual([expect.stringContaining('simple packet blocks carry no timestamp')]);
  });

  it('reads the obsolete packet block', () => {
    const b = new PcapngBuilder().section().iface(LinkType.RAW);
    // Interface (16 bits), drops count (16 bits), timestamp high and low, lengths, data.
    ips.forEach((ip, i) => b.block(BlockType.OPB, (w) => w.u16(0).u16(0).u32(0).u32(1_000 + i).u32(ip.length).u32(ip.length).bytes(ip)));
    const { connections } = readCapture(b.finish());
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(connections[0]!.openedAt).toBe(1_000);
  });

  it('skips statistics, name resolution and custom blocks silently, and unknown blocks with a warning', () => {
    const b = new PcapngBuilder().section().iface(LinkType.RAW);
    b.block(BlockType.NRB, (w) => w.u16(0).u16(0));
    b.block(BlockType.ISB, (w) => w.u32(0).u32(0).u32(0));
    b.block(0x00000bad, (w) => w.u32(32473).bytes(text('private')));
    b.block(0x0badf00d, (w) => w.u32(1));
    ips.forEach((ip, i) => b.packet(0, BigInt(T0 + i), ip));
    const { connections, warnings } = readCapture(b.finish());
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(warnings).toEqual(['blocks of type 0x0badf00d are not read; skipped']);
  });

  it('reads TLS key logs from decryption secrets blocks of a big-endian section, each line once', () => {
    const keys = text('CLIENT_RANDOM 00 11\n\nSERVER_HANDSHAKE_TRAFFIC_SECRET 00 22\n');
    const b = new PcapngBuilder(false).section();
    b.block(BlockType.DSB, (w) => w.u32(SecretsType.TLS_KEY_LOG).u32(keys.length).bytes(keys));
    b.block(BlockType.DSB, (w) => w.u32(SecretsType.TLS_KEY_LOG).u32(keys.length).bytes(keys));
    b.block(BlockType.DSB, (w) => w.u32(0x57474b4c).u32(4).u32(0));
    const { keylog, warnings } = readCapture(b.finish());
    expect(keylog).toEqual(['CLIENT_RANDOM 00 11', 'SERVER_HANDSHAKE_TRAFFIC_SECRET 00 22']);
    expect(warnings).toEqual(['decryption secrets of type 0x57474b4c are not TLS key logs (TLSK); skipped']);
  });

  it('forgets the interfaces of a section when a new section starts', () => {
    const b = new PcapngBuilder().section().iface(LinkType.RAW).packet(0, BigInt(T0), ips[0]!);
    b.section().packet(0, BigInt(T0 + 1), ips[1]!);
    const { warnings } = readCapture(b.finish());
    expect(warnings).toEqual(['a packet names interface 0, which its section never described; skipped']);
  });
});

describe('readCapture: damaged and foreign input', () => {
  it('throws CaptureError for bytes that are neither pcap nor pcapng', () => {
    expect(() => readCapture(text('GET / HTTP/1.1\r\n'))).toThrow(CaptureError);
  });

  it('throws CaptureError for fewer than four bytes', () => {
    expect(() => readCapture(Uint8Array.of(0xd4, 0xc3))).toThrow(CaptureError);
  });

  it('throws CaptureError for a pcapng header whose byte-order magic is wrong', () => {
    const file = new PcapngBuilder().section().finish();
    file[8] = 0;
    expect(() => readCapture(file)).toThrow(CaptureError);
  });

  it('stops at a zero-length block with a warning, keeping what came before', () => {
    const b = new PcapngBuilder().section().iface(LinkType.RAW);
    ips().forEach((ip, i) => b.packet(0, BigInt(T0 + i), ip));
    b.w.u32(BlockType.EPB).u32(0).u32(0);
    const { connections, warnings } = readCapture(b.finish());
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(warnings).toEqual([expect.stringContaining('has length 0, which is not a multiple of 4 of at least 12')]);
  });

  it('reads a classic pcap cut mid-packet up to the cut', () => {
    const file = rawPcap(pingPong());
    const { connections, warnings } = readCapture(file.subarray(0, file.length - 30));
    expect(summary(connections)).toEqual([pingPongSummary]);
    expect(warnings[0]).toBe('the last packet is cut short: 10 of 40 bytes');
  });

  it('reads a pcapng cut mid-block up to the cut', () => {
    const file = writePcapng([{ id: 1, client: { address: '10.0.0.1', port: 1 }, server: { address: '10.0.0.2', port: 2 }, openedAt: T0, chunks: [{ dir: 'c2s', t: T0, bytes: text('x') }] }]);
    const { connections, warnings } = readCapture(file.subarray(0, file.length - 10));
    expect(connections[0]!.chunks.map((c) => decode(c.bytes))).toEqual(['x']);
    expect(warnings).toEqual([expect.stringContaining('the file is truncated')]);
  });

  it('returns no connections and a warning for a classic pcap header cut short', () => {
    expect(readCapture(rawPcap([]).subarray(0, 10))).toEqual({ connections: [], keylog: [], warnings: ['the pcap file header is cut short: 10 of 24 bytes'] });
  });

  it('skips a TCP header that claims fewer than 20 bytes', () => {
    const bad = encodeTcpPacket({ src: parseIp('10.0.0.1')!, dst: parseIp('10.0.0.2')!, srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: SYN, window: 0 });
    bad[32] = 0x20;
    const { connections, warnings } = readCapture(rawPcap([bad]));
    expect(connections).toEqual([]);
    expect(warnings).toEqual(['a TCP header claims 8 bytes, fewer than 20; skipped']);
  });
});

const ips = (): Uint8Array[] => pingPong();

describe('readCapture: options', () => {
  it('refuses a negative out-of-order buffer size', () => {
    expect(() => readCapture(rawPcap(pingPong()), { maxBufferedBytes: -1 })).toThrow(TypeError);
  });

  it('counts repeats of a warning instead of repeating it', () => {
    const frames = Array.from({ length: 5 }, (_, i) => ({ t: T0, data: Uint8Array.of(0x45, 0, 0, 20 + i) }));
    const { warnings } = readCapture(writePcap(frames, { linkType: LinkType.RAW }));
    expect(warnings).toEqual(['an IPv4 header is cut short; skipped (5 times)']);
  });

  it('keeps at most maxWarnings distinct warnings and counts the rest', () => {
    const b = new PcapngBuilder().section().iface(200).iface(201).iface(202);
    for (const id of [0, 1, 2]) b.packet(id, BigInt(T0), Uint8Array.of(0));
    const { warnings } = readCapture(b.finish(), { maxWarnings: 1 });
    expect(warnings).toEqual([expect.stringMatching(/^frames of link type 200 are not read/), '… and 2 more warnings']);
  });
});

describe('readCapture: held segments', () => {
  it('does not count a retransmitted out-of-order segment twice against the buffer', () => {
    const conv = conversation();
    const early = packet(conv, 'c', 4, PSH | ACK, 'efgh');
    const ips = [...handshake(conv), early, early, early, packet(conv, 'c', 0, ACK, 'abcd')];
    const { connections, warnings } = readCapture(rawPcap(ips), { maxBufferedBytes: 8 });
    expect(connections[0]!.chunks.map((c) => decode(c.bytes))).toEqual(['abcdefgh']);
    expect(warnings).toEqual([]);
  });
});
