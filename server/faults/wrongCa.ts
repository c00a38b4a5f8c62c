import * as v from 'valibot';
import { CertificateSchema } from '../lab/schema.js';
import { chainOf, chainsTo, described, detector, evidenceOf, finding, possessive, reportValue, shortName, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';
import { cloneSpec, endpointOf, type Fault } from './fault.js';
import { labName, ParamsError, paramsSchema } from './params.js';

const strayRoot = 'stray-root';

const params = paramsSchema({
  /** The root the verifier trusts instead; a stray root added to the lab when absent. */
  trust: v.optional(labName('a CA'), strayRoot),
});

/** Every way OpenSSL says the chain leads to no anchor it holds (crypto/x509/x509_txt.c). */
export const unknownCaSignal: Signal = {
  alerts: [48],
  verifyErrors: [
    { num: 20, code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', text: 'unable to get local issuer certificate' },
    { num: 2, code: 'UNABLE_TO_GET_ISSUER_CERT', text: 'unable to get issuer certificate' },
    { num: 19, code: 'SELF_SIGNED_CERT_IN_CHAIN', text: 'self-signed certificate in certificate chain' },
    { num: 18, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', text: 'self-signed certificate' },
  ],
  text: /unknown ca|signed by unknown authority/i,
};

/**
 * The verifier trusts a different root than the one that issued its peer — the rollout
 * that shipped a new trust bundle before the certificates it was meant for. `params.trust`
 * names the root to trust instead; without it a fresh, unrelated root is added to the lab.
 */
export const wrongCa: Fault<v.InferOutput<typeof params>> = {
  kind: 'wrong-ca',
  title: 'Peer issued by an untrusted CA',
  summary: "The verifier's trust bundle does not contain the root that issued its peer's certificate.",
  target: 'endpoint',
  fixes: ['trust-issuer'],
  params,
  signal: unknownCaSignal,
  rules: {
    /** Refused as unknown, or a client chain that leads to none of the CAs the CertificateRequest lists. */
    reported(f) {
      const w = witnesses(f, unknownCaSignal)[0];
      const clientChain = chainOf(f.clientCert);
      const cas = f.certRequest?.authorities ?? [];
      const caMismatch = f.certRequest !== undefined && cas.length > 0 && clientChain.length > 0 && !chainsTo(clientChain, cas);
      if (!w && !caMismatch) return undefined;
      const by = detector(w, 'server');
      if (by === 'server') {
        const top = clientChain.at(-1);
        const issuedBy = top ? ` (its chain ends at ${shortName(top.issuer)})` : '';
        const proof = caMismatch && f.certRequest ? evidenceOf(f.certRequest, 'certificate_authorities', cas.join('; ')) : reportValue(w!);
        const accepts = cas.length ? `${f.service} trusts only ${cas.map(shortName).join(', ')} for client certificates` : `${f.service} does not trust the CA behind it`;
        return finding('wrong-ca', 'server', proof, `${possessive(f.client)} certificate ${shortName(clientChain[0]?.subject)}${issuedBy} was refused: ${accepts}${w ? ` (${described(w)})` : ''}`);
      }
      const serverChain = chainOf(f.serverCert);
      const proof = f.serverCert ? evidenceOf(f.serverCert, 'issuer', serverChain.at(-1)?.issuer ?? '') : reportValue(w!);
      return finding('wrong-ca', 'client', proof, `${f.client} does not trust the CA behind ${possessive(f.service)} certificate ${shortName(serverChain[0]?.subject)} (${described(w)})`);
    },
  },
  wording: {
    ...opensslFamily({ verify: unknownCaSignal.verifyErrors[0], alert: 48 }),
    go: goWording({ x509: 'certificate signed by unknown authority', alert: 48, source: 'crypto/x509 verify.go (UnknownAuthorityError)' }),
    // Envoy's default validator answers an unknown CA with unknown_ca; certificate_unknown (46)
    // is what its SAN matchers send. Its debug log names the verify error.
    envoy: { ...envoyWording({ alert: 48 }), detector: 'verify cert failed: X509_verify_cert: certificate verification error at depth 0: unable to get local issuer certificate' },
  },
  apply(spec, target, { trust }) {
    const next = cloneSpec(spec);
    const verifier = endpointOf(next, target);
    if (trust === strayRoot && !next.pki[strayRoot]) {
      next.pki[strayRoot] = v.parse(CertificateSchema, { ca: true, commonName: 'Stray Root CA' });
    }
    if (!next.pki[trust]?.ca) {
      const cas = Object.entries(spec.pki).filter(([, cert]) => cert.ca).map(([name]) => name);
      throw new ParamsError('wrong-ca', [{ path: ['trust'], message: `"${trust}" is not a CA in lab ${spec.id} (known: ${[...cas, strayRoot].join(', ')})` }], { ofLab: true });
    }
    verifier.trust = [trust];
    return next;
  },
};
