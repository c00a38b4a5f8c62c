/**
 * What the wire tap recorded of one TCP connection: the shape every capture format here
 * writes from and reads back into.
 *
 *   client ──c2s──▶ tap ──▶ service        each `data` event on a leg → one RecordedChunk
 *   client ◀──s2c── tap ◀── service        (direction, µs timestamp, the bytes as read)
 *
 * Times are integer µs since the Unix epoch: pcapng's default timestamp resolution
 * (draft-ietf-opsawg-pcapng §4.2, if_tsresol absent = 10^-6 s), so they survive a round trip
 * through a capture file unchanged.
 */

export type Direction = 'c2s' | 's2c';

export interface Endpoint {
  /** An IPv4 or IPv6 literal, e.g. `127.0.0.1`, `::1`, `::ffff:127.0.0.1`. */
  address: string;
  port: number;
}

export interface RecordedChunk {
  dir: Direction;
  /** µs since the Unix epoch. */
  t: number;
  bytes: Uint8Array;
}

export interface RecordedConnection {
  id: number;
  /** The end that opened the connection (sent the SYN). */
  client: Endpoint;
  server: Endpoint;
  /** µs since the Unix epoch: when the TCP handshake happened. */
  openedAt: number;
  /** µs since the Unix epoch: when both ends had closed; absent while still open. */
  closedAt?: number;
  /**
   * How it ended: an orderly FIN exchange (the default when absent) or a reset
   * (RFC 9293 §3.5.3). Meaningful only with `closedAt`.
   */
  closedBy?: 'fin' | 'rst';
  /** In the order the tap read them, both directions interleaved. */
  chunks: RecordedChunk[];
}
