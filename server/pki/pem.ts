/**
 * PEM as files hold it (RFC 7468): blocks concatenated into chains and trust bundles.
 *
 *   Pki ──pemBlock──▶ file (chain, bundle) ──pemBlocks──▶ blocks ──pemToDer──▶ DER
 */

/**
 * One PEM block as it goes into a file or a bundle: @peculiar/x509 ends its PEM without a
 * newline, and blocks are concatenated into chains and trust bundles (RFC 7468 §2), so each
 * must end with one.
 */
export function pemBlock(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** Every block of a file, in file order, each with its line ending. */
export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----\r?\n?/g) ?? [];
}

/** The DER bytes of one block: the base64 between its labels (RFC 7468 §3). */
export function pemToDer(block: string): Uint8Array {
  const body = block.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}
