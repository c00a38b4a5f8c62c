/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum
 * of the data as big-endian 16-bit words, an odd final byte padded with zero. IPv4 covers
 * its header with it (RFC 791 §3.1); TCP covers a pseudo-header, its header and its data
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
 */

/** The unfolded sum of `bytes[start, end)` as 16-bit big-endian words, added to `initial`. */
export function wordSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (i < end) sum += (bytes[i] ?? 0) << 8;
  return sum;
}

/** Folds the carries back in (RFC 1071 §4.1) and complements. */
export function finishChecksum(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return ~folded & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(wordSum(bytes, start, end));
}

export const IPPROTO_TCP = 6;

/**
 * The TCP checksum of `segment` (header with its checksum field zeroed, plus data) between
 * two addresses of the same family: 4 bytes each for IPv4, 16 for IPv6.
 */
export function tcpChecksum(src: Uint8Array, dst: Uint8Array, segment: Uint8Array): number {
  // Both pseudo-headers sum to: addresses + protocol + TCP length. IPv4 carries the length in
  // 16 bits and IPv6 in 32, but as 16-bit words the IPv6 high half is zero for any segment an
  // IP datagram without a jumbo payload option can carry.
  let sum = wordSum(src) + wordSum(dst) + IPPROTO_TCP;
  sum += Math.floor(segment.length / 0x10000) + (segment.length & 0xffff);
  return finishChecksum(wordSum(segment, 0, segment.length, sum));
}
