import type { CertificateSpec } from '../lab/schema.js';
import { parseSubjectAltName } from './subjectAltName.js';
import { x509 } from './x509.js';

const extendedKeyUsageOids = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
} as const;

/**
 * The v3 extensions of one certificate, read straight off its spec. A wrong EKU or a
 * missing SAN is simply what the spec says; nothing here corrects a lab.
 *
 * `authorityKeyId` is the issuer's subject key identifier; absent for a self-signed
 * certificate, which names its own key.
 */
export async function certificateExtensions(
  spec: CertificateSpec,
  publicKey: CryptoKey,
  authorityKeyId: string | undefined,
): Promise<x509.Extension[]> {
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  const extensions: x509.Extension[] = [
    // RFC 5280 §4.2.1.9: critical in CA certificates; marked critical in leaves too, so no
    // verifier can mistake a leaf for a CA.
    new x509.BasicConstraintsExtension(spec.ca, spec.ca ? spec.pathLen : undefined, true),
    // RFC 5280 §4.2.1.3: SHOULD be critical.
    new x509.KeyUsagesExtension(keyUsages(spec), true),
    subjectKeyId,
    // RFC 5280 §4.2.1.1: lets a verifier pick the right issuer when two CAs share a name.
    new x509.AuthorityKeyIdentifierExtension(authorityKeyId ?? subjectKeyId.keyId),
  ];
  // RFC 5280 §4.2.1.12: absent means "any purpose"; an empty list is not allowed.
  if (spec.eku.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku.map((usage) => extendedKeyUsageOids[usage])));
  }
  // RFC 5280 §4.2.1.6: at least one name when present. Without it, modern verifiers (Go,
  // Chrome, Node's checkServerIdentity) have no host name to match: the "no SAN" lab.
  if (spec.san.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(spec.san.map(parseSubjectAltName)));
  }
  return extensions;
}

function keyUsages(spec: CertificateSpec): x509.KeyUsageFlags {
  if (spec.ca) {
    // RFC 5280 §4.2.1.3: keyCertSign to sign certificates, cRLSign to sign its CRL (§5).
    return x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  }
  // TLS 1.2's RSA key transport encrypts the premaster secret to the leaf's key
  // (RFC 5246 §7.4.7.1), which needs keyEncipherment; EC and Ed25519 keys only sign.
  return spec.key === 'rsa-2048'
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
}
