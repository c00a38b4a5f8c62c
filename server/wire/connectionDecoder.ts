/**
 * One TCP connection, as the tap saw it, decoded into annotated messages:
 *
 *   client ⇄ tap ⇄ service
 *            │ chunks per direction (µs timestamps) + key-log lines from both ends
 *            ▼
 *   RecordDeframer ─▶ [RecordOpener, when protected and keys exist] ─▶ HandshakeReassembler
 *            ─▶ parseHandshake / parseAlerts / application data ─▶ DecodedMessage[]
 *
 * The decoder follows the state machine only as far as it must to know which secret
 * protects each record: TLS 1.3 switches to handshake keys after ServerHello and to
 * application keys after each side's Finished (RFC 8446 §7.1, §7.3), and KeyUpdate moves a
 * side to its next secret (§7.2); TLS 1.2 protects a side's records after its
 * ChangeCipherSpec (RFC 5246 §7.1). Hostile input yields `DecodeError`s in `errors`,
 * never an exception, never an unbounded loop or buffer.
 *
 * Fed live (`holdForKeys`), the key log fills in while the bytes flow: the ends log a secret
 * over IPC at about the time they send the first record it protects, and the record may win
 * the race. A record whose secret is not logged yet is held, with every chunk after it, until
 * `resume()` finds the secret or is told to give up; so a live decoder decodes exactly what
 * decodeConnection would with the secrets it ends up with.
 */
import { alertNote } from '../faults/alerts.js';
import { parseAlerts, parseChangeCipherSpec, type AlertInfo } from './alert.js';
import { cipherSuiteName, contentTypeName, contentTypes, handshakeTypeName, versionName } from './codepoints.js';
import { HandshakeReassembler, RecordDeframer, type TlsRecord } from './deframer.js';
import { field, printable, toHex, type Field } from './field.js';
import { parseHandshake, type HandshakeFacts } from './handshake.js';
import { aeadSuite, keyExchangeOf, nextTrafficSecret, tls12KeyBlock, trafficKeys } from './keySchedule.js';
import type { KeyLog, KeyLogLabel } from './keylog.js';
import { DecodeError } from './reader.js';
import { Tls12RecordOpener, Tls13RecordOpener, type OpenedRecord, type RecordOpener } from './recordProtection.js';

export type Direction = 'c2s' | 's2c';

export interface TapChunk {
  dir: Direction;
  /** Microseconds, on any monotonic clock shared by both directions. */
  t: number;
  bytes: Uint8Array;
}

export type MessageLayer = 'record' | 'handshake' | 'alert' | 'ccs' | 'application' | 'plaintext';

export interface DecodedMessage {
  dir: Direction;
  t: number;
  layer: MessageLayer;
  /** `ClientHello`, `alert`, `application_data`, `encrypted_record`, … */
  type: string;
  /** True when the message was decrypted from ciphertext with a logged secret. */
  encrypted: boolean;
  fields: Field[];
  summary: string;
  /** The message's bytes (field offsets index into these); omitted once the retention budget is spent. */
  bytes?: Uint8Array;
  alert?: AlertInfo;
  /** Set on an `unopened_records` message: how many application-data records it stands for. */
  records?: number;
}

export interface DecodeInput {
  chunks: TapChunk[];
  keylog?: KeyLog;
}

export interface DecodedConnection {
  /** Negotiated version, e.g. `TLS 1.3`, once a ServerHello was seen. */
  version?: string;
  /** Negotiated cipher suite name, once a ServerHello was seen. */
  cipherSuite?: string;
  messages: DecodedMessage[];
  errors: DecodeError[];
}

export interface DecoderLimits {
  /** Messages kept per connection; past this, decoding stops with a `too-large` error. */
  maxMessages: number;
  /** Bytes kept in `DecodedMessage.bytes` per connection; past this, bytes are omitted. */
  maxRetainedBytes: number;
  /** Plaintext (non-TLS) bytes kept per direction. */
  maxPlaintextBytes: number;
  /** Application-data records opened per direction; past these, large ones are counted, not opened (see skipApplicationRecord). */
  openedApplicationRecords: number;
}

export interface DecoderOptions {
  /** Hold a record whose secret the key log lacks (and what follows it) until `resume()`. */
  holdForKeys?: boolean;
}

export const defaultLimits: DecoderLimits = {
  maxMessages: 20_000,
  maxRetainedBytes: 16 * 1024 * 1024,
  maxPlaintextBytes: 64 * 1024,
  openedApplicationRecords: 8,
};

/**
 * The largest protected record that may carry something other than application data once
 * the handshake is done: a TLS 1.3 encrypted alert is 2 bytes + 1 content type + a 16-byte
 * tag (19), a KeyUpdate 4 + 1 + 1 + 16 (22), unpadded (RFC 8446 §5.2, §6, §4.6.3).
 */
const maxControlRecordBytes = 22;

type Epoch =
  | { kind: 'tls13'; label: KeyLogLabel; updates: number; skipped: number }
  | { kind: 'tls12'; skipped: number };

interface Side {
  dir: Direction;
  mode: 'detect' | 'tls' | 'plaintext' | 'stopped';
  deframer: RecordDeframer;
  handshake: HandshakeReassembler<number>;
  epoch?: Epoch;
  opener?: RecordOpener;
  plaintext?: { message: DecodedMessage; kept: Uint8Array; total: number };
  /** Application-data records this side has opened. */
  openedApplication: number;
  /** The `unopened_records` message that the side's next skipped record joins, until another message comes between. */
  unopened?: { message: DecodedMessage; bytes: number };
}

const tls13Labels: Record<Direction, { early?: KeyLogLabel; handshake: KeyLogLabel; application: KeyLogLabel }> = {
  c2s: { early: 'CLIENT_EARLY_TRAFFIC_SECRET', handshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', application: 'CLIENT_TRAFFIC_SECRET_0' },
  s2c: { handshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET', application: 'SERVER_TRAFFIC_SECRET_0' },
};

function asDecodeError(error: unknown, context: string): DecodeError {
  if (error instanceof DecodeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new DecodeError('illegal-value', context, `unexpected failure while decoding: ${detail}`);
}

/** Streaming form: feed chunks as the tap delivers them, read messages as they decode. */
export class ConnectionDecoder {
  readonly messages: DecodedMessage[] = [];
  readonly errors: DecodeError[] = [];
  private readonly limits: DecoderLimits;
  private readonly sides: Record<Direction, Side>;
  private retained = 0;
  private halted = false;
  private clientRandom?: Uint8Array;
  private serverRandom?: Uint8Array;
  private version?: number;
  private suite?: number;
  private earlyDataOffered = false;
  /** The record waiting for its secret, the chunk that completed it, and what came after. */
  private held?: { side: Side; record: TlsRecord; chunk: TapChunk; label: KeyLogLabel };
  private readonly queued: TapChunk[] = [];
  /** Secrets given up on (`resume(true)`): later records under them do not wait again. */
  private readonly givenUp = new Set<KeyLogLabel>();
  /** Secrets a record needed and the key log did not have when it was decoded. */
  private readonly missed = new Set<KeyLogLabel>();
  private holdForKeys: boolean;

  constructor(
    private readonly keylog?: KeyLog,
    limits: Partial<DecoderLimits> = {},
    options: DecoderOptions = {},
  ) {
    this.holdForKeys = options.holdForKeys ?? false;
    this.limits = { ...defaultLimits, ...limits };
    const side = (dir: Direction): Side => ({ dir, mode: 'detect', deframer: new RecordDeframer(), handshake: new HandshakeReassembler<number>(), openedApplication: 0 });
    this.sides = { c2s: side('c2s'), s2c: side('s2c') };
  }

  private get tls13(): boolean {
    return this.version === 0x0304;
  }

  push(chunk: TapChunk): void {
    if (this.halted) return;
    if (this.held) {
      this.queued.push(chunk);
      return;
    }
    this.feed(chunk);
  }

  /** The secret a held record waits for; undefined when nothing is held. */
  get waitingFor(): KeyLogLabel | undefined {
    return this.held?.label;
  }

  /** Secrets that were missing when a record needed them and have been logged since. */
  get keysLoggedLate(): KeyLogLabel[] {
    if (!this.keylog || !this.clientRandom) return [];
    const random = this.clientRandom;
    return [...this.missed].filter((label) => this.keylog?.get(random, label) !== undefined);
  }

  /**
   * Carries on with a held record once its secret is in the key log, or at once with
   * `giveUp` (it then decodes as without the secret, and nothing waits for that secret again).
   */
  resume(giveUp = false): void {
    const held = this.held;
    if (!held) return;
    if (giveUp) this.givenUp.add(held.label);
    else if (this.missingSecret(held.side, held.record)) return;
    this.held = undefined;
    this.decodeRecords(held.side, held.chunk, held.record);
    // Until a later record waits in turn (for another secret).
    while (!this.held && this.queued.length > 0) this.feed(this.queued.shift()!);
    if (this.halted) this.queued.length = 0;
  }

  private feed(chunk: TapChunk): void {
    if (this.halted) return;
    const side = this.sides[chunk.dir];
    if (!side) return;
    try {
      if (side.mode === 'stopped') return;
      if (side.mode === 'plaintext') return this.appendPlaintext(side, chunk.bytes);
      side.deframer.push(chunk.bytes, chunk.t);
      if (side.mode === 'detect') this.detect(side, chunk.t);
    } catch (error) {
      this.stop(side, chunk, error);
      return;
    }
    if (side.mode === 'tls') this.decodeRecords(side, chunk);
  }

  /** Decodes `first` (a record taken earlier) and then every complete record the side has buffered. */
  private decodeRecords(side: Side, chunk: TapChunk, first?: TlsRecord): void {
    try {
      for (let record = first ?? side.deframer.next(); record; record = side.deframer.next()) {
        const label = first === record ? undefined : this.missingSecret(side, record);
        if (label) {
          this.held = { side, record, chunk, label };
          return;
        }
        this.onRecord(side, record);
        if (this.halted || side.mode !== 'tls') return;
      }
    } catch (error) {
      this.stop(side, chunk, error);
    }
  }

  private stop(side: Side, chunk: TapChunk, error: unknown): void {
    const e = asDecodeError(error, chunk.dir === 'c2s' ? 'client stream' : 'server stream');
    this.errors.push(e);
    side.mode = 'stopped';
    this.emit({ dir: side.dir, t: chunk.t, layer: 'record', type: 'invalid_record', encrypted: false, fields: [], summary: `stopped decoding the ${side.dir === 'c2s' ? 'client' : 'server'}'s bytes: ${e.message}` });
  }

  /**
   * Ends the connection: bytes still buffered mean it was cut mid-record or mid-message.
   * A held record no longer waits: the key log is what it is.
   */
  finish(): DecodedConnection {
    this.holdForKeys = false;
    this.resume(true);
    // Once decoding halted at the message limit, leftover bytes say nothing about the peer.
    for (const side of this.halted ? [] : Object.values(this.sides)) {
      const who = side.dir === 'c2s' ? 'client' : 'server';
      if (side.mode === 'tls' && side.deframer.buffered > 0) {
        this.errors.push(new DecodeError('missing-data', 'TLSPlaintext', `the ${who}'s stream ended inside a record: ${side.deframer.buffered} bytes of it arrived`));
      }
      if (side.mode === 'detect' && side.deframer.buffered > 0) {
        this.errors.push(new DecodeError('missing-data', 'TLSPlaintext', `the ${who}'s stream ended after ${side.deframer.buffered} byte(s), too few to tell what it was`));
      }
      if (side.handshake.pending > 0) {
        this.errors.push(new DecodeError('missing-data', 'Handshake', `the ${who}'s stream ended inside a handshake message: ${side.handshake.pending} bytes of it arrived`));
        side.handshake.clear();
      }
    }
    const out: DecodedConnection = { messages: this.messages, errors: this.errors };
    if (this.version !== undefined) out.version = versionName(this.version);
    if (this.suite !== undefined) out.cipherSuite = cipherSuiteName(this.suite);
    return out;
  }

  private emit(message: DecodedMessage): DecodedMessage {
    delete this.sides.c2s.unopened;
    delete this.sides.s2c.unopened;
    if (this.messages.length >= this.limits.maxMessages) {
      if (!this.halted) {
        this.halted = true;
        this.errors.push(new DecodeError('too-large', 'Connection.messages', `more than ${this.limits.maxMessages} messages; decoding stopped`));
      }
      return message;
    }
    if (message.bytes) {
      if (this.retained + message.bytes.length > this.limits.maxRetainedBytes) delete message.bytes;
      else this.retained += message.bytes.length;
    }
    this.messages.push(message);
    return message;
  }

  /** The first two bytes tell a TLS record (content type 20–24, version major 3) from anything else. */
  private detect(side: Side, t: number): void {
    const head = side.deframer.peek(2);
    const first = head[0];
    if (first === undefined) return;
    const looksTls = contentTypes.has(first) && (head.length < 2 || head[1] === 3);
    if (looksTls) {
      if (head.length >= 2) side.mode = 'tls';
      return;
    }
    side.mode = 'plaintext';
    const pending = side.deframer.peek(side.deframer.buffered).slice();
    side.plaintext = {
      message: this.emit({ dir: side.dir, t, layer: 'plaintext', type: 'plaintext', encrypted: false, fields: [], summary: '' }),
      kept: new Uint8Array(0),
      total: 0,
    };
    this.appendPlaintext(side, pending);
  }

  private appendPlaintext(side: Side, bytes: Uint8Array): void {
    const p = side.plaintext;
    if (!p) return;
    p.total += bytes.length;
    const room = this.limits.maxPlaintextBytes - p.kept.length;
    if (room > 0 && bytes.length > 0) {
      const add = bytes.subarray(0, room);
      const next = new Uint8Array(p.kept.length + add.length);
      next.set(p.kept, 0);
      next.set(add, p.kept.length);
      p.kept = next;
    }
    const text = Buffer.from(p.kept).toString('latin1');
    const newline = text.indexOf('\n');
    const firstLine = (newline >= 0 ? text.slice(0, newline) : text).replace(/\r$/, '').slice(0, 200);
    const who = side.dir === 'c2s' ? 'client' : 'server';
    const m = p.message;
    m.summary = `plaintext on a TLS port from the ${who} (${p.total} bytes): "${printable(Buffer.from(firstLine, 'latin1'))}"`;
    m.fields = [
      field('first_line', 'The first line of what was sent; a request line such as "GET / HTTP/1.1" means plain HTTP was sent to a TLS port (http:// instead of https://).', 0, Math.min(firstLine.length, p.kept.length), { value: printable(Buffer.from(firstLine, 'latin1')) }),
      field('data', `Bytes that are not TLS records${p.total > p.kept.length ? ` (first ${p.kept.length} of ${p.total} kept)` : ''}.`, 0, p.kept.length, { value: printable(p.kept, 512) }),
    ];
    m.bytes = p.kept;
  }

  private onRecord(side: Side, record: TlsRecord): void {
    if (this.skipApplicationRecord(side, record)) return;
    const fragLabel = side.epoch && (side.epoch.kind === 'tls12' || record.contentType === 23) ? 'encrypted_record' : 'fragment';
    const recordFields = [
      field('type', 'Content type: what the record carries (in TLS 1.3, encrypted records all say application_data).', 0, 1, { value: contentTypeName(record.contentType), rfc: 'RFC 8446 §5.1' }),
      field('legacy_record_version', 'Record-layer version; frozen at 0x0303 (0x0301 in a first ClientHello) and not used to negotiate.', 1, 3, { value: versionName(record.version), rfc: 'RFC 8446 §5.1' }),
      field('length', 'Bytes of payload that follow.', 3, 5, { value: record.fragment.length, rfc: 'RFC 8446 §5.1' }),
      field(fragLabel, fragLabel === 'fragment' ? 'The payload.' : 'Ciphertext then a 16-byte authentication tag.', 5, 5 + record.fragment.length, { value: toHex(record.fragment, 24), rfc: fragLabel === 'fragment' ? 'RFC 8446 §5.1' : 'RFC 8446 §5.2' }),
    ];
    const msg = this.emit({
      dir: side.dir,
      t: record.t,
      layer: 'record',
      type: contentTypeName(record.contentType),
      encrypted: false,
      fields: recordFields,
      summary: `${contentTypeName(record.contentType)} record, ${record.fragment.length} bytes`,
      bytes: record.bytes,
    });

    const tls12Protected = side.epoch?.kind === 'tls12';
    const isProtected = side.epoch !== undefined && (tls12Protected || record.contentType === 23);
    if (!isProtected) {
      this.dispatch(side, record.contentType, record.fragment, false, record.t);
      return;
    }
    const opener = this.opener(side);
    if (!opener) {
      msg.type = 'encrypted_record';
      msg.summary = `encrypted record (no keys): ${record.fragment.length} bytes`;
      return;
    }
    let opened: OpenedRecord;
    try {
      opened = opener.open(record);
    } catch (error) {
      if (!(error instanceof DecodeError) || error.kind !== 'decrypt-failed') throw error;
      const recovered = this.recoverApplicationEpoch(side, record);
      if (!recovered) {
        this.errors.push(error);
        msg.type = 'encrypted_record';
        msg.summary = `encrypted record (decrypt failed): ${record.fragment.length} bytes — ${error.message}`;
        return;
      }
      opened = recovered;
    }
    msg.summary += ` (decrypted: ${contentTypeName(opened.contentType)}, ${opened.content.length} bytes${opened.padding ? `, ${opened.padding} bytes padding` : ''})`;
    if (opened.contentType === 23) side.openedApplication++;
    this.dispatch(side, opened.contentType, opened.content, true, record.t);
  }

  /**
   * On a long-lived connection, opening every application record costs more than relaying it
   * and keeps an object per record. Once a side has opened `openedApplicationRecords`
   * application records (enough for the first request and response lines a trace shows), a
   * later record that can only be application data is counted instead: its sequence number
   * still advances, so the alerts, close_notify and KeyUpdate that follow open as before.
   * TLS 1.2 names each record's type in the clear (RFC 5246 §6.2.1); TLS 1.3 hides it
   * (RFC 8446 §5.2), so there only a record larger than any alert or KeyUpdate is skipped.
   * The trade-off: padding (RFC 8446 §5.4) could hide an alert or a NewSessionTicket in a
   * larger record, and a tampered record is not noticed; Node and OpenSSL do not pad by
   * default. Consecutive skipped records of a side share one `unopened_records` message.
   */
  private skipApplicationRecord(side: Side, record: TlsRecord): boolean {
    const epoch = side.epoch;
    if (!epoch || !side.opener || record.contentType !== 23 || side.openedApplication < this.limits.openedApplicationRecords) return false;
    if (epoch.kind === 'tls13' && (epoch.label !== tls13Labels[side.dir].application || record.fragment.length <= maxControlRecordBytes)) return false;
    side.opener.skip();
    const unopened = side.unopened ?? { message: this.emit({ dir: side.dir, t: record.t, layer: 'application', type: 'unopened_records', encrypted: false, fields: [], summary: '', records: 0 }), bytes: 0 };
    side.unopened = unopened;
    const records = (unopened.message.records ?? 0) + 1;
    unopened.bytes += record.fragment.length;
    unopened.message.records = records;
    unopened.message.summary = `application data, ${unopened.bytes} bytes of ciphertext in ${records} record${records === 1 ? '' : 's'}, counted, not decrypted (the first ${this.limits.openedApplicationRecords} of this side were)`;
    return true;
  }

  /**
   * When a TLS 1.3 side's Finished was lost (a damaged or missing record), its later records
   * are under the application secret: try that secret from sequence 0 before giving up.
   */
  private recoverApplicationEpoch(side: Side, record: TlsRecord): OpenedRecord | undefined {
    const epoch = side.epoch;
    const labels = tls13Labels[side.dir];
    if (epoch?.kind !== 'tls13' || epoch.label !== labels.handshake || !this.keylog || !this.clientRandom || this.suite === undefined) return undefined;
    const suite = aeadSuite(this.suite);
    if (!suite || suite.version !== 'tls13') return undefined;
    const secret = this.secret(labels.application);
    if (!secret) return undefined;
    const candidate = new Tls13RecordOpener(suite, trafficKeys(suite, secret));
    try {
      const opened = candidate.open(record);
      this.setEpoch(side, { kind: 'tls13', label: labels.application, updates: 0, skipped: 0 });
      side.opener = candidate;
      return opened;
    } catch {
      return undefined;
    }
  }

  /**
   * With `holdForKeys`, the secret this record cannot be opened without and the key log does
   * not hold yet; undefined when the record can be decoded now (opened, or reported as not
   * decryptable for a reason no later key-log line would change).
   */
  private missingSecret(side: Side, record: TlsRecord): KeyLogLabel | undefined {
    const epoch = side.epoch;
    if (!this.holdForKeys || side.opener || !epoch || !this.keylog || !this.clientRandom || this.suite === undefined) return undefined;
    if (epoch.kind === 'tls13' && record.contentType !== 23) return undefined;
    if (aeadSuite(this.suite)?.version !== epoch.kind) return undefined;
    const label = epoch.kind === 'tls13' ? epoch.label : 'CLIENT_RANDOM';
    if (epoch.kind === 'tls12' && !this.serverRandom) return undefined;
    if (this.givenUp.has(label) || this.keylog.get(this.clientRandom, label)) return undefined;
    return label;
  }

  /** A secret from the key log; a missing one is remembered (see keysLoggedLate). */
  private secret(label: KeyLogLabel): Uint8Array | undefined {
    if (!this.keylog || !this.clientRandom) return undefined;
    const secret = this.keylog.get(this.clientRandom, label);
    if (!secret) this.missed.add(label);
    return secret;
  }

  /** Builds the record opener for the side's current epoch, lazily, from the key log. */
  private opener(side: Side): RecordOpener | undefined {
    if (side.opener) return side.opener;
    const epoch = side.epoch;
    if (!epoch || !this.keylog || !this.clientRandom || this.suite === undefined) {
      if (epoch) epoch.skipped++;
      return undefined;
    }
    const suite = aeadSuite(this.suite);
    if (!suite || suite.version !== epoch.kind) {
      epoch.skipped++;
      return undefined;
    }
    if (epoch.kind === 'tls13') {
      let secret = this.secret(epoch.label);
      if (!secret) {
        epoch.skipped++;
        return undefined;
      }
      for (let i = 0; i < epoch.updates; i++) secret = nextTrafficSecret(suite.hash, secret);
      side.opener = new Tls13RecordOpener(suite, trafficKeys(suite, secret), BigInt(epoch.skipped));
      return side.opener;
    }
    const master = this.serverRandom ? this.secret('CLIENT_RANDOM') : undefined;
    if (!master || !this.serverRandom) {
      epoch.skipped++;
      return undefined;
    }
    const keys = tls12KeyBlock(suite, master, this.clientRandom, this.serverRandom);
    side.opener = new Tls12RecordOpener(suite, side.dir === 'c2s' ? keys.client : keys.server, BigInt(epoch.skipped));
    return side.opener;
  }

  private setEpoch(side: Side, epoch: Epoch | undefined): void {
    if (side.handshake.pending > 0) {
      // RFC 8446 §5.1: handshake messages MUST NOT span a key change.
      this.errors.push(new DecodeError('illegal-value', 'Handshake', `a handshake message continues across a key change (${side.handshake.pending} bytes dropped)`));
      side.handshake.clear();
    }
    side.epoch = epoch;
    delete side.opener;
  }

  private dispatch(side: Side, contentType: number, content: Uint8Array, encrypted: boolean, t: number): void {
    // Each message is spelled out whole (no spread of a shared base): the decoder makes one per
    // record, and object literals of one shape are markedly cheaper to build than spreads.
    const dir = side.dir;
    switch (contentType) {
      case 22: {
        side.handshake.push(content);
        for (let m = side.handshake.next(t); m; m = side.handshake.next(t)) {
          this.onHandshake(side, m.msgType, m.bytes, encrypted, t);
          if (this.halted) return;
        }
        return;
      }
      case 21: {
        try {
          const { fields, alerts } = parseAlerts(content);
          alerts.forEach((alert, i) => {
            const f = fields[i];
            this.emit({
              dir,
              t,
              encrypted,
              layer: 'alert',
              type: 'alert',
              fields: f ? [f] : [],
              summary: `${alert.level} alert: ${alert.description} (${alert.code})${alertNote(alert.code) ? ` — ${alertNote(alert.code)}` : ''}`,
              bytes: content.slice(),
              alert,
            });
          });
        } catch (error) {
          const e = asDecodeError(error, 'Alert');
          this.errors.push(e);
          this.emit({ dir, t, encrypted, layer: 'alert', type: 'alert', fields: [], summary: `malformed alert: ${e.message}`, bytes: content.slice() });
        }
        return;
      }
      case 20: {
        let fields: Field[] = [];
        try {
          fields = parseChangeCipherSpec(content);
        } catch (error) {
          this.errors.push(asDecodeError(error, 'ChangeCipherSpec'));
        }
        const tls12 = this.version !== undefined && this.version <= 0x0303;
        this.emit({ dir, t, encrypted, layer: 'ccs', type: 'ChangeCipherSpec', fields, summary: tls12 ? 'ChangeCipherSpec: this side encrypts from its next record on' : 'ChangeCipherSpec: a TLS 1.3 no-op for middlebox compatibility', bytes: content.slice() });
        if (tls12 && !encrypted) this.setEpoch(side, { kind: 'tls12', skipped: 0 });
        return;
      }
      case 23: {
        const text = Buffer.from(content.buffer, content.byteOffset, Math.min(content.length, 200)).toString('latin1');
        const lineEnd = text.search(/\r?\n/);
        const line = lineEnd >= 0 ? text.slice(0, lineEnd) : text;
        const looksText = line.length > 0 && /^[\x20-\x7e]+$/.test(line);
        this.emit({
          dir,
          t,
          encrypted,
          layer: 'application',
          type: 'application_data',
          fields: [field('data', encrypted ? 'Application bytes (e.g. HTTP), decrypted.' : 'Application bytes.', 0, content.length, { value: printable(content, 128), rfc: 'RFC 8446 §5.2' })],
          summary: `application data, ${content.length} bytes${looksText ? `: "${line.slice(0, 100)}"` : ''}`,
          // Not copied: the content is the decrypted record's own buffer, or a view of the record's.
          bytes: content,
        });
        return;
      }
      default:
        this.emit({ dir, t, encrypted, layer: 'record', type: contentTypeName(contentType), fields: [field('data', 'Payload of a content type this decoder does not interpret.', 0, content.length, { value: toHex(content, 32) })], summary: `${contentTypeName(contentType)}: ${content.length} bytes`, bytes: content.slice() });
    }
  }

  private onHandshake(side: Side, msgType: number, bytes: Uint8Array, encrypted: boolean, t: number): void {
    const suiteName = this.suite !== undefined ? cipherSuiteName(this.suite) : '';
    const keyExchange = keyExchangeOf(suiteName);
    let facts: HandshakeFacts = {};
    try {
      const parsed = parseHandshake(bytes, { tls13: this.tls13, ...(keyExchange ? { keyExchange } : {}) });
      facts = parsed.facts;
      this.emit({ dir: side.dir, t, layer: 'handshake', type: parsed.type, encrypted, fields: parsed.fields, summary: parsed.summary, bytes });
    } catch (error) {
      const e = asDecodeError(error, handshakeTypeName(msgType));
      this.errors.push(e);
      this.emit({
        dir: side.dir,
        t,
        layer: 'handshake',
        type: handshakeTypeName(msgType),
        encrypted,
        fields: [
          field('msg_type', 'Which handshake message this is.', 0, 1, { value: handshakeTypeName(msgType), rfc: 'RFC 8446 §4' }),
          field('body', 'The message could not be decoded; its bytes are kept raw.', 4, bytes.length, { value: toHex(bytes.subarray(4), 32) }),
        ],
        summary: `malformed ${handshakeTypeName(msgType)}: ${e.message}`,
        bytes,
      });
      return;
    }
    this.advance(side, msgType, facts);
  }

  /** The state transitions that decide which secret protects the next records. */
  private advance(side: Side, msgType: number, facts: HandshakeFacts): void {
    const c2s = this.sides.c2s;
    const s2c = this.sides.s2c;
    switch (msgType) {
      case 1: {
        if (side.dir !== 'c2s') return;
        if (!this.clientRandom && facts.random) this.clientRandom = facts.random.slice();
        const offersEarly = facts.extensions?.types.includes(42) ?? false;
        // RFC 8446 §4.2.10: 0-RTT records follow the ClientHello under the early traffic secret.
        if (offersEarly && !this.earlyDataOffered && s2c.epoch === undefined) {
          this.earlyDataOffered = true;
          this.setEpoch(c2s, { kind: 'tls13', label: 'CLIENT_EARLY_TRAFFIC_SECRET', updates: 0, skipped: 0 });
        } else if (this.earlyDataOffered) {
          // A second ClientHello (after HelloRetryRequest) abandons early data (§4.1.2).
          this.setEpoch(c2s, undefined);
        }
        return;
      }
      case 2: {
        if (side.dir !== 's2c' || facts.cipherSuite === undefined) return;
        this.suite = facts.cipherSuite;
        if (facts.helloRetry) return;
        if (facts.random) this.serverRandom = facts.random.slice();
        this.version = facts.extensions?.selectedVersion ?? facts.legacyVersion;
        if (this.tls13) {
          this.setEpoch(s2c, { kind: 'tls13', label: tls13Labels.s2c.handshake, updates: 0, skipped: 0 });
          if (!this.earlyDataOffered) this.setEpoch(c2s, { kind: 'tls13', label: tls13Labels.c2s.handshake, updates: 0, skipped: 0 });
          else if (c2s.epoch) delete c2s.opener;
        }
        return;
      }
      case 8: {
        // Early data not accepted (no early_data in EncryptedExtensions, §4.2.10): the client moves on.
        if (this.tls13 && this.earlyDataOffered && !facts.extensions?.earlyData && c2s.epoch?.kind === 'tls13' && c2s.epoch.label === 'CLIENT_EARLY_TRAFFIC_SECRET') {
          this.setEpoch(c2s, { kind: 'tls13', label: tls13Labels.c2s.handshake, updates: 0, skipped: 0 });
        }
        return;
      }
      case 5: {
        if (side.dir === 'c2s' && this.tls13) this.setEpoch(c2s, { kind: 'tls13', label: tls13Labels.c2s.handshake, updates: 0, skipped: 0 });
        return;
      }
      case 20: {
        if (this.tls13 && side.epoch?.kind === 'tls13' && side.epoch.label === tls13Labels[side.dir].handshake) {
          this.setEpoch(side, { kind: 'tls13', label: tls13Labels[side.dir].application, updates: 0, skipped: 0 });
        }
        return;
      }
      case 24: {
        if (this.tls13 && side.epoch?.kind === 'tls13' && side.epoch.label === tls13Labels[side.dir].application) {
          this.setEpoch(side, { kind: 'tls13', label: side.epoch.label, updates: side.epoch.updates + 1, skipped: 0 });
        }
        return;
      }
      default:
        return;
    }
  }
}

/** Decodes a whole recorded connection. Chunks are taken in time order (ties keep their order). */
export function decodeConnection(input: DecodeInput, limits: Partial<DecoderLimits> = {}): DecodedConnection {
  const decoder = new ConnectionDecoder(input.keylog, limits);
  const chunks = input.chunks.map((chunk, i) => ({ chunk, i })).sort((a, b) => a.chunk.t - b.chunk.t || a.i - b.i);
  for (const { chunk } of chunks) decoder.push(chunk);
  return decoder.finish();
}
