/**
 * A Pki as it crosses between the main thread and the PKI's thread (pkiWorker.ts ⇄ pkiThread.ts).
 * Maps, specs, PEMs and CryptoKeys survive a structured clone; an X509Certificate would arrive
 * as a plain object without its methods, so it travels as its PEM and is parsed on arrival, and
 * `chainPem` is built again from the certificates.
 */
import { assemblePki, type Pki } from './issuePki.js';
import type { IssuedCertificate } from './issueCertificate.js';
import { x509 } from './x509.js';

export interface WirePki {
  certificates: Map<string, Omit<IssuedCertificate, 'certificate'>>;
  crls: Map<string, string>;
  keyPairs: Map<string, CryptoKeyPair>;
}

export function pkiToWire(pki: Pki): WirePki {
  const certificates = new Map([...pki.certificates].map(([name, { certificate: _parsed, ...issued }]) => [name, issued]));
  return { certificates, crls: pki.crls, keyPairs: pki.keyPairs };
}

export function pkiFromWire(wire: WirePki): Pki {
  const certificates = new Map([...wire.certificates].map(([name, issued]) => [name, { ...issued, certificate: new x509.X509Certificate(issued.certPem) }]));
  return assemblePki(certificates, wire.crls, wire.keyPairs);
}
