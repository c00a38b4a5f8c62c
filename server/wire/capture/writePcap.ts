/**
 * Classic pcap (draft-ietf-opsawg-pcap), for tools that predate pcapng: a 24-byte file
 * header, then per packet ts_sec | ts_usec-or-nsec | captured length | original length |
 * data. It has no room for secrets, so the key log travels beside it (keylogText).
 */
import { ByteWriter } from './byteWriter.js';

export interface PcapFrame {
  /** µs since the Unix epoch. */
  t: number;
  data: Uint8Array;
  /** The length on the wire, when more than `data` was there (a snap length cut it). */
  originalLength?: number;
}

export interface WritePcapOptions {
  linkType: number;
  /** Default true; big-endian files are what SPARC and PowerPC hosts wrote. */
  littleEndian?: boolean;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds (0xa1b2c3d4). */
  nanoseconds?: boolean;
}

export function writePcap(frames: PcapFrame[], options: WritePcapOptions): Uint8Array {
  const ns = options.nanoseconds ?? false;
  const w = new ByteWriter(options.littleEndian ?? true);
  w.u32(ns ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4);
  w.u32(0).u32(0); // thiszone, sigfigs: always 0 (draft-ietf-opsawg-pcap §4)
  w.u32(0x40000).u32(options.linkType);
  for (const frame of frames) {
    const seconds = Math.floor(frame.t / 1e6);
    const micros = frame.t - seconds * 1e6;
    w.u32(seconds).u32(ns ? micros * 1000 : micros);
    w.u32(frame.data.length).u32(frame.originalLength ?? frame.data.length).bytes(frame.data);
  }
  return w.finish();
}
