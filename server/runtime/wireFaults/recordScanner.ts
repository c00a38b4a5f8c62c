/**
 * Finds TLS record boundaries in one direction of a connection, for the wire faults that act
 * on records (tlsToxics.ts).
 *
 *   chunks (any cut) ──RecordScanner.push──▶ whole records (header + fragment) | raw bytes
 *
 * Why not wire/deframer.ts: runtime is left of wire in DESIGN.md's order, so the tap's thread
 * cannot import it — and a fault needs only the 5-byte header (RFC 8446 §5.1: type,
 * legacy_record_version, length), never the decoder. A stream whose header is not TLS
 * (plaintext on the port) is handed on raw from there on: a fault must not hold it.
 */

/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
const maxRecordLength = 2 ** 14 + 256;
const headerLength = 5;

export const contentType = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

export interface ScannedRecord {
  contentType: number;
  /** Header and fragment: a copy, a fault may change it. */
  bytes: Buffer;
}

export type Scanned = { record: ScannedRecord } | { raw: Buffer };

export class RecordScanner {
  #buf: Buffer = Buffer.alloc(0);
  #raw = false;

  /** True once the stream proved not to be TLS. */
  get raw(): boolean {
    return this.#raw;
  }

  push(bytes: Buffer): void {
    this.#buf = this.#buf.length === 0 ? bytes : Buffer.concat([this.#buf, bytes]);
  }

  /** The next whole record (or, on a stream that is not TLS, every byte held); undefined while a record is partial. */
  next(): Scanned | undefined {
    if (this.#buf.length === 0) return undefined;
    if (!this.#raw && this.#buf.length >= headerLength) {
      const type = this.#buf[0]!;
      const major = this.#buf[1]!;
      const length = this.#buf.readUInt16BE(3);
      if (type < 20 || type > 24 || major !== 3 || length > maxRecordLength) this.#raw = true;
    }
    if (this.#raw) return { raw: this.take(this.#buf.length) };
    if (this.#buf.length < headerLength) return undefined;
    const total = headerLength + this.#buf.readUInt16BE(3);
    if (this.#buf.length < total) return undefined;
    return { record: { contentType: this.#buf[0]!, bytes: Buffer.from(this.take(total)) } };
  }

  /** Every byte held and not yet handed out (a partial record). */
  rest(): Buffer {
    return this.take(this.#buf.length);
  }

  private take(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
}
