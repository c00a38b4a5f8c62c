import { isDeepStrictEqual } from 'node:util';
import type { CertificateSpec } from '../lab/schema.js';
import { issueCrl } from './crl.js';
import { issuanceOrder } from './issuanceOrder.js';
import { issueCertificate, type IssuedCertificate, type Signer } from './issueCertificate.js';
import { generateKeyPair } from './keys.js';

export interface Pki {
  /** Every certificate of the lab, issuers before the certificates they signed. */
  certificates: Map<string, IssuedCertificate>;
  /** PEM CRL per CA name (RFC 5280 §5), listing the serials of its children with `revoked: true`. Every CA gets one (possibly empty). */
  crls: Map<string, string>;
  /** Leaf + intermediates up to (excluding) the self-signed root, in order, each PEM ending in '\n'. */
  chainPem(name: string): string;
  /** Each certificate's key pair: what signs its children, and what a renewal keeps. */
  keyPairs: Map<string, CryptoKeyPair>;
}

/**
 * Issues every certificate of a lab, parents before children (topological order; a cycle or
 * unknown issuer throws TypeError naming it).
 *
 *   pki spec ──issuanceOrder──▶ names ──keys (all at once)──▶ certificates (each as soon as its issuer is) ──▶ CRLs
 *
 * Key generation runs on libuv's thread pool, so every key is generated at once, and each
 * certificate waits only for its own issuer: siblings are signed in parallel.
 *
 * Given the `previous` PKI of a running sandbox, only what changed is issued again (a live
 * fault or fix): a certificate whose spec changed, or whose issuer changed its subject or key,
 * gets a new serial, and keeps its key pair as a renewal does while its key type stays; every
 * other certificate, and every CRL whose CA and revoked serials stayed, is the previous one.
 */
export async function issuePki(pki: Record<string, CertificateSpec>, now: Date = new Date(), previous?: Pki): Promise<Pki> {
  const order = issuanceOrder(pki);
  const keys = new Map(
    order.map((name) => {
      const kept = previous?.certificates.get(name)?.spec.key === pki[name]!.key ? previous.keyPairs.get(name) : undefined;
      return [name, kept ? Promise.resolve(kept) : generateKeyPair(pki[name]!.key)];
    }),
  );

  const signers = new Map<string, Promise<Signer & { issued: IssuedCertificate; keyPair: CryptoKeyPair }>>();
  for (const name of order) {
    const spec = pki[name]!;
    signers.set(
      name,
      (async () => {
        const keyPair = await keys.get(name)!;
        const issuer = spec.issuer === undefined ? undefined : await signers.get(spec.issuer)!;
        const kept = previous?.certificates.get(name);
        // A child verifies against its issuer's subject and key: a CA renewed with both kept leaves it valid.
        const sameIssuer = (): boolean =>
          issuer === undefined || (issuer.keyPair === previous!.keyPairs.get(issuer.name) && issuer.certificate.subject === previous!.certificates.get(issuer.name)?.certificate.subject);
        const issued = kept !== undefined && isDeepStrictEqual(kept.spec, spec) && sameIssuer() ? kept : await issueCertificate(name, spec, keyPair, issuer, now);
        return { name, certificate: issued.certificate, privateKey: keyPair.privateKey, issued, keyPair };
      })(),
    );
  }
  const signed = await Promise.all(signers.values());
  const certificates = new Map(signed.map((signer) => [signer.name, signer.issued]));

  // RFC 5280 §5: a CA's CRL lists what it issued; a self-signed CA is not its own child.
  const revokedBy = (ca: string, issued: Iterable<IssuedCertificate>): IssuedCertificate[] =>
    [...issued].filter((child) => child.spec.revoked && child.issuer === ca && child.name !== ca);
  const serials = (list: IssuedCertificate[]): string[] => list.map((child) => child.certificate.serialNumber).sort();
  const crls = new Map(
    await Promise.all(
      signed
        .filter((ca) => ca.issued.spec.ca)
        .map(async (ca) => {
          const revoked = revokedBy(ca.name, certificates.values());
          const kept = previous?.crls.get(ca.name);
          const same = kept !== undefined && ca.issued === previous!.certificates.get(ca.name) && isDeepStrictEqual(serials(revoked), serials(revokedBy(ca.name, previous!.certificates.values())));
          return [ca.name, same ? kept : await issueCrl(ca, revoked.map((child) => child.certificate), now, ca.issued.spec.crl)] as const;
        }),
    ),
  );

  return assemblePki(certificates, crls, new Map(signed.map((signer) => [signer.name, signer.keyPair])));
}

/** A Pki from its parts: what issuePki returns, and what a Pki that crossed threads is again (pkiWire.ts). */
export function assemblePki(certificates: Map<string, IssuedCertificate>, crls: Map<string, string>, keyPairs: Map<string, CryptoKeyPair>): Pki {
  const chainPem = (name: string): string => {
    let current = certificates.get(name);
    if (current === undefined) {
      throw new TypeError(`chainPem: "${name}" is not a certificate in this lab (known: ${[...certificates.keys()].join(', ')})`);
    }
    // The named certificate always comes first (a self-signed one is its own chain); then
    // each issuer until the self-signed root, which verifiers must already hold
    // (RFC 8446 §4.4.2: the root "MAY be omitted").
    const chain = [current.certPem];
    while (current.issuer !== current.name) {
      current = certificates.get(current.issuer)!;
      if (current.issuer === current.name) break;
      chain.push(current.certPem);
    }
    return chain.join('');
  };

  return { certificates, crls, chainPem, keyPairs };
}
