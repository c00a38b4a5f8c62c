import { describe, expect, it } from 'vitest';
import { asciiChar, byteHex, hexRows, offsetLabel, parseHex } from './hexDump.ts';

describe('parseHex', () => {
  it('turns each pair of digits into one byte', () => {
    expect([...parseHex('16030100ff')]).toEqual([0x16, 0x03, 0x01, 0x00, 0xff]);
  });

  it('is empty for an empty string', () => {
    expect(parseHex('')).toHaveLength(0);
  });
});

describe('hexRows', () => {
  it('cuts the bytes into rows of sixteen, each with its offset', () => {
    const rows = hexRows(new Uint8Array(40).map((_, i) => i));
    expect(rows.map((r) => r.offset)).toEqual([0, 16, 32]);
    expect(rows.map((r) => r.bytes.length)).toEqual([16, 16, 8]);
    expect(rows[2]!.bytes[0]).toBe(32);
  });

  it('has no rows for no bytes', () => {
    expect(hexRows(new Uint8Array())).toEqual([]);
  });
});

describe('labels', () => {
  it('pads offsets to four hex digits and bytes to two', () => {
    expect(offsetLabel(0x1c)).toBe('001c');
    expect(offsetLabel(0x12345)).toBe('12345');
    expect(byteHex(0x0a)).toBe('0a');
  });

  it('shows printable ASCII as itself and anything else as a dot', () => {
    expect(asciiChar(0x41)).toBe('A');
    expect(asciiChar(0x20)).toBe(' ');
    expect(asciiChar(0x7f)).toBe('.');
    expect(asciiChar(0x00)).toBe('.');
  });
});
