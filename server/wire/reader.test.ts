import { describe, expect, it } from 'vitest';
import { DecodeError, Reader } from './reader.js';
import { fromHex } from './testing.js';

function caught(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('Reader', () => {
  it('reads big-endian integers of 1, 2, 3 and 4 bytes', () => {
    const r = new Reader(fromHex('01 0203 040506 fffffffe'), 'Test');
    expect([r.u8(), r.u16(), r.u24(), r.u32()]).toEqual([0x01, 0x0203, 0x040506, 0xfffffffe]);
    expect(r.atEnd).toBe(true);
  });

  it('reports absolute offsets from inside a sub-reader', () => {
    const r = new Reader(fromHex('aa 0003 010203'), 'Test');
    r.u8();
    const v = r.vec16('items');
    expect(v.offset).toBe(3);
    v.u8();
    expect(v.offset).toBe(4);
    expect(r.offset).toBe(6);
  });

  it('refuses a vector whose length runs past its block, naming the field and the shortfall', () => {
    const r = new Reader(fromHex('0004 130113'), 'ClientHello');
    const error = caught(() => r.vec16('cipher_suites'));
    expect(error.kind).toBe('missing-data');
    expect(error.context).toBe('ClientHello.cipher_suites');
    expect(error.message).toBe('ClientHello.cipher_suites: 3 bytes left, 4 needed');
  });

  it('never lets a sub-reader read past its own end', () => {
    const r = new Reader(fromHex('01 ff ff'), 'Outer');
    const inner = r.vec8('inner');
    inner.u8();
    expect(caught(() => inner.u8('x')).context).toBe('Outer.inner.x');
  });

  it('reports leftover bytes as trailing data', () => {
    const r = new Reader(fromHex('0001 02'), 'ServerHello');
    r.u16();
    const error = caught(() => r.expectEnd('ServerHello.extensions'));
    expect(error.kind).toBe('trailing-data');
    expect(error.message).toBe('ServerHello.extensions: 1 bytes left over');
  });

  it('is a DecodeError, never a bare Error', () => {
    const error = caught(() => new Reader(new Uint8Array(0), 'Empty').u8());
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.name).toBe('DecodeError');
  });
});
