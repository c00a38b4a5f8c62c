/**
 * Turns one recorded connection back into the TCP/IP packets that carried it, so that any
 * tool reading the capture (Wireshark, tshark, tcpdump) follows the stream as if it had been
 * captured on the wire:
 *
 *   openedAt   client ─SYN─▶ server, ◀─SYN,ACK─, ─ACK─▶        (RFC 9293 §3.5, Figure 6)
 *   each chunk sender ─data (≤ MSS each, PSH on the last)─▶, receiver ◀─ACK─
 *   closedAt   client ─FIN,ACK─▶, ◀─FIN,ACK─, ─ACK─▶           (RFC 9293 §3.6, Figure 12)
 *              or one RST,ACK from the server when the recording says it was reset
 *
 * Sequence numbers start at an initial sequence number derived from the connection id (so
 * the same recording always gives the same file), advance by each byte sent and by one for
 * SYN and FIN (RFC 9293 §3.4), and wrap modulo 2^32.
 */
import { connectionComment } from './connectionComment.js';
import { ipv4Mapped, parseIp } from './ipAddress.js';
import type { Endpoint, RecordedConnection } from './recording.js';
import { encodeTcpPacket, MAX_SEGMENT_PAYLOAD, TcpFlag } from './tcpPacket.js';

export interface SyntheticPacket {
  /** µs since the Unix epoch. */
  t: number;
  /** An IPv4 or IPv6 packet (LINKTYPE_RAW). */
  packet: Uint8Array;
  /** A packet comment for people reading the capture (pcapng opt_comment). */
  comment?: string;
}

export interface SynthesizeOptions {
  /** Largest data payload per segment; defaults to the loopback MSS Linux advertises. */
  mss?: number;
}

/**
 * SYN options as Linux sends them: MSS (RFC 9293 §3.7.1), NOP, window scale 7 (RFC 7323
 * §2.2), NOP, NOP, SACK permitted (RFC 2018 §2). The scale lets the window field 0xffff
 * advertise 8 MiB, more than two full segments in flight, so no analyser reports a full
 * window.
 */
const WINDOW_SCALE = 7;
function synOptions(mss: number): Uint8Array {
  return Uint8Array.of(2, 4, mss >> 8, mss & 0xff, 1, 3, 3, WINDOW_SCALE, 1, 1, 4, 2);
}

/** murmur3's 32-bit finaliser: an even spread of ISNs from small ids. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkTime(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`${what}: ${value} is not a µs timestamp since the Unix epoch`);
  }
  return Math.round(value);
}

function checkEndpoint(endpoint: Endpoint, what: string): Uint8Array {
  const address = parseIp(endpoint.address);
  if (!address) throw new TypeError(`${what}.address: "${endpoint.address}" is not an IPv4 or IPv6 literal`);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 0xffff) {
    throw new RangeError(`${what}.port: ${endpoint.port} is not a TCP port (0–65535)`);
  }
  return address;
}

export function synthesizeConnection(conn: RecordedConnection, options: SynthesizeOptions = {}): SyntheticPacket[] {
  const mss = options.mss ?? MAX_SEGMENT_PAYLOAD;
  if (!Number.isInteger(mss) || mss < 1 || mss > MAX_SEGMENT_PAYLOAD) {
    throw new RangeError(`synthesize: mss ${mss} is outside 1–${MAX_SEGMENT_PAYLOAD}`);
  }
  const what = `connection ${conn.id}`;
  let clientAddress = checkEndpoint(conn.client, `${what}.client`);
  let serverAddress = checkEndpoint(conn.server, `${what}.server`);
  // An IPv4 end facing an IPv6 end is what a dual-stack socket reports as ::ffff:a.b.c.d.
  if (clientAddress.length !== serverAddress.length) {
    if (clientAddress.length === 4) clientAddress = ipv4Mapped(clientAddress);
    else serverAddress = ipv4Mapped(serverAddress);
  }

  const packets: SyntheticPacket[] = [];
  let clock = checkTime(conn.openedAt, `${what}.openedAt`);
  // Packets stay in recording order even if a clock stepped back: time never decreases.
  const at = (t: number, label: string): number => (clock = Math.max(clock, checkTime(t, label)));

  const ends = {
    c2s: { address: clientAddress, port: conn.client.port, seq: mix32(conn.id * 2 + 1), ipId: mix32(conn.id) & 0xffff },
    s2c: { address: serverAddress, port: conn.server.port, seq: mix32(conn.id * 2 + 2), ipId: mix32(~conn.id) & 0xffff },
  };
  const send = (t: number, dir: 'c2s' | 's2c', flags: number, payload?: Uint8Array, comment?: string): void => {
    const from = ends[dir];
    const to = ends[dir === 'c2s' ? 's2c' : 'c2s'];
    const syn = (flags & TcpFlag.SYN) !== 0;
    const packet = encodeTcpPacket({
      src: from.address,
      dst: to.address,
      srcPort: from.port,
      dstPort: to.port,
      seq: from.seq,
      ack: flags & TcpFlag.ACK ? to.seq : 0,
      flags,
      // RFC 7323 §2.2: the window in a SYN is never scaled.
      window: 0xffff,
      ...(syn ? { options: synOptions(mss) } : {}),
      ...(payload ? { payload } : {}),
      ipId: from.ipId,
    });
    from.ipId = (from.ipId + 1) & 0xffff;
    from.seq = (from.seq + (payload?.length ?? 0) + (syn || flags & TcpFlag.FIN ? 1 : 0)) >>> 0;
    packets.push(comment === undefined ? { t, packet } : { t, packet, comment });
  };

  send(clock, 'c2s', TcpFlag.SYN, undefined, connectionComment(conn.id));
  send(clock, 's2c', TcpFlag.SYN | TcpFlag.ACK);
  send(clock, 'c2s', TcpFlag.ACK);

  for (const [i, chunk] of conn.chunks.entries()) {
    const t = at(chunk.t, `${what}.chunks[${i}].t`);
    const bytes = chunk.bytes;
    const receiver = chunk.dir === 'c2s' ? 's2c' : 'c2s';
    let segments = 0;
    for (let offset = 0; offset < bytes.length; offset += mss) {
      const last = offset + mss >= bytes.length;
      send(t, chunk.dir, TcpFlag.ACK | (last ? TcpFlag.PSH : 0), bytes.subarray(offset, offset + mss));
      // A receiver acknowledges at least every second full-sized segment (RFC 9293 §3.8.6.3).
      if (last || ++segments % 2 === 0) send(t, receiver, TcpFlag.ACK);
    }
  }

  if (conn.closedAt !== undefined) {
    const t = at(conn.closedAt, `${what}.closedAt`);
    if (conn.closedBy === 'rst') {
      send(t, 's2c', TcpFlag.RST | TcpFlag.ACK);
    } else {
      send(t, 'c2s', TcpFlag.FIN | TcpFlag.ACK);
      send(t, 's2c', TcpFlag.FIN | TcpFlag.ACK);
      send(t, 'c2s', TcpFlag.ACK);
    }
  }
  return packets;
}
