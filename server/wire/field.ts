/**
 * The annotated field tree the decoder returns (after subtls `src/util/bytes.ts`): every
 * field carries its byte range within the message it belongs to, a plain-words label for
 * a learner, and the RFC section that defines it, so the UI can draw a hex view beside
 * the explanation.
 */
import type { Reader } from './reader.js';

export interface Field {
  name: string;
  /** Plain-words annotation for a learner. */
  label: string;
  value?: string | number;
  /** Byte offsets within the message, `[start, end)`. */
  start: number;
  end: number;
  /** Where the field is defined, e.g. `RFC 8446 §4.1.2`. */
  rfc?: string;
  children?: Field[];
}

export interface FieldOptions {
  value?: string | number;
  rfc?: string;
  children?: Field[];
}

export function field(name: string, label: string, start: number, end: number, options: FieldOptions = {}): Field {
  const out: Field = { name, label, start, end };
  if (options.value !== undefined) out.value = options.value;
  if (options.rfc !== undefined) out.rfc = options.rfc;
  if (options.children !== undefined && options.children.length > 0) out.children = options.children;
  return out;
}

/** Reads one integer of `size` bytes and describes it; `format` turns the number into a name. */
export function readInt(
  r: Reader,
  size: 1 | 2 | 3 | 4,
  name: string,
  label: string,
  format?: (value: number) => string,
  rfc?: string,
): { value: number; field: Field } {
  const start = r.offset;
  const value = size === 1 ? r.u8(name) : size === 2 ? r.u16(name) : size === 3 ? r.u24(name) : r.u32(name);
  return { value, field: field(name, label, start, r.offset, { value: format ? format(value) : value, ...(rfc ? { rfc } : {}) }) };
}

export function toHex(bytes: Uint8Array, max = Infinity): string {
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  const text = Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength).toString('hex');
  return bytes.length > max ? `${text}… (${bytes.length} bytes)` : text;
}

/** Printable ASCII view for names and protocol ids; anything else is escaped as `\xNN`. */
export function printable(bytes: Uint8Array, max = 256): string {
  // latin1 maps each byte to the code point of the same value.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, max)).toString('latin1');
  const out = text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return bytes.length > max ? `${out}…` : out;
}
