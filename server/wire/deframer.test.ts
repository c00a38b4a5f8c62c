import { describe, expect, it } from 'vitest';
import { HandshakeReassembler, maxRecordLength, RecordDeframer, type TlsRecord } from './deframer.js';
import { DecodeError } from './reader.js';
import { fromHex, rfc8448, seededRandom } from './testing.js';

function drain(d: RecordDeframer): TlsRecord[] {
  const out: TlsRecord[] = [];
  for (let r = d.next(); r; r = d.next()) out.push(r);
  return out;
}

const twoRecords = fromHex(rfc8448.records.clientHello + rfc8448.records.clientFinished);

describe('RecordDeframer', () => {
  it('treats a partial record as "need more bytes", not an error', () => {
    const d = new RecordDeframer();
    d.push(twoRecords.subarray(0, 4), 1);
    expect(d.next()).toBeUndefined();
    d.push(twoRecords.subarray(4, 100), 2);
    expect(d.next()).toBeUndefined();
    expect(d.buffered).toBe(100);
  });

  it('splits two records delivered in one chunk', () => {
    const d = new RecordDeframer();
    d.push(twoRecords, 7);
    const records = drain(d);
    expect(records.map((r) => [r.contentType, r.fragment.length])).toEqual([[22, 196], [23, 53]]);
    expect(d.buffered).toBe(0);
  });

  it('yields the same records whether fed whole or one byte at a time', () => {
    const whole = new RecordDeframer();
    whole.push(twoRecords, 0);
    const bytewise = new RecordDeframer();
    const got: TlsRecord[] = [];
    for (let i = 0; i < twoRecords.length; i++) {
      bytewise.push(twoRecords.subarray(i, i + 1), 0);
      got.push(...drain(bytewise));
    }
    expect(got).toEqual(drain(whole));
  });

  it('rejects a record longer than 2^14 + 256 bytes as too large before buffering it', () => {
    const d = new RecordDeframer();
    const len = maxRecordLength + 1;
    d.push(Uint8Array.of(23, 3, 3, len >> 8, len & 0xff), 0);
    expect(() => d.next()).toThrow(expect.objectContaining({ kind: 'too-large', context: 'TLSPlaintext.length' }));
  });

  it('rejects an unknown content type as an illegal value', () => {
    const d = new RecordDeframer();
    d.push(fromHex('63 0303 0001 00'), 0);
    expect(() => d.next()).toThrow(DecodeError);
    expect(() => d.next()).toThrow(expect.objectContaining({ kind: 'illegal-value', context: 'TLSPlaintext.type' }));
  });
});

describe('HandshakeReassembler', () => {
  const ee = fromHex(rfc8448.messages.encryptedExtensions);
  const fin = fromHex(rfc8448.messages.serverFinished);

  it('joins a message that spans several records', () => {
    const h = new HandshakeReassembler<number>();
    h.push(ee.subarray(0, 3));
    expect(h.next(1)).toBeUndefined();
    h.push(ee.subarray(3, 20));
    expect(h.next(2)).toBeUndefined();
    h.push(ee.subarray(20));
    const m = h.next(3);
    expect(m?.msgType).toBe(8);
    expect(m?.bytes).toEqual(ee);
    expect(m?.meta).toBe(3);
  });

  it('splits several messages carried in one record', () => {
    const h = new HandshakeReassembler<number>();
    h.push(new Uint8Array([...ee, ...fin]));
    expect([h.next(0)?.msgType, h.next(0)?.msgType, h.next(0)]).toEqual([8, 20, undefined]);
  });

  it('gives the same messages for any cut of the stream', () => {
    const stream = new Uint8Array([...ee, ...fin, ...ee]);
    const random = seededRandom(42);
    for (let round = 0; round < 50; round++) {
      const h = new HandshakeReassembler<number>();
      const types: number[] = [];
      let at = 0;
      while (at < stream.length) {
        const n = 1 + Math.floor(random() * 10);
        h.push(stream.subarray(at, (at += n)));
        for (let m = h.next(0); m; m = h.next(0)) types.push(m.msgType);
      }
      expect(types).toEqual([8, 20, 8]);
    }
  });

  it('refuses a message length beyond the cap as too large', () => {
    const h = new HandshakeReassembler<number>();
    h.push(fromHex('0b ffffff'));
    expect(() => h.next(0)).toThrow(expect.objectContaining({ kind: 'too-large', context: 'Handshake.length' }));
  });
});
