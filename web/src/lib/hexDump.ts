/**
 * A message's bytes laid out the way `xxd` and Wireshark show them: an offset, sixteen
 * bytes in hex, the same bytes as ASCII.
 *
 *   TraceEvent.bytes (hex string) ──parseHex──▶ Uint8Array ──hexRows──▶ rows of 16 ──▶ HexView
 */

export interface HexRow {
  /** Offset of the row's first byte within the message. */
  offset: number;
  /** The row's bytes (the last row may hold fewer). */
  bytes: Uint8Array;
}

export const bytesPerRow = 16;

/** Drawn at most: a handshake message is far smaller; plaintext on a TLS port can be 64 KiB, more rows than anyone reads. */
export const maxShownBytes = 16 * 1024;

/** `"16030100"` → bytes; a trailing odd digit (never sent by the server) is ignored. */
export function parseHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function hexRows(bytes: Uint8Array, width = bytesPerRow): HexRow[] {
  const rows: HexRow[] = [];
  for (let offset = 0; offset < bytes.length; offset += width) rows.push({ offset, bytes: bytes.subarray(offset, offset + width) });
  return rows;
}

/** `0x1c` → `001c`: four digits cover any handshake message a connection keeps (the decoder caps them). */
export function offsetLabel(offset: number): string {
  return offset.toString(16).padStart(4, '0');
}

export function byteHex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Printable ASCII as itself; anything else as a dot, as xxd does. */
export function asciiChar(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}
