/**
 * What one certificate says, in the terms `openssl x509 -noout -text` uses: read from its
 * DER by the certificate inspector (files in the sandbox) and by the wire decoder
 * (certificates inside handshake messages), so both name things the same way.
 *
 *   DER ──inspectCertificate──▶ CertificateFacts { subject, issuer, serial, dates, SANs, EKU, key, sha256 }
 */
import { createHash } from 'node:crypto';
import { x509 } from './x509.js';

export interface CertificateFacts {
  /** `CN=Corp Root CA, O=mtls-lab`, as @peculiar/x509 prints an X.501 name. */
  subject: string;
  issuer: string;
  /** Lower-case hex pairs joined by ':', as openssl prints a long serial. */
  serialNumber: string;
  /** ISO times. */
  notBefore: string;
  notAfter: string;
  /** `dns:auth.corp.test`, `url:spiffe://…`; absent when the certificate has no SAN extension. */
  subjectAltNames?: string[];
  /** Key purposes by name; absent means any purpose (RFC 5280 §4.2.1.12). */
  extendedKeyUsage?: string[];
  /** `EC P-256`, `RSA 2048-bit`, `Ed25519`. */
  publicKey: string;
  /** basicConstraints cA; absent when the extension is. */
  isCa?: boolean;
  /** SHA-256 of the DER, lower-case hex: what `openssl x509 -fingerprint -sha256` prints, without colons. */
  sha256: string;
}

/** RFC 5280 §4.2.1.12 key purposes. */
const ekuNames = new Map<string, string>([
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
  ['2.5.29.37.0', 'anyExtendedKeyUsage'],
]);

function describeKey(algorithm: Algorithm & { modulusLength?: number; namedCurve?: string }): string {
  if (algorithm.modulusLength) return `RSA ${algorithm.modulusLength}-bit`;
  if (algorithm.namedCurve) return `EC ${algorithm.namedCurve}`;
  return algorithm.name;
}

function hexPairs(hex: string): string {
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return (even.toLowerCase().match(/../g) ?? []).join(':');
}

export function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Throws (the parser's own error) when `der` is not an X.509 certificate. */
export function inspectCertificate(der: Uint8Array): CertificateFacts {
  const cert = new x509.X509Certificate(new Uint8Array(der));
  const facts: CertificateFacts = {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: hexPairs(cert.serialNumber),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    publicKey: describeKey(cert.publicKey.algorithm),
    sha256: sha256Hex(der),
  };
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (san) facts.subjectAltNames = san.names.items.map((name) => `${name.type}:${name.value}`);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku) facts.extendedKeyUsage = eku.usages.map((oid) => ekuNames.get(String(oid)) ?? String(oid));
  const basic = cert.getExtension(x509.BasicConstraintsExtension);
  if (basic) facts.isCa = basic.ca;
  return facts;
}
