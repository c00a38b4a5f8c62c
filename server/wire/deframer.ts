/**
 * Two reassembly layers between TCP and the handshake parser, after rustls
 * `msgs/deframer`:
 *
 *   TCP chunks (any size) ──RecordDeframer──▶ TLS records ──HandshakeReassembler──▶ handshake messages
 *
 * A partial record or message is "need more bytes", never an error: TCP may cut the stream
 * anywhere. Lengths are bounded before anything is buffered for them, so a hostile peer
 * cannot make the decoder hold more than one maximum-size record or message per direction.
 */
import { DecodeError, Reader } from './reader.js';
import { contentTypes } from './codepoints.js';

/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
export const maxRecordLength = 2 ** 14 + 256;
/**
 * A handshake message may span many records (RFC 8446 §5.1) and its length field allows
 * 2^24 - 1; real certificate chains stay far below this cap, hostile lengths do not.
 */
export const maxHandshakeLength = 256 * 1024;

export const recordHeaderLength = 5;

export interface TlsRecord {
  contentType: number;
  /** legacy_record_version (RFC 8446 §5.1). */
  version: number;
  /** The whole record, header then fragment: `header` and `fragment` are views of it. */
  bytes: Uint8Array;
  /** The 5-byte header: also the AEAD additional data in TLS 1.3 (§5.2). */
  header: Uint8Array;
  fragment: Uint8Array;
  /** Timestamp (µs) of the chunk that completed the record. */
  t: number;
}

export class RecordDeframer {
  private buf: Uint8Array = new Uint8Array(0);
  private t = 0;

  push(chunk: Uint8Array, t: number): void {
    this.t = t;
    this.buf = append(this.buf, chunk);
  }

  /** Bytes received but not yet part of a complete record. */
  get buffered(): number {
    return this.buf.length;
  }

  /** Peeks at the first bytes without consuming them. */
  peek(n: number): Uint8Array {
    return this.buf.subarray(0, n);
  }

  /** The next complete record, or undefined when more bytes are needed. */
  next(): TlsRecord | undefined {
    if (this.buf.length < recordHeaderLength) return undefined;
    const r = new Reader(this.buf, 'TLSPlaintext');
    const contentType = r.u8('type');
    const version = r.u16('legacy_record_version');
    const length = r.u16('length');
    if (!contentTypes.has(contentType)) {
      throw new DecodeError('illegal-value', 'TLSPlaintext.type', `${contentType} is not a TLS content type`);
    }
    if (version >> 8 !== 3) {
      throw new DecodeError('illegal-value', 'TLSPlaintext.legacy_record_version', `0x${version.toString(16).padStart(4, '0')} is not a TLS version`);
    }
    if (length > maxRecordLength) {
      throw new DecodeError('too-large', 'TLSPlaintext.length', `${length} bytes, at most ${maxRecordLength} allowed`);
    }
    if (r.remaining < length) return undefined;
    const total = recordHeaderLength + length;
    const whole = this.buf.slice(0, total);
    this.buf = this.buf.subarray(total);
    return { contentType, version, bytes: whole, header: whole.subarray(0, recordHeaderLength), fragment: whole.subarray(recordHeaderLength), t: this.t };
  }
}

export interface HandshakeMessage<M> {
  msgType: number;
  /** The whole message: 4-byte header (type, uint24 length) then the body (RFC 8446 §4). */
  bytes: Uint8Array;
  /** Metadata of the record that completed the message. */
  meta: M;
}

export class HandshakeReassembler<M> {
  private buf: Uint8Array = new Uint8Array(0);

  push(fragment: Uint8Array): void {
    this.buf = append(this.buf, fragment);
  }

  /** Bytes of a message not yet complete. */
  get pending(): number {
    return this.buf.length;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
  }

  next(meta: M): HandshakeMessage<M> | undefined {
    if (this.buf.length < 4) return undefined;
    const r = new Reader(this.buf, 'Handshake');
    const msgType = r.u8('msg_type');
    const length = r.u24('length');
    if (length > maxHandshakeLength) {
      throw new DecodeError('too-large', 'Handshake.length', `${length} bytes, at most ${maxHandshakeLength} accepted`);
    }
    if (r.remaining < length) return undefined;
    const bytes = this.buf.slice(0, 4 + length);
    this.buf = this.buf.subarray(4 + length);
    return { msgType, bytes, meta };
  }
}

/**
 * Consumed bytes are dropped by taking a subarray (no copy); appending copies only what is
 * still unconsumed, so feeding N bytes in any chunking costs O(N) plus one partial record.
 */
function append(buf: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (chunk.length === 0) return buf;
  if (buf.length === 0) return chunk.slice();
  const next = new Uint8Array(buf.length + chunk.length);
  next.set(buf, 0);
  next.set(chunk, buf.length);
  return next;
}
