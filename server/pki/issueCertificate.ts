import type { CertificateSpec } from '../lab/schema.js';
import { notAfterOf } from '../lab/validity.js';
import { certificateExtensions } from './extensions.js';
import { privateKeyPem, signingAlgorithm } from './keys.js';
import { pemBlock } from './pem.js';
import { resolveRelativeTime } from './relativeTime.js';
import { randomSerialNumber } from './serialNumber.js';
import { x509 } from './x509.js';

export interface IssuedCertificate {
  /** The key in LabSpec['pki']. */
  name: string;
  spec: CertificateSpec;
  certificate: x509.X509Certificate;
  /** Ends with '\n'. */
  certPem: string;
  /** PKCS#8, ends with '\n'. */
  keyPem: string;
  /** The issuer's name in the lab; its own name for a self-signed certificate. */
  issuer: string;
}

/** A CA that can sign: its certificate and its private key. */
export interface Signer {
  name: string;
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
}

/**
 * The only issuing function. Every mis-issuance a lab teaches (expired, not yet valid, wrong
 * EKU, no SAN, signed by the wrong CA) is a value in `spec` or the `issuer` passed in,
 * never a separate path. Absent `issuer`: self-signed with its own key.
 */
export async function issueCertificate(
  name: string,
  spec: CertificateSpec,
  keys: CryptoKeyPair,
  issuer: Signer | undefined,
  now: Date,
): Promise<IssuedCertificate> {
  const notBefore = resolveRelativeTime(spec.validity.notBefore, now);
  const notAfterSpec = notAfterOf(spec);
  const notAfter = resolveRelativeTime(notAfterSpec, now);
  if (notAfter <= notBefore) {
    throw new TypeError(
      `pki.${name}.validity: notAfter "${notAfterSpec}" is not after notBefore "${spec.validity.notBefore}"; ` +
        `for an expired certificate move both into the past, like { notBefore: "-91d", notAfter: "-1d" }`,
    );
  }
  if (spec.pathLen !== undefined && !spec.ca) {
    // RFC 5280 §4.2.1.9: pathLenConstraint is meaningful only when cA is asserted.
    throw new TypeError(`pki.${name}.pathLen: ${spec.pathLen} needs ca: true (RFC 5280 §4.2.1.9)`);
  }

  // O=mtls-lab groups every lab certificate in a viewer; CN is what people read first.
  const subject = new x509.Name([{ O: ['mtls-lab'] }, { CN: [spec.commonName ?? name] }]);
  const signingKey = issuer?.privateKey ?? keys.privateKey;
  const authorityKeyId = issuer?.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    // RFC 5280 §4.1.2.4: the issuer field is the issuer's subject, byte for byte.
    issuer: issuer?.certificate.subjectName ?? subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithm(signingKey),
    extensions: await certificateExtensions(spec, keys.publicKey, authorityKeyId),
  });
  return {
    name,
    spec,
    certificate,
    certPem: pemBlock(certificate.toString('pem')),
    keyPem: await privateKeyPem(keys.privateKey),
    issuer: issuer?.name ?? name,
  };
}
