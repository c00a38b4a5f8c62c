/**
 * What a Certificate or CertificateRequest message says, read back from the decoder's field
 * tree (the same tree the browser shows), so notes and verdicts rest on the bytes that
 * crossed the wire and nothing else.
 *
 *   Certificate.certificate_list ─▶ CertificateEntry ─▶ end_entity | chain[i] ─▶ subject, issuer, notAfter …
 *   CertificateRequest ─▶ certificate_authorities ─▶ DistinguishedName*   (RFC 8446 §4.2.4, RFC 5246 §7.4.4)
 */
import type { Field } from '../wire/field.js';
import type { ChainCertificate } from '../faults/facts.js';
import { findFields } from './traceEvent.js';

export type { ChainCertificate };
export { chainsTo, isSelfIssued, readableTime, roughDuration, shortName, stopsAtLeaf } from '../faults/evidence.js';

export { validityAt, type Validity } from '../pki/validity.js';

const child = (f: Field | undefined, name: string): string | undefined => {
  const value = f?.children?.find((c) => c.name === name)?.value;
  return value === undefined || value === '' ? undefined : String(value);
};

/** The certificates of a Certificate message, leaf first (RFC 8446 §4.4.2: the sender's own comes first). */
export function certificateChain(fields: readonly Field[] | undefined): ChainCertificate[] {
  return findFields(fields, 'CertificateEntry').map((entry) => {
    const cert = entry.children?.find((c) => c.name === 'end_entity' || c.name.startsWith('chain['));
    const out: ChainCertificate = {};
    const set = <K extends keyof ChainCertificate>(key: K, value: ChainCertificate[K] | undefined): void => {
      if (value !== undefined) out[key] = value;
    };
    set('subject', child(cert, 'subject'));
    set('issuer', child(cert, 'issuer'));
    set('serialNumber', child(cert, 'serialNumber'));
    set('subjectAltNames', child(cert, 'subjectAltName')?.split(', '));
    set('notBefore', child(cert, 'notBefore'));
    set('notAfter', child(cert, 'notAfter'));
    set('extendedKeyUsage', child(cert, 'extKeyUsage')?.split(', '));
    set('publicKey', child(cert, 'publicKey'));
    set('sha256', child(cert, 'sha256'));
    const ca = child(cert, 'basicConstraints.cA');
    if (ca !== undefined) out.isCa = ca === 'true';
    set('error', child(cert, 'error'));
    return out;
  });
}

/** The CA names a CertificateRequest lists (empty when the server names none: then any CA it trusts). */
export function acceptableCas(fields: readonly Field[] | undefined): string[] {
  return findFields(fields, 'DistinguishedName').map((f) => String(f.value ?? ''));
}
