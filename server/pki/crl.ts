import type { Signer } from './issueCertificate.js';
import { signingAlgorithm } from './keys.js';
import { pemBlock } from './pem.js';
import { resolveRelativeTime } from './relativeTime.js';
import { x509 } from './x509.js';

/** RFC 5280 §5.2.3: cRLNumber, a DER INTEGER; each CA issues exactly one CRL here, number 1. */
const crlNumberOid = '2.5.29.20';
const crlNumberOne = new Uint8Array([0x02, 0x01, 0x01]);

/** When a CRL was issued and when the next is due, relative to now (`-8d`); absent: now and a week on. */
export interface CrlDates {
  thisUpdate?: string;
  nextUpdate?: string;
}

/**
 * A CA's CRL (RFC 5280 §5) listing the serial numbers of `revoked`, as PEM. Issued even
 * when empty: a verifier told to check revocation (`openssl verify -crl_check`) fails
 * with "unable to get certificate CRL" when a CA has none.
 */
export async function issueCrl(ca: Signer, revoked: readonly x509.X509Certificate[], now: Date, dates: CrlDates = {}): Promise<string> {
  const authorityKeyId = ca.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const thisUpdate = dates.thisUpdate === undefined ? now : resolveRelativeTime(dates.thisUpdate, now);
  // RFC 5280 §5.1.2.5: nextUpdate MUST be present; a week outlives any sandbox.
  const nextUpdate = resolveRelativeTime(dates.nextUpdate ?? '+7d', now);
  if (nextUpdate <= thisUpdate) {
    throw new TypeError(`issueCrl: the CRL of "${ca.name}" has nextUpdate "${dates.nextUpdate ?? '+7d'}" not after thisUpdate "${dates.thisUpdate ?? 'now'}"; for a stale CRL move both into the past, like { thisUpdate: "-8d", nextUpdate: "-1d" }`);
  }
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate,
    nextUpdate,
    entries: revoked.map((certificate) => ({
      serialNumber: certificate.serialNumber,
      revocationDate: now,
      // Without a reason @peculiar/x509 writes an empty crlEntryExtensions, which RFC 5280
      // §5.1 forbids (SIZE (1..MAX)); "unspecified" SHOULD be absent (§5.3.1), so name one.
      reason: x509.X509CrlReason.keyCompromise,
    })),
    extensions: [
      // RFC 5280 §5.2.1: MUST be present, so the verifier finds the key that signed it.
      ...(authorityKeyId === undefined ? [] : [new x509.AuthorityKeyIdentifierExtension(authorityKeyId)]),
      new x509.Extension(crlNumberOid, false, crlNumberOne),
    ],
    signingKey: ca.privateKey,
    signingAlgorithm: signingAlgorithm(ca.privateKey),
  });
  // RFC 7468 §5: the label is "X509 CRL"; @peculiar/x509 writes "CRL", which OpenSSL refuses.
  return pemBlock(x509.PemConverter.encode(crl.rawData, 'X509 CRL'));
}
