import { cloneSpec, endpointOf, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';

/** The most common chain mistake: the endpoint sends its leaf without the intermediate. */
export const missingIntermediate: Fault = {
  kind: 'missing-intermediate',
  title: 'Missing intermediate certificate',
  summary: 'The endpoint sends only its leaf; a verifier that trusts the root cannot build the path to it.',
  target: 'endpoint',
  signature: {
    client: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE (OpenSSL: verify return code 21, unable to verify the first certificate)',
    server: 'unable to verify the first certificate',
  },
  fix: 'send-full-chain',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const endpoint = endpointOf(next, target);
    const certName = endpoint.cert;
    const issuer = certName ? next.pki[next.pki[certName]!.issuer ?? certName] : undefined;
    if (!certName || !issuer?.issuer) {
      throw new FaultError(
        `missing-intermediate needs "${target}" to hold a certificate issued by an intermediate CA` +
          ` (its certificate ${certName ? `"${certName}" is issued directly by a root` : 'is absent'})`,
      );
    }
    endpoint.chain = 'leaf';
    return next;
  },
};
