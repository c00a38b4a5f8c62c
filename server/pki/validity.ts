/**
 * Whether a certificate is inside its validity period at an instant. Shared by the
 * certificate inspector (files on disk) and the trace's notes (certificates on the wire).
 */

import type { Validity } from '../faults/facts.js';

export type { Validity };

/** RFC 5280 §4.1.2.5: valid from notBefore through notAfter, inclusive. Times are ISO strings. */
export function validityAt(cert: { notBefore?: string; notAfter?: string }, atMs: number | undefined): Validity {
  if (atMs === undefined) return 'unknown';
  const notAfter = cert.notAfter ? Date.parse(cert.notAfter) : NaN;
  const notBefore = cert.notBefore ? Date.parse(cert.notBefore) : NaN;
  if (!Number.isNaN(notAfter) && atMs > notAfter) return 'expired';
  if (!Number.isNaN(notBefore) && atMs < notBefore) return 'not-yet-valid';
  return Number.isNaN(notAfter) ? 'unknown' : 'valid';
}
