import { describe, expect, it } from 'vitest';
import { ChunkLogReader, ChunkLogWriter, type LoggedChunk } from './chunkLog.js';

/** A writer and a reader wired as the tap's thread and the main thread are, minus the thread. */
function log(maxBytes: number) {
  const reader = new ChunkLogReader();
  const drops: Array<{ index: number; perConnection: Map<number, number> }> = [];
  const writer = new ChunkLogWriter({
    maxBytes,
    onSegment: (index, buffer) => reader.add(index, buffer),
    onDrop: (index, perConnection) => {
      drops.push({ index, perConnection });
      reader.read(() => undefined);
      reader.drop(index);
    },
  });
  const read = (): LoggedChunk[] => {
    const chunks: LoggedChunk[] = [];
    reader.read((chunk) => chunks.push(chunk));
    return chunks;
  };
  return { reader, writer, drops, read };
}

const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);
const summary = (chunks: LoggedChunk[]) => chunks.map(({ conn, dir, t, bytes }) => ({ conn, dir, t, length: bytes.length, first: bytes[0] }));

describe('the chunk log', () => {
  it('gives the reader each chunk once, in order, with its connection, direction and time', () => {
    const { writer, read } = log(1024 * 1024);
    writer.append(1, 'c2s', 10.5, bytes(3, 0xaa));
    writer.append(2, 's2c', 11, bytes(1, 0xbb));
    expect(summary(read())).toEqual([
      { conn: 1, dir: 'c2s', t: 10.5, length: 3, first: 0xaa },
      { conn: 2, dir: 's2c', t: 11, length: 1, first: 0xbb },
    ]);
    expect(read()).toEqual([]);
    writer.append(1, 's2c', 12, bytes(0, 0));
    writer.append(1, 'c2s', 13, bytes(2, 0xcc));
    expect(summary(read()).map((c) => c.t)).toEqual([12, 13]);
  });

  it('reads on across segments, and a chunk larger than a segment gets one of its own', () => {
    // 64 KiB cap: 4 KiB segments.
    const { writer, reader, read } = log(64 * 1024);
    const written = [100, 3000, 2000, 10_000, 50, 4000].map((length, i) => {
      writer.append(i, i % 2 ? 's2c' : 'c2s', i, bytes(length, i));
      return length;
    });
    const chunks = read();
    expect(chunks.map((c) => c.bytes.length)).toEqual(written);
    expect(chunks.every((c, i) => c.bytes.every((b) => b === i))).toBe(true);
    expect(reader.bytes).toBe(written.reduce((a, b) => a + b));
  });

  it('stops at what was published and picks up there', () => {
    const { writer, read } = log(64 * 1024);
    writer.append(1, 'c2s', 1, bytes(3000, 1));
    expect(read()).toHaveLength(1);
    // The next chunk opens a new segment: the old one is final, the new one read from its start.
    writer.append(1, 'c2s', 2, bytes(3000, 2));
    writer.append(1, 'c2s', 3, bytes(10, 3));
    expect(read().map((c) => c.t)).toEqual([2, 3]);
  });

  it('drops the oldest segments past its cap, never the one it writes, and says what each connection lost', () => {
    const { writer, reader, drops, read } = log(64 * 1024);
    for (let i = 0; i < 40; i++) writer.append(i % 3, 'c2s', i, bytes(3000, i));
    expect(drops.length).toBeGreaterThan(0);
    expect(writer.bytes).toBeLessThanOrEqual(64 * 1024);
    const lost = drops.reduce((n, d) => n + [...d.perConnection.values()].reduce((a, b) => a + b, 0), 0);
    expect(lost + writer.bytes).toBe(40 * 3000);
    // The reader kept up through every drop: what it holds is what the writer holds.
    read();
    expect(reader.bytes).toBe(writer.bytes);
    writer.append(9, 's2c', 99, bytes(5, 9));
    expect(summary(read())).toEqual([{ conn: 9, dir: 's2c', t: 99, length: 5, first: 9 }]);
  });

  it('skips a segment dropped before the reader got to it', () => {
    const reader = new ChunkLogReader();
    const writer = new ChunkLogWriter({ maxBytes: 64 * 1024, onSegment: (index, buffer) => reader.add(index, buffer), onDrop: (index) => reader.drop(index) });
    for (let i = 0; i < 40; i++) writer.append(1, 'c2s', i, bytes(3000, i));
    const chunks: LoggedChunk[] = [];
    reader.read((chunk) => chunks.push(chunk));
    const ts = chunks.map((c) => c.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts.at(-1)).toBe(39);
    expect(chunks.reduce((n, c) => n + c.bytes.length, 0)).toBe(writer.bytes);
  });
});
