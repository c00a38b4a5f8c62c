/**
 * TCP segments, in capture order → the byte streams each end sent, per connection.
 *
 *   segment ─▶ flow (by 4-tuple; a new SYN after FIN/RST starts a new flow)
 *           ─▶ half (one per direction): in order → delivered; ahead → held until the gap
 *              fills; behind (a retransmission, an overlap) → only its new bytes delivered
 *           ─▶ chunks, both directions interleaved in delivery order
 *
 * Sequence arithmetic is modulo 2^32 (RFC 9293 §3.4): "is a before b" is the sign of the
 * 32-bit difference. SYN and FIN each occupy one sequence number. The first copy of a byte
 * wins, as in Wireshark's reassembly: a retransmission with different contents changes
 * nothing already delivered.
 *
 * A chunk is what one end pushed: consecutive in-order segments of one direction up to and
 * including one with PSH (RFC 9293 §3.9.1.2: the sender's "push" marks the end of what it
 * wrote), or until the other direction speaks. A chunk's time is when its first bytes
 * became readable in order, which for segments that arrived early is when the gap filled.
 *
 * Memory is bounded: held segments are views into the capture, and each direction holds at
 * most `maxBufferedBytes` and `maxBufferedSegments`; past either, the earliest gap is
 * declared lost, reported, and reading goes on after it.
 */
import { connectionIdOf } from './connectionComment.js';
import type { TcpSegment } from './ipTcp.js';
import type { Endpoint, RecordedChunk, RecordedConnection } from './recording.js';

export interface ReassemblyOptions {
  /** Out-of-order payload bytes held per direction (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Out-of-order segments held per direction (default 4096). */
  maxBufferedSegments?: number;
}

const defaults: Required<ReassemblyOptions> = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxBufferedSegments: 4096,
};

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** a − b as a signed 32-bit distance (RFC 9293 §3.4 sequence number comparisons). */
const seqDiff = (a: number, b: number): number => (a - b) | 0;
const seqAdd = (a: number, n: number): number => (a + n) >>> 0;

type Side = 0 | 1;
const other = (side: Side): Side => (side === 0 ? 1 : 0);

interface Held {
  seq: number;
  payload: Uint8Array;
  missing: number;
  fin: boolean;
  psh: boolean;
  /** When the segment was captured. */
  t: number;
}

interface Half {
  isn?: number;
  /** The next sequence number expected; unknown until this end's SYN or first data. */
  next?: number;
  /** Stream bytes accounted for so far (delivered or declared lost), for messages. */
  offset: number;
  fin: boolean;
  held: Held[];
  heldBytes: number;
}

interface Chunk {
  from: Side;
  t: number;
  parts: Uint8Array[];
}

interface Flow {
  order: number;
  ends: [Endpoint, Endpoint];
  half: [Half, Half];
  /** The side that sent the SYN, once known. */
  client?: Side;
  firstSender?: Side;
  openedAt: number;
  closedAt?: number;
  closedBy?: 'fin' | 'rst';
  chunks: Chunk[];
  /** Each side's chunk still open to more bytes (no PSH yet). */
  open: [Chunk | undefined, Chunk | undefined];
  idHint?: number;
}

const newHalf = (): Half => ({ offset: 0, fin: false, held: [], heldBytes: 0 });

const endpointText = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

export class TcpReassembler {
  readonly #options: Required<ReassemblyOptions>;
  readonly #warn: (message: string) => void;
  readonly #flows = new Map<string, Flow>();
  readonly #done: Flow[] = [];
  #order = 0;

  constructor(warn: (message: string) => void, options: ReassemblyOptions = {}) {
    this.#options = { ...defaults, ...options };
    for (const name of ['maxBufferedBytes', 'maxBufferedSegments'] as const) {
      const value = this.#options[name];
      if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`readCapture options.${name}: ${value} is not a whole number of at least 0`);
    }
    this.#warn = warn;
  }

  push(segment: TcpSegment, t: number, comment?: string): void {
    const a = `${segment.src}|${segment.srcPort}`;
    const b = `${segment.dst}|${segment.dstPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    const syn = (segment.flags & SYN) !== 0;
    const ack = (segment.flags & ACK) !== 0;
    let flow = this.#flows.get(key);
    if (flow && syn && !ack) {
      // A SYN starts a new connection on the same 4-tuple (RFC 9293 §3.5: after TIME-WAIT,
      // or port reuse), unless it is a retransmission of the SYN this flow began with.
      const half = flow.half[this.#sideOf(flow, segment)];
      const retransmitted = half.isn === segment.seq && flow.closedAt === undefined;
      if (!retransmitted) {
        this.#finish(flow);
        flow = undefined;
      }
    }
    if (!flow) {
      flow = this.#create(key, segment, t, comment);
    }
    if (flow.closedAt !== undefined) return;
    const side = this.#sideOf(flow, segment);
    const half = flow.half[side];

    if (segment.flags & RST) {
      flow.closedAt = t;
      flow.closedBy = 'rst';
      return;
    }
    let dataSeq = segment.seq;
    if (syn) {
      if (!ack) flow.client = side;
      else flow.client ??= other(side);
      if (half.isn === undefined && half.next === undefined) {
        half.isn = segment.seq;
        half.next = seqAdd(segment.seq, 1);
      }
      dataSeq = seqAdd(segment.seq, 1);
    }
    const fin = (segment.flags & FIN) !== 0;
    if (segment.payload.length === 0 && segment.missing === 0 && !fin) return;
    half.next ??= dataSeq;
    this.#accept(flow, side, { seq: dataSeq, payload: segment.payload, missing: segment.missing, fin, psh: (segment.flags & PSH) !== 0, t }, t);
  }

  /** Every connection seen, in the order each began. */
  finish(): RecordedConnection[] {
    for (const flow of this.#flows.values()) this.#finish(flow);
    this.#flows.clear();
    const flows = this.#done.sort((x, y) => x.order - y.order);
    const used = new Set<number>();
    const ids = flows.map((flow) => {
      const hint = flow.idHint;
      if (hint === undefined || used.has(hint)) return undefined;
      used.add(hint);
      return hint;
    });
    let next = 1;
    return flows.map((flow, i) => {
      let id = ids[i];
      if (id === undefined) {
        while (used.has(next)) next++;
        id = next;
        used.add(id);
      }
      return this.#connection(flow, id);
    });
  }

  #sideOf(flow: Flow, segment: TcpSegment): Side {
    const first = flow.ends[0];
    return first.address === segment.src && first.port === segment.srcPort ? 0 : 1;
  }

  #create(key: string, segment: TcpSegment, t: number, comment: string | undefined): Flow {
    const flow: Flow = {
      order: this.#order++,
      ends: [
        { address: segment.src, port: segment.srcPort },
        { address: segment.dst, port: segment.dstPort },
      ],
      half: [newHalf(), newHalf()],
      openedAt: t,
      chunks: [],
      open: [undefined, undefined],
    };
    const hint = connectionIdOf(comment);
    if (hint !== undefined) flow.idHint = hint;
    this.#flows.set(key, flow);
    return flow;
  }

  #label(flow: Flow, side: Side): string {
    return `${endpointText(flow.ends[side])} → ${endpointText(flow.ends[other(side)])}`;
  }

  #accept(flow: Flow, side: Side, segment: Held, t: number): void {
    const half = flow.half[side];
    if (half.fin || half.next === undefined) return;
    const ahead = seqDiff(segment.seq, half.next);
    if (ahead > 0) {
      this.#hold(flow, side, segment, ahead, t);
      return;
    }
    this.#consume(flow, side, segment, -ahead, t);
    this.#drain(flow, side, t);
  }

  /** A segment that starts at or before `next`: its bytes past `next` are new. */
  #consume(flow: Flow, side: Side, segment: Held, behind: number, t: number): void {
    const half = flow.half[side];
    if (half.next === undefined) return;
    if (behind < segment.payload.length) {
      const data = segment.payload.subarray(behind);
      this.#deliver(flow, side, data, segment.psh, t);
      half.next = seqAdd(half.next, data.length);
      half.offset += data.length;
    }
    const end = seqAdd(segment.seq, segment.payload.length + segment.missing);
    const lost = seqDiff(end, half.next);
    if (lost > 0) {
      this.#warn(`${this.#label(flow, side)}: ${lost} bytes after stream byte ${half.offset} were not captured (snap length); reading on after the gap`);
      half.next = end;
      half.offset += lost;
      flow.open[side] = undefined;
    }
    if (segment.fin && seqDiff(end, half.next) === 0) {
      // The FIN occupies the sequence number after the last data byte (RFC 9293 §3.4).
      half.fin = true;
      half.next = seqAdd(half.next, 1);
      flow.open[side] = undefined;
      if (flow.half[other(side)].fin) {
        flow.closedAt = t;
        flow.closedBy = 'fin';
      }
    }
  }

  #hold(flow: Flow, side: Side, segment: Held, ahead: number, t: number): void {
    const half = flow.half[side];
    if (half.next === undefined) return;
    const next = half.next;
    let at = half.held.length;
    while (at > 0 && seqDiff(half.held[at - 1]!.seq, next) > ahead) at--;
    const before = half.held[at - 1];
    // A retransmission of a segment already held adds nothing (and must not fill the buffer).
    if (before && before.seq === segment.seq && before.payload.length >= segment.payload.length && (before.fin || !segment.fin)) return;
    half.held.splice(at, 0, segment);
    half.heldBytes += segment.payload.length;
    while (half.held.length > 0 && (half.heldBytes > this.#options.maxBufferedBytes || half.held.length > this.#options.maxBufferedSegments)) {
      this.#skipGap(flow, side, t, 'more out-of-order data arrived than is held');
    }
  }

  #drain(flow: Flow, side: Side, t: number): void {
    const half = flow.half[side];
    while (half.held.length > 0 && half.next !== undefined) {
      const first = half.held[0]!;
      const ahead = seqDiff(first.seq, half.next);
      if (ahead > 0) return;
      half.held.shift();
      half.heldBytes -= first.payload.length;
      if (!half.fin) this.#consume(flow, side, first, -ahead, Math.max(t, first.t));
    }
  }

  /** Declares the bytes before the earliest held segment lost and reads on from there. */
  #skipGap(flow: Flow, side: Side, t: number, why: string): void {
    const half = flow.half[side];
    const first = half.held[0];
    if (!first) return;
    if (half.next === undefined) {
      half.held = [];
      half.heldBytes = 0;
      return;
    }
    const gap = seqDiff(first.seq, half.next);
    if (gap > 0) {
      this.#warn(`${this.#label(flow, side)}: ${gap} bytes after stream byte ${half.offset} are missing from the capture (${why}); reading on after the gap`);
      half.next = first.seq;
      half.offset += gap;
      flow.open[side] = undefined;
    }
    this.#drain(flow, side, t);
  }

  #deliver(flow: Flow, side: Side, data: Uint8Array, psh: boolean, t: number): void {
    if (data.length === 0) return;
    flow.firstSender ??= side;
    flow.open[other(side)] = undefined;
    let chunk = flow.open[side];
    if (chunk) {
      chunk.parts.push(data);
    } else {
      chunk = { from: side, t, parts: [data] };
      flow.chunks.push(chunk);
    }
    flow.open[side] = psh ? undefined : chunk;
  }

  #finish(flow: Flow): void {
    for (const side of [0, 1] as const) {
      const half = flow.half[side];
      while (half.held.length > 0 && !half.fin) this.#skipGap(flow, side, half.held[0]!.t, 'the capture ends before the gap is filled');
      half.held = [];
      half.heldBytes = 0;
    }
    this.#done.push(flow);
  }

  #clientSide(flow: Flow): Side {
    if (flow.client !== undefined) return flow.client;
    const [p0, p1] = [flow.ends[0].port, flow.ends[1].port];
    let side: Side;
    let why: string;
    if ((p0 < 1024) !== (p1 < 1024)) {
      side = p0 < 1024 ? 1 : 0;
      why = `port ${Math.min(p0, p1)} is a well-known service port`;
    } else if (flow.firstSender !== undefined) {
      side = flow.firstSender;
      why = 'it sent data first, as TLS and HTTP clients do';
    } else {
      side = p0 <= p1 ? 1 : 0;
      why = 'the other end has the lower port';
    }
    this.#warn(`no SYN was captured for ${this.#label(flow, side)}: took ${endpointText(flow.ends[side])} as the client because ${why}`);
    return side;
  }

  #connection(flow: Flow, id: number): RecordedConnection {
    const client = this.#clientSide(flow);
    const chunks: RecordedChunk[] = flow.chunks.map((chunk) => ({
      dir: chunk.from === client ? 'c2s' : 's2c',
      t: chunk.t,
      bytes: concat(chunk.parts),
    }));
    const conn: RecordedConnection = {
      id,
      client: flow.ends[client],
      server: flow.ends[other(client)],
      openedAt: flow.openedAt,
      chunks,
    };
    if (flow.closedAt !== undefined) {
      conn.closedAt = flow.closedAt;
      conn.closedBy = flow.closedBy ?? 'fin';
    }
    return conn;
  }
}

/** One new array: results never alias the capture the caller passed in. */
function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
