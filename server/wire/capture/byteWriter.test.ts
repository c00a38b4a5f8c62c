import { describe, expect, it } from 'vitest';
import { ByteWriter } from './byteWriter.js';

describe('ByteWriter', () => {
  it('keeps every byte written across growth of its buffer', () => {
    const w = new ByteWriter(false, 16);
    for (let i = 0; i < 100; i++) w.u32(i).bytes(Uint8Array.of(i, i)).u8(i).pad4().u16(i).pad4();
    const out = w.finish();
    const view = new DataView(out.buffer);
    expect(out.length).toBe(100 * 12);
    for (let i = 0; i < 100; i++) {
      expect([view.getUint32(i * 12), ...out.subarray(i * 12 + 4, i * 12 + 8), view.getUint16(i * 12 + 8)]).toEqual([i, i, i, i, 0, i]);
    }
  });

  it('writes in the byte order it was given', () => {
    expect([...new ByteWriter(true).u32(0x01020304).finish()]).toEqual([4, 3, 2, 1]);
    expect([...new ByteWriter(false).u32(0x01020304).finish()]).toEqual([1, 2, 3, 4]);
  });

  it('pads to a multiple of four with zeros', () => {
    expect([...new ByteWriter(true).u8(9).pad4().finish()]).toEqual([9, 0, 0, 0]);
  });
});
