import { randomBytes } from 'node:crypto';

/**
 * RFC 5280 §4.1.2.2: a positive integer, unique per CA, at most 20 octets. 16 random bytes
 * with the top bit clear (positive, so DER needs no 0x00 pad) and the next bit set (no
 * leading zero to trim) encode as exactly 16 octets. Hex, as @peculiar/x509 takes it.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}
