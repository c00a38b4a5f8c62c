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
}

/**
 * Issues every certificate of a lab, parents before children (topological order; a cycle or
 * unknown issuer throws TypeError naming it).
 *
 *   pki spec ──issuanceOrder──▶ names ──keys (all at once)──▶ certificates (each as soon as its issuer is) ──▶ CRLs
 *
 * Key generation runs on libuv's thread pool, so every key is generated at once, and each
 * certificate waits only for its own issuer: siblings are signed in parallel.
 */
export async function issuePki(pki: Record<string, CertificateSpec>, now: Date = new Date()): Promise<Pki> {
  const order = issuanceOrder(pki);
  const keys = new Map(order.map((name) => [name, generateKeyPair(pki[name]!.key)]));

  const signers = new Map<string, Promise<Signer & { issued: IssuedCertificate }>>();
  for (const name of order) {
    const spec = pki[name]!;
    signers.set(
      name,
      (async () => {
        const keyPair = await keys.get(name)!;
        const issuer = spec.issuer === undefined ? undefined : await signers.get(spec.issuer)!;
        const issued = await issueCertificate(name, spec, keyPair, issuer, now);
        return { name, certificate: issued.certificate, privateKey: keyPair.privateKey, issued };
      })(),
    );
  }
  const signed = await Promise.all(signers.values());
  const certificates = new Map(signed.map((signer) => [signer.name, signer.issued]));

  // RFC 5280 §5: a CA's CRL lists what it issued; a self-signed CA is not its own child.
  const crls = new Map(
    await Promise.all(
      signed
        .filter((ca) => ca.issued.spec.ca)
        .map(async (ca) => {
          const revoked = signed
            .filter((child) => child.issued.spec.revoked && child.issued.issuer === ca.name && child.name !== ca.name)
            .map((child) => child.certificate);
          return [ca.name, await issueCrl(ca, revoked, now, ca.issued.spec.crl)] as const;
        }),
    ),
  );

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

  return { certificates, crls, chainPem };
}
