/**
 * Recorded connections → one pcapng file (draft-ietf-opsawg-pcapng) that Wireshark opens and
 * decrypts with no other file:
 *
 *   SHB | IDB (LINKTYPE_RAW, µs) | DSB (TLSK: the key log, when given) | EPB … in time order
 *
 * Each connection is synthesised as the TCP/IP packets that carried it (see synthesize.ts).
 * The DSB precedes every packet, as §4.7 asks, so a reader has the keys before the first
 * record it must decrypt.
 */
import { ByteWriter } from './byteWriter.js';
import { keylogText } from './keylog.js';
import {
  LinkType,
  SecretsType,
  writeDecryptionSecrets,
  writeEnhancedPacket,
  writeInterfaceDescription,
  writeSectionHeader,
} from './pcapngBlocks.js';
import type { RecordedConnection } from './recording.js';
import { synthesizeConnection, type SyntheticPacket } from './synthesize.js';

export { keylogText } from './keylog.js';

export interface WritePcapngOptions {
  /** NSS key log lines to embed in a Decryption Secrets Block. */
  keylog?: string[];
  /** Largest data payload per segment (default 65495, Linux's loopback MSS). */
  mss?: number;
}

/** Every connection's packets, merged into one time order; a connection's own order is kept. */
export function synthesizeAll(connections: RecordedConnection[], mss?: number): SyntheticPacket[] {
  const packets = connections.flatMap((conn) => synthesizeConnection(conn, mss === undefined ? {} : { mss }));
  // Array.prototype.sort is stable (ES2019), and each connection's packets are already in
  // non-decreasing time, so sorting by time alone interleaves without reordering any stream.
  return packets.sort((a, b) => a.t - b.t);
}

export function writePcapng(connections: RecordedConnection[], options: WritePcapngOptions = {}): Uint8Array {
  const packets = synthesizeAll(connections, options.mss);
  let size = 256;
  for (const p of packets) size += 32 + p.packet.length + (p.comment ? 40 : 0);
  const w = new ByteWriter(true, size);
  writeSectionHeader(w, 'mtls-lab');
  writeInterfaceDescription(w, LinkType.RAW, 'mtls-lab tap');
  const keys = options.keylog ? keylogText(options.keylog) : '';
  if (keys !== '') writeDecryptionSecrets(w, SecretsType.TLS_KEY_LOG, new TextEncoder().encode(keys));
  for (const p of packets) writeEnhancedPacket(w, 0, p.t, p.packet, p.comment);
  return w.finish();
}
