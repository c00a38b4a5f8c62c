/**
 * A growable little- or big-endian byte buffer for building capture files: appends,
 * 32-bit alignment (pcapng blocks and options are padded to 4 bytes,
 * draft-ietf-opsawg-pcapng §3.1), and back-patching a length once the body is written.
 */
export class ByteWriter {
  readonly littleEndian: boolean;
  #buf: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(littleEndian: boolean, initialCapacity = 4096) {
    this.littleEndian = littleEndian;
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(n: number): number {
    const at = this.#length;
    const needed = at + n;
    if (needed > this.#buf.length) {
      let capacity = this.#buf.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#buf.subarray(0, at));
      this.#buf = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.#reserve(1);
    this.#view.setUint8(at, value);
    return this;
  }

  u16(value: number): this {
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, this.littleEndian);
    return this;
  }

  u32(value: number): this {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value >>> 0, this.littleEndian);
    return this;
  }

  bytes(value: Uint8Array): this {
    // Reserve first: growing replaces #buf, so it must be read after.
    const at = this.#reserve(value.length);
    this.#buf.set(value, at);
    return this;
  }

  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    const pad = (4 - (this.#length % 4)) % 4;
    this.#reserve(pad);
    this.#buf.fill(0, this.#length - pad, this.#length);
    return this;
  }

  patchU32(at: number, value: number): void {
    this.#view.setUint32(at, value >>> 0, this.littleEndian);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }
}
