/**
 * A bounded cursor over one TLS structure, after rustls `msgs/codec.rs`: every read is
 * checked against the end of the block it sits in, and every length-prefixed vector
 * (RFC 8446 §3.4) becomes a sub-reader that cannot read past its own end. A structure that
 * lies about a length therefore fails with a typed `DecodeError` naming the field, never
 * with an out-of-range read.
 *
 * Offsets are absolute within the buffer the first reader was given, so a field's
 * `[start, end)` can be drawn straight onto a hex view of the message.
 */

export type DecodeErrorKind = 'missing-data' | 'trailing-data' | 'illegal-value' | 'decrypt-failed' | 'too-large';

/** The only error the wire decoder throws: what went wrong, and in which field. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly kind: DecodeErrorKind;
  /** Dotted path of the field being read, e.g. `ClientHello.cipher_suites`. */
  readonly context: string;

  constructor(kind: DecodeErrorKind, context: string, detail: string) {
    super(`${context}: ${detail}`);
    this.kind = kind;
    this.context = context;
  }
}

export class Reader {
  readonly buf: Uint8Array;
  readonly context: string;
  private pos: number;
  private readonly end: number;

  constructor(buf: Uint8Array, context: string, start = 0, end = buf.length) {
    this.buf = buf;
    this.context = context;
    this.pos = start;
    this.end = end;
  }

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private ctx(name?: string): string {
    return name ? `${this.context}.${name}` : this.context;
  }

  private take(n: number, name?: string): number {
    if (n > this.remaining) {
      throw new DecodeError('missing-data', this.ctx(name), `${this.remaining} bytes left, ${n} needed`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(name?: string): number {
    return this.buf[this.take(1, name)] ?? 0;
  }

  u16(name?: string): number {
    const at = this.take(2, name);
    return ((this.buf[at] ?? 0) << 8) | (this.buf[at + 1] ?? 0);
  }

  u24(name?: string): number {
    const at = this.take(3, name);
    return ((this.buf[at] ?? 0) << 16) | ((this.buf[at + 1] ?? 0) << 8) | (this.buf[at + 2] ?? 0);
  }

  u32(name?: string): number {
    const at = this.take(4, name);
    return (((this.buf[at] ?? 0) << 24) >>> 0) + (((this.buf[at + 1] ?? 0) << 16) | ((this.buf[at + 2] ?? 0) << 8) | (this.buf[at + 3] ?? 0));
  }

  /** `n` raw bytes, as a view (no copy). */
  bytes(n: number, name?: string): Uint8Array {
    const at = this.take(n, name);
    return this.buf.subarray(at, at + n);
  }

  /** Everything left in this block. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** The next `len` bytes as their own bounded block. */
  sub(len: number, name?: string): Reader {
    const at = this.take(len, name);
    return new Reader(this.buf, this.ctx(name), at, at + len);
  }

  /** `opaque x<0..2^8-1>` and friends (RFC 8446 §3.4): length prefix, then a bounded block. */
  vec8(name?: string): Reader {
    return this.sub(this.u8(name), name);
  }

  vec16(name?: string): Reader {
    return this.sub(this.u16(name), name);
  }

  vec24(name?: string): Reader {
    return this.sub(this.u24(name), name);
  }

  /** The block must be fully consumed: leftover bytes mean the sender mis-sized it. */
  expectEnd(context?: string): void {
    if (this.remaining > 0) {
      throw new DecodeError('trailing-data', context ?? this.context, `${this.remaining} bytes left over`);
    }
  }
}
