/**
 * The TLS-aware wire faults: what no TCP proxy can do, because each needs the record
 * boundaries (recordScanner.ts) — and each gives the failure a real TLS stack gives.
 *
 *   … ⇄ tap ⇄ [mtu-blackhole | corrupt-handshake | inject-alert | reset-after-finished | plaintext-answer] ⇄ …
 *
 * A record-wise fault holds a partial record until it is whole (the peer could not use it
 * before either), and once its work is done hands every later byte on as it comes.
 */
import { contentType, RecordScanner, type ScannedRecord } from './recordScanner.js';
import type { ChunkMark, Toxic, ToxicStub, WireChunk } from './toxic.js';

/** What one chunk becomes: bytes for the far end, with the marks of what the fault did to them. */
class Output {
  readonly parts: Buffer[] = [];
  readonly marks: ChunkMark[] = [];
  /** Bytes the fault drops here, in order after what passed before them. */
  readonly drops: Array<{ bytes: number; note: string }> = [];
  length = 0;

  constructor(readonly fault: string) {}

  pass(bytes: Buffer): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** `bytes` (one record) passes with bytes [start, end) of it marked. */
  mark(kind: ChunkMark['kind'], bytes: Buffer, start: number, end: number, note: string): void {
    this.marks.push({ kind, start: this.length + start, end: this.length + end, fault: this.fault, note, contentType: bytes[0]! });
    this.pass(bytes);
  }

  drop(bytes: number, note: string): void {
    this.drops.push({ bytes, note });
  }

  chunk(readAtMs: number): WireChunk | undefined {
    if (this.length === 0) return undefined;
    return { bytes: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts), readAtMs, ...(this.marks.length ? { marks: this.marks } : {}) };
  }
}

/**
 * What a fault decides on a record: pass it and look at the next (`more`); pass everything
 * from here on (`done`); or the stream stops here — every byte after it dropped, marked —
 * and ends (`end`), or both legs are reset (`reset`).
 */
type Decision = 'more' | 'done' | { stop: 'end' | 'reset'; note: string };

/** Runs `visit` on each whole record of the stream until it decides otherwise; a stream that is not TLS passes untouched. */
async function forEachRecord(stub: ToxicStub, fault: string, visit: (record: ScannedRecord, out: Output) => Decision): Promise<void> {
  const scanner = new RecordScanner();
  let decided: Decision = 'more';
  for (let chunk = await stub.read(); chunk; chunk = await stub.read()) {
    if (decided === 'done') {
      stub.write(chunk);
      continue;
    }
    if (typeof decided === 'object') {
      stub.drop(chunk.bytes.length, decided.note);
      continue;
    }
    scanner.push(chunk.bytes);
    const out = new Output(fault);
    for (let next = scanner.next(); next; next = scanner.next()) {
      if ('raw' in next) {
        out.pass(next.raw);
        decided = 'done';
        break;
      }
      decided = visit(next.record, out);
      if (decided !== 'more') break;
    }
    const rest = decided === 'more' ? Buffer.alloc(0) : scanner.rest();
    const ready = out.chunk(chunk.readAtMs);
    if (ready) stub.write(ready);
    for (const drop of out.drops) stub.drop(drop.bytes, drop.note);
    if (decided === 'done') {
      if (rest.length) stub.write({ bytes: rest, readAtMs: chunk.readAtMs });
    } else if (typeof decided === 'object') {
      if (rest.length) stub.drop(rest.length, decided.note);
      if (decided.stop === 'reset') {
        stub.reset(decided.note);
        return;
      }
    }
  }
  // The end came with a partial record held: the far end gets it, as it would have.
  const rest = scanner.rest();
  if (rest.length && decided !== 'done' && typeof decided !== 'object') stub.write({ bytes: rest, readAtMs: performance.now() });
}

/**
 * A path-MTU blackhole: a record longer than `maxRecordBytes` (header included) vanishes —
 * as when ICMP "fragmentation needed" is filtered and the too-big segments are dropped on
 * the path (RFC 2923 §2.1). TCP delivers in order, so nothing after it arrives either: a
 * handshake whose certificate chain fills a big record hangs, while a small request passes.
 */
export function mtuBlackholeToxic({ maxRecordBytes }: { maxRecordBytes: number }): Toxic {
  return {
    pipe: (stub) =>
      forEachRecord(stub, 'mtu-blackhole', (record, out) => {
        if (record.bytes.length <= maxRecordBytes) {
          out.pass(record.bytes);
          return 'more';
        }
        out.drop(record.bytes.length, `mtu-blackhole: a ${record.bytes.length}-byte record, above ${maxRecordBytes}, vanished on the path; nothing after it gets through`);
        return { stop: 'end', note: 'mtu-blackhole: stuck behind the record that vanished (TCP delivers in order)' };
      }),
  };
}

/**
 * Changes one byte of the `record`th protected handshake record of this direction: in TLS 1.3
 * the first records of type application_data (23) after ServerHello are the encrypted
 * handshake flight (RFC 8446 §5.2), in TLS 1.2 the handshake records after ChangeCipherSpec.
 * The AEAD tag then fails: the peer answers bad_record_mac (20), RFC 8446 §5.2.
 */
export function corruptHandshakeToxic({ record: nth }: { record: number }): Toxic {
  let afterCcs = false;
  let protectedRecords = 0;
  return {
    pipe: (stub) =>
      forEachRecord(stub, 'corrupt-handshake', (record, out) => {
        const type = record.contentType;
        if (type === contentType.changeCipherSpec) afterCcs = true;
        const isProtected = type === contentType.applicationData || (afterCcs && type === contentType.handshake);
        if (!isProtected || ++protectedRecords < nth) {
          out.pass(record.bytes);
          return 'more';
        }
        const at = 5 + Math.floor((record.bytes.length - 5) / 2);
        record.bytes[at] = record.bytes[at]! ^ 0xff;
        out.mark('changed', record.bytes, at, at + 1, `corrupt-handshake: the tap flipped byte ${at} of this ${record.bytes.length}-byte protected handshake record`);
        return 'done';
      }),
  };
}

/**
 * A fatal alert towards this direction's receiver, in place of the `afterRecords + 1`th record
 * of the stream, then the end: what a middlebox (or a dying peer) sends. A plaintext record
 * (RFC 8446 §6: level fatal (2), then the description), as one that holds no keys can send.
 */
export function injectAlertToxic({ alert, afterRecords }: { alert: number; afterRecords: number }): Toxic {
  let seen = 0;
  return {
    pipe: (stub) =>
      forEachRecord(stub, 'inject-alert', (record, out) => {
        if (seen++ < afterRecords) {
          out.pass(record.bytes);
          return 'more';
        }
        const injected = Buffer.from([contentType.alert, 0x03, 0x03, 0x00, 0x02, 0x02, alert]);
        out.mark('injected', injected, 0, injected.length, `inject-alert: the tap sent a fatal alert (${alert}) the peer never sent`);
        out.drop(record.bytes.length, 'inject-alert: the record the alert stands in for');
        return { stop: 'end', note: 'inject-alert: after the injected alert the stream ends' };
      }),
  };
}

/**
 * The Finished of TLS 1.3 is the first protected record whose fragment is 4 (header) +
 * Hash.length (32 or 48, RFC 8446 §4.4.4) + 1 (content type) + 16 (AEAD tag) bytes: 53 or
 * 69; no other handshake message of this flight has those sizes. In TLS 1.2 it is the
 * first handshake record after ChangeCipherSpec (RFC 5246 §7.4.9).
 */
const tls13FinishedFragments = new Set([53, 69]);

/**
 * Passes this side's Finished, then resets both legs: in TLS 1.3 the client believes it is
 * connected once its Finished is sent (RFC 8446 §4.4.4) — the "connected, then reset" of a
 * client-auth failure, here with no failure behind it but the tap.
 */
export function resetAfterFinishedToxic(): Toxic {
  let afterCcs = false;
  return {
    pipe: (stub) =>
      forEachRecord(stub, 'reset-after-finished', (record, out) => {
        const type = record.contentType;
        out.pass(record.bytes);
        if (type === contentType.changeCipherSpec) afterCcs = true;
        const finished = (afterCcs && type === contentType.handshake) || (type === contentType.applicationData && tls13FinishedFragments.has(record.bytes.length - 5));
        if (!finished) return 'more';
        return { stop: 'reset', note: 'reset-after-finished: the tap reset both legs right after the Finished passed' };
      }),
  };
}

/**
 * A middlebox on the TLS port that answers in plain HTTP (a captive portal, a proxy that
 * does not speak TLS): in place of the first bytes from this side, an HTTP response. The
 * TLS peer reads "HTTP/" as a record header whose version is not TLS: OpenSSL's
 * `wrong version number`.
 */
export function plaintextAnswerToxic({ status }: { status: number }): Toxic {
  const body = '<html><body>Blocked by policy</body></html>\n';
  const answer = Buffer.from(`HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\nServer: middlebox\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  return {
    async pipe(stub) {
      const first = await stub.read();
      if (!first) return;
      stub.drop(first.bytes.length, 'plaintext-answer: what the service sent, in place of which the middlebox answered');
      stub.write({ bytes: answer, readAtMs: first.readAtMs, marks: [{ kind: 'injected', start: 0, end: answer.length, fault: 'plaintext-answer', note: `plaintext-answer: a middlebox answered in plain HTTP (${status}) on the TLS port` }] });
      for (let chunk = await stub.read(); chunk; chunk = await stub.read()) stub.drop(chunk.bytes.length, 'plaintext-answer: the service, cut off by the middlebox');
    },
  };
}

const reasons: Record<number, string> = { 200: 'OK', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' };
