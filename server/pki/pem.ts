/**
 * One PEM block as it goes into a file or a bundle: @peculiar/x509 ends its PEM without a
 * newline, and blocks are concatenated into chains and trust bundles (RFC 7468 §2), so each
 * must end with one.
 */
export function pemBlock(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
