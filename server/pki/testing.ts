/**
 * For tests only: a lab's `pki` block written as in a lab file, run through the lab's own
 * certificate schema so every default (key, validity, san, eku…) is the one labs get.
 */
import * as v from 'valibot';
import { CertificateSchema, type CertificateSpec } from '../lab/schema.js';

export function pkiSpec(pki: Record<string, unknown>): Record<string, CertificateSpec> {
  return v.parse(v.record(v.string(), CertificateSchema), pki);
}
