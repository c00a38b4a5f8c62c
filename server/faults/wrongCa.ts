import * as v from 'valibot';
import { CertificateSchema } from '../lab/schema.js';
import { cloneSpec, endpointOf, type Fault } from './fault.js';
import { labName, ParamsError, paramsSchema } from './params.js';

const strayRoot = 'stray-root';

const params = paramsSchema({
  /** The root the verifier trusts instead; a stray root added to the lab when absent. */
  trust: v.optional(labName('a CA'), strayRoot),
});

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
  signature: {
    client: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY / alert 48 unknown_ca (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA)',
    server: 'unable to get local issuer certificate (verify error 20); sends alert 48 unknown_ca',
  },
  fix: 'trust-issuer',
  params,
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
