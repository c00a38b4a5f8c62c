/**
 * What a Certificate or CertificateRequest message says, read back from the decoder's field
 * tree (the same tree the browser shows), so notes and verdicts rest on the bytes that
 * crossed the wire and nothing else.
 *
 *   Certificate.certificate_list ─▶ CertificateEntry ─▶ end_entity | chain[i] ─▶ subject, issuer, notAfter …
 *   CertificateRequest ─▶ certificate_authorities ─▶ DistinguishedName*   (RFC 8446 §4.2.4, RFC 5246 §7.4.4)
 */
import type { Field } from '../wire/field.js';
import { findFields } from './traceEvent.js';

export { validityAt, type Validity } from '../pki/validity.js';

export interface ChainCertificate {
  subject?: string;
  issuer?: string;
  serialNumber?: string;
  subjectAltNames?: string[];
  notBefore?: string;
  notAfter?: string;
  extendedKeyUsage?: string[];
  publicKey?: string;
  isCa?: boolean;
  /** SHA-256 of the DER, lower-case hex: matches the same certificate in a file. */
  sha256?: string;
  /** Why the decoder could not parse it. */
  error?: string;
}

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

/** `O=mtls-lab, CN=Corp Root CA` → `CN=Corp Root CA`: the part people recognise. */
export function shortName(dn: string | undefined): string {
  if (!dn) return 'an unnamed certificate';
  const cn = dn.split(/,\s*/).find((part) => part.startsWith('CN='));
  return cn ?? dn;
}

/** Self-signed by name: subject and issuer are the same (RFC 5280 §6.1: a trust anchor). */
export const isSelfIssued = (cert: ChainCertificate): boolean => cert.subject !== undefined && cert.subject === cert.issuer;

/** A chain of one certificate that is not its own issuer: the intermediate the peer needs is missing. */
export function stopsAtLeaf(chain: readonly ChainCertificate[]): boolean {
  const leaf = chain[0];
  return chain.length === 1 && leaf !== undefined && !isSelfIssued(leaf);
}

/** Whether the chain leads to one of `cas`: one of its certificates was issued by, or is, a listed CA. */
export function chainsTo(chain: readonly ChainCertificate[], cas: readonly string[]): boolean {
  const wanted = new Set(cas);
  return chain.some((cert) => (cert.issuer !== undefined && wanted.has(cert.issuer)) || (cert.subject !== undefined && wanted.has(cert.subject)));
}

/** `2026-11-23T03:28:08.000Z` → `2026-11-23 03:28 UTC`. */
export function readableTime(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** `6 hours`, `3 days`, `2 minutes`: how far apart two instants are, roughly, for a note. */
export function roughDuration(ms: number): string {
  const abs = Math.abs(ms);
  const units: Array<[number, string]> = [
    [365 * 86_400_000, 'year'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.round(abs / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a second';
}
