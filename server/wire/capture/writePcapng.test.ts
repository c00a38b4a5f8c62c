import { describe, expect, it } from 'vitest';
import { internetChecksum, tcpChecksum } from './checksum.js';
import { BlockType, LinkType, SecretsType } from './pcapngBlocks.js';
import type { RecordedConnection } from './recording.js';
import { TcpFlag } from './tcpPacket.js';
import { keylogText, writePcapng } from './writePcapng.js';

const T0 = 1_700_000_000_000_000;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Block {
  type: number;
  body: Uint8Array;
}

/** The blocks of a little-endian pcapng file, checking that each is framed as §3.1 says. */
function blocks(file: Uint8Array): Block[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Block[] = [];
  for (let off = 0; off < file.length; ) {
    const type = view.getUint32(off, true);
    const total = view.getUint32(off + 4, true);
    expect(total % 4).toBe(0);
    expect(view.getUint32(off + total - 4, true)).toBe(total);
    out.push({ type, body: file.subarray(off + 8, off + total - 4) });
    off += total;
  }
  return out;
}

interface Packet {
  t: number;
  ip: Uint8Array;
  v6: boolean;
  seq: number;
  ack: number;
  flags: number;
  srcPort: number;
  payload: Uint8Array;
}

function packets(file: Uint8Array): Packet[] {
  return blocks(file)
    .filter((b) => b.type === BlockType.EPB)
    .map(({ body }) => {
      const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const length = v.getUint32(12, true);
      const ip = body.subarray(20, 20 + length);
      const v6 = ip[0]! >> 4 === 6;
      const tcp = ip.subarray(v6 ? 40 : 20);
      const tv = new DataView(tcp.buffer, tcp.byteOffset, tcp.byteLength);
      return {
        t: v.getUint32(4, true) * 2 ** 32 + v.getUint32(8, true),
        ip,
        v6,
        seq: tv.getUint32(4),
        ack: tv.getUint32(8),
        flags: tcp[13]!,
        srcPort: tv.getUint16(0),
        payload: tcp.subarray((tcp[12]! >> 4) * 4),
      };
    });
}

const conn = (over: Partial<RecordedConnection> = {}): RecordedConnection => ({
  id: 1,
  client: { address: '127.0.0.1', port: 50000 },
  server: { address: '127.0.0.2', port: 8443 },
  openedAt: T0,
  closedAt: T0 + 500,
  chunks: [
    { dir: 'c2s', t: T0 + 10, bytes: text('hello') },
    { dir: 's2c', t: T0 + 20, bytes: text('world!') },
  ],
  ...over,
});

const { SYN, ACK, FIN, PSH, RST } = TcpFlag;

describe('writePcapng', () => {
  it('starts with a little-endian section header block of version 1.0', () => {
    const [shb] = blocks(writePcapng([conn()]));
    const v = new DataView(shb!.body.buffer, shb!.body.byteOffset);
    expect(shb!.type).toBe(BlockType.SHB);
    expect(v.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect([v.getUint16(4, true), v.getUint16(6, true)]).toEqual([1, 0]);
  });

  it('describes one raw-IP interface with microsecond timestamps', () => {
    const idbs = blocks(writePcapng([conn()])).filter((b) => b.type === BlockType.IDB);
    expect(idbs).toHaveLength(1);
    const body = idbs[0]!.body;
    expect(body[0]! | (body[1]! << 8)).toBe(LinkType.RAW);
    // if_tsresol (code 9, length 1) = 6.
    const options = [...body.subarray(8)];
    const at = options.findIndex((_, i) => options[i] === 9 && options[i + 1] === 0 && options[i + 2] === 1);
    expect(options[at + 4]).toBe(6);
  });

  it('embeds the key log in a TLSK decryption secrets block before the first packet', () => {
    const lines = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET 00aa 11bb', 'SERVER_HANDSHAKE_TRAFFIC_SECRET 00aa 22cc'];
    const all = blocks(writePcapng([conn()], { keylog: lines }));
    const dsb = all.findIndex((b) => b.type === BlockType.DSB);
    expect(dsb).toBeGreaterThan(0);
    expect(dsb).toBeLessThan(all.findIndex((b) => b.type === BlockType.EPB));
    const body = all[dsb]!.body;
    const v = new DataView(body.buffer, body.byteOffset);
    expect(v.getUint32(0, true)).toBe(SecretsType.TLS_KEY_LOG);
    expect(new TextDecoder().decode(body.subarray(8, 8 + v.getUint32(4, true)))).toBe(keylogText(lines));
  });

  it('writes no decryption secrets block without a key log', () => {
    expect(blocks(writePcapng([conn()], { keylog: [] })).some((b) => b.type === BlockType.DSB)).toBe(false);
  });

  it('opens with SYN, SYN-ACK, ACK at openedAt and closes with FIN, FIN, ACK at closedAt', () => {
    const all = packets(writePcapng([conn({ chunks: [] })]));
    expect(all.map((p) => [p.flags, p.t])).toEqual([
      [SYN, T0],
      [SYN | ACK, T0],
      [ACK, T0],
      [FIN | ACK, T0 + 500],
      [FIN | ACK, T0 + 500],
      [ACK, T0 + 500],
    ]);
  });

  it('ends a reset connection with one RST', () => {
    const all = packets(writePcapng([conn({ chunks: [], closedBy: 'rst' })]));
    expect(all.map((p) => p.flags)).toEqual([SYN, SYN | ACK, ACK, RST | ACK]);
  });

  it('writes no close for a connection still open', () => {
    const all = packets(writePcapng([conn({ chunks: [], closedAt: undefined })]));
    expect(all.map((p) => p.flags)).toEqual([SYN, SYN | ACK, ACK]);
  });

  it('numbers sequence and acknowledgement fields as RFC 9293 §3.4 counts bytes, SYN and FIN', () => {
    const [syn, synAck, , hello, ackHello, world, ackWorld, finC, finS, last] = packets(writePcapng([conn()]));
    const c = syn!.seq;
    const s = synAck!.seq;
    expect(synAck!.ack).toBe((c + 1) >>> 0);
    expect([hello!.seq, hello!.ack, hello!.flags]).toEqual([(c + 1) >>> 0, (s + 1) >>> 0, PSH | ACK]);
    expect(ackHello!.ack).toBe((c + 6) >>> 0);
    expect([world!.seq, world!.ack]).toEqual([(s + 1) >>> 0, (c + 6) >>> 0]);
    expect(ackWorld!.ack).toBe((s + 7) >>> 0);
    expect([finC!.seq, finS!.seq, finS!.ack, last!.ack]).toEqual([(c + 6) >>> 0, (s + 7) >>> 0, (c + 7) >>> 0, (s + 8) >>> 0]);
  });

  it('splits a chunk larger than the MSS into full segments with PSH only on the last', () => {
    const bytes = new Uint8Array(2500).map((_, i) => i);
    const all = packets(writePcapng([conn({ chunks: [{ dir: 's2c', t: T0 + 1, bytes }] })], { mss: 1000 }));
    const data = all.filter((p) => p.payload.length > 0);
    expect(data.map((p) => [p.payload.length, p.flags])).toEqual([
      [1000, ACK],
      [1000, ACK],
      [500, PSH | ACK],
    ]);
    expect(Buffer.concat(data.map((p) => p.payload))).toEqual(Buffer.from(bytes));
  });

  it('splits at 65495 bytes by default, the largest payload of one IPv4 packet', () => {
    const all = packets(writePcapng([conn({ chunks: [{ dir: 'c2s', t: T0 + 1, bytes: new Uint8Array(70_000) }] })]));
    expect(all.filter((p) => p.payload.length > 0).map((p) => p.payload.length)).toEqual([65495, 4505]);
  });

  it('writes valid IPv4 header and TCP checksums on every packet', () => {
    const all = packets(writePcapng([conn({ chunks: [{ dir: 'c2s', t: T0 + 1, bytes: new Uint8Array(99_999).fill(7) }] })]));
    for (const p of all) {
      expect(internetChecksum(p.ip, 0, 20)).toBe(0);
      expect(tcpChecksum(p.ip.subarray(12, 16), p.ip.subarray(16, 20), p.ip.subarray(20))).toBe(0);
    }
  });

  it('writes IPv6 packets with valid TCP checksums when the addresses are IPv6', () => {
    const all = packets(writePcapng([conn({ client: { address: '::1', port: 1 }, server: { address: 'fd00::2', port: 2 } })]));
    for (const p of all) {
      expect(p.v6).toBe(true);
      expect(tcpChecksum(p.ip.subarray(8, 24), p.ip.subarray(24, 40), p.ip.subarray(40))).toBe(0);
    }
  });

  it('maps an IPv4 end facing an IPv6 end into ::ffff:0:0/96', () => {
    const [syn] = packets(writePcapng([conn({ client: { address: '127.0.0.1', port: 1 }, server: { address: '::1', port: 2 } })]));
    expect(syn!.v6).toBe(true);
    expect([...syn!.ip.subarray(8, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
  });

  it('orders packets by time across connections', () => {
    const a = conn({ id: 1, openedAt: T0, closedAt: T0 + 100, chunks: [{ dir: 'c2s', t: T0 + 50, bytes: text('a') }] });
    const b = conn({ id: 2, client: { address: '127.0.0.1', port: 50001 }, openedAt: T0 + 20, closedAt: T0 + 60, chunks: [] });
    const times = packets(writePcapng([a, b])).map((p) => p.t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(new Set(packets(writePcapng([a, b])).map((p) => p.srcPort))).toEqual(new Set([50000, 50001, 8443]));
  });

  it('writes the same bytes for the same recording', () => {
    expect(writePcapng([conn()], { keylog: ['X 1 2'] })).toEqual(writePcapng([conn()], { keylog: ['X 1 2'] }));
  });

  it('refuses a host name where an address literal belongs', () => {
    expect(() => writePcapng([conn({ server: { address: 'auth.corp.test', port: 443 } })])).toThrow(TypeError);
  });

  it('refuses a port outside 0–65535', () => {
    expect(() => writePcapng([conn({ client: { address: '127.0.0.1', port: 70000 } })])).toThrow(RangeError);
  });

  it('refuses a time that is not a µs timestamp', () => {
    expect(() => writePcapng([conn({ openedAt: Number.NaN })])).toThrow(RangeError);
  });
});

describe('keylogText', () => {
  it('ends every line with a newline', () => {
    expect(keylogText(['A 1 2', 'B 3 4'])).toBe('A 1 2\nB 3 4\n');
  });

  it('drops blank lines and splits entries that hold several lines', () => {
    expect(keylogText(['A 1 2\n', '', 'B 3 4\r\nC 5 6'])).toBe('A 1 2\nB 3 4\nC 5 6\n');
  });

  it('is empty for no lines', () => {
    expect(keylogText([])).toBe('');
  });
});
