/**
 * X.509 certificates and distinguished names as they appear inside handshake messages
 * (RFC 8446 §4.4.2, §4.2.4; RFC 5246 §7.4.2, §7.4.4). A certificate that fails to parse
 * is kept as raw bytes with a note: a learner debugging a broken chain must still see
 * that *something* was sent, and what.
 */
import { inspectCertificate, sha256Hex, type CertificateFacts } from '../pki/inspect.js';
import { x509 } from '../pki/x509.js';
import { field, toHex, type Field } from './field.js';

/** What the certificate says, or, when it does not parse, its fingerprint and why. */
export type CertificateSummary = Partial<CertificateFacts> & {
  sha256: string;
  /** Why the certificate could not be parsed; the raw bytes are still reported. */
  error?: string;
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The same few certificates and CA names cross the wire in every handshake of a lab (each
 * side's chain, a CertificateRequest's authorities), and parsing one costs more than decoding
 * the rest of the handshake: what they say is kept by DER, oldest out first past the bound —
 * room for every sandbox a server runs (48, each lab's PKI a handful of certificates) without
 * one evicting another's. Summaries are shared, so they are frozen.
 */
const maxKept = 2048;
const summaries = new Map<string, CertificateSummary>();
const names = new Map<string, string>();

function kept<T>(cache: Map<string, T>, der: Uint8Array, parse: () => T): T {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = parse();
  cache.set(key, value);
  if (cache.size > maxKept) cache.delete(cache.keys().next().value!);
  return value;
}

export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  return kept(summaries, der, () => freezeSummary(parseSummary(der)));
}

function parseSummary(der: Uint8Array): CertificateSummary {
  try {
    return inspectCertificate(der);
  } catch (error) {
    return { sha256: sha256Hex(der), error: `not a parseable X.509 certificate: ${message(error)}` };
  }
}

function freezeSummary<T extends object>(summary: T): T {
  for (const value of Object.values(summary)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(summary);
}

/** One certificate as a field: the DER range, with its readable parts as children. */
export function certificateField(name: string, der: Uint8Array, start: number, end: number): { field: Field; summary: CertificateSummary } {
  const s = summarizeCertificate(der);
  const at = (childName: string, label: string, value: string): Field => field(childName, label, start, end, { value, rfc: 'RFC 5280 §4.1' });
  const children: Field[] = [];
  if (s.error) {
    children.push(at('error', 'The bytes could not be parsed as a certificate; they are shown raw.', s.error));
    children.push(at('raw', 'The first bytes of what was sent.', toHex(der, 32)));
  } else {
    children.push(at('subject', 'Who this certificate names (its owner).', s.subject ?? ''));
    children.push(at('issuer', 'The CA that signed it; the next certificate in the chain should have this as its subject.', s.issuer ?? ''));
    children.push(field('serialNumber', 'Unique among the certificates its issuer signed: the number a CRL or OCSP response names when the certificate is revoked.', start, end, { value: s.serialNumber ?? '', rfc: 'RFC 5280 §4.1.2.2' }));
    if (s.subjectAltNames) {
      children.push(field('subjectAltName', 'The names the certificate is valid for; hostname and SPIFFE checks look here, not at the subject CN.', start, end, { value: s.subjectAltNames.join(', '), rfc: 'RFC 5280 §4.2.1.6' }));
    }
    children.push(at('notBefore', 'Not valid before this time.', s.notBefore ?? ''));
    children.push(at('notAfter', 'Not valid after this time: past it, peers reject the certificate as expired.', s.notAfter ?? ''));
    if (s.extendedKeyUsage) {
      children.push(field('extKeyUsage', 'What the key may be used for: a client certificate needs clientAuth, a server certificate serverAuth.', start, end, { value: s.extendedKeyUsage.join(', '), rfc: 'RFC 5280 §4.2.1.12' }));
    }
    if (s.isCa !== undefined) {
      children.push(field('basicConstraints.cA', 'Whether this certificate may sign other certificates.', start, end, { value: String(s.isCa), rfc: 'RFC 5280 §4.2.1.9' }));
    }
    children.push(at('publicKey', 'The kind of key the holder proves possession of in CertificateVerify.', s.publicKey ?? ''));
  }
  children.push(field('sha256', 'SHA-256 fingerprint of the DER bytes, to compare with `openssl x509 -fingerprint -sha256`.', start, end, { value: s.sha256 }));
  const label = s.error ? 'A certificate that could not be parsed.' : `Certificate for ${s.subject}, issued by ${s.issuer}.`;
  return { field: field(name, label, start, end, { value: s.subject ?? `${der.length} bytes (unparsed)`, children }), summary: s };
}

/** A DER-encoded X.501 Name (RFC 5280 §4.1.2.4) as `CN=…, O=…`, or a note when it does not parse. */
export function distinguishedName(der: Uint8Array): string {
  return kept(names, der, () => {
    try {
      return new x509.Name(new Uint8Array(der)).toString();
    } catch (error) {
      return `unparseable name (${der.length} bytes): ${message(error)}`;
    }
  });
}
