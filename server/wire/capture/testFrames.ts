/**
 * Hand-built packets and capture files for the capture tests: one TCP conversation between
 * a client and a server with fixed initial sequence numbers, wrapped in whichever link
 * layer and container a test needs. Test support only; nothing in the product imports it.
 */
import { ByteWriter } from './byteWriter.js';
import { parseIp } from './ipAddress.js';
import { BlockType, BYTE_ORDER_MAGIC } from './pcapngBlocks.js';
import { encodeTcpPacket, TcpFlag } from './tcpPacket.js';

export const T0 = 1_700_000_000_000_000;
export const { SYN, ACK, FIN, PSH, RST } = TcpFlag;
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export interface Conversation {
  client: { address: string; port: number };
  server: { address: string; port: number };
  clientIsn: number;
  serverIsn: number;
}

export const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  client: { address: '10.0.0.1', port: 40000 },
  server: { address: '10.0.0.2', port: 8443 },
  clientIsn: 1000,
  serverIsn: 5000,
  ...over,
});

/**
 * One packet of the conversation: `from` sends at `offset` bytes into its stream (0 = the
 * first data byte; -1 = the SYN), acknowledging `ackOffset` bytes of the other stream.
 */
export function packet(conv: Conversation, from: 'c' | 's', offset: number, flags: number, payload: Uint8Array | string = '', ackOffset = 0): Uint8Array {
  const [me, peer, isn, peerIsn] =
    from === 'c' ? [conv.client, conv.server, conv.clientIsn, conv.serverIsn] : [conv.server, conv.client, conv.serverIsn, conv.clientIsn];
  return encodeTcpPacket({
    src: parseIp(me.address)!,
    dst: parseIp(peer.address)!,
    srcPort: me.port,
    dstPort: peer.port,
    seq: (isn + 1 + offset) >>> 0,
    ack: flags & ACK ? (peerIsn + 1 + ackOffset) >>> 0 : 0,
    flags,
    window: 0xffff,
    payload: typeof payload === 'string' ? text(payload) : payload,
  });
}

/** SYN, SYN-ACK, ACK. */
export const handshake = (conv: Conversation): Uint8Array[] => [
  packet(conv, 'c', -1, SYN),
  packet(conv, 's', -1, SYN | ACK),
  packet(conv, 'c', 0, ACK),
];

export const concat = (...parts: Array<Uint8Array | number[]>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const etherTypeOf = (ip: Uint8Array): number[] => (ip[0]! >> 4 === 6 ? [0x86, 0xdd] : [0x08, 0x00]);

/** Ethernet II (IEEE 802.3 §3.1.1) with any 802.1Q tags (TPID 0x8100, TCI = VLAN id). */
export const ethernet = (ip: Uint8Array, vlans: number[] = [], tpid = 0x8100): Uint8Array =>
  concat(
    [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1],
    vlans.flatMap((id) => [tpid >> 8, tpid & 0xff, id >> 8, id & 0xff]),
    etherTypeOf(ip),
    ip,
  );

/** LINUX_SLL: packet type, ARPHRD_LOOPBACK (772), address length, address (8), protocol. */
export const sll = (ip: Uint8Array): Uint8Array => concat([0, 0, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0], etherTypeOf(ip), ip);

/** LINUX_SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, address (8). */
export const sll2 = (ip: Uint8Array): Uint8Array => concat(etherTypeOf(ip), [0, 0, 0, 0, 0, 1, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0], ip);

/** NULL: the address family as a 32-bit little-endian number (a little-endian capturing host). */
export const nullLoopback = (ip: Uint8Array, family: number): Uint8Array => concat([family, 0, 0, 0], ip);

/** A pcapng file built block by block, in either byte order. */
export class PcapngBuilder {
  readonly w: ByteWriter;

  constructor(littleEndian = true) {
    this.w = new ByteWriter(littleEndian);
  }

  block(type: number, body: (w: ByteWriter) => void): this {
    const start = this.w.length;
    this.w.u32(type).u32(0);
    body(this.w);
    this.w.pad4();
    const total = this.w.length - start + 4;
    this.w.u32(total);
    this.w.patchU32(start + 4, total);
    return this;
  }

  section(): this {
    return this.block(BlockType.SHB, (w) => w.u32(BYTE_ORDER_MAGIC).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
  }

  /** `tsresol` is the if_tsresol byte (default: absent, i.e. µs); `tsoffset` seconds. */
  iface(linkType: number, options: { tsresol?: number; tsoffset?: number; snapLength?: number } = {}): this {
    return this.block(BlockType.IDB, (w) => {
      w.u16(linkType).u16(0).u32(options.snapLength ?? 0);
      if (options.tsresol !== undefined) w.u16(9).u16(1).u8(options.tsresol).pad4();
      if (options.tsoffset !== undefined) {
        w.u16(14).u16(8);
        if (w.littleEndian) w.u32(options.tsoffset).u32(0);
        else w.u32(0).u32(options.tsoffset);
      }
      w.u16(0).u16(0);
    });
  }

  /** An EPB with a raw 64-bit tick count. */
  packet(interfaceId: number, ticks: bigint, data: Uint8Array): this {
    return this.block(BlockType.EPB, (w) => {
      w.u32(interfaceId).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
      w.u32(data.length).u32(data.length).bytes(data).pad4();
    });
  }

  finish(): Uint8Array {
    return this.w.finish();
  }
}
