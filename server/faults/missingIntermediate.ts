import { chainOf, described, detector, evidenceOf, finding, reportValue, shortName, stopsAtLeaf, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { unknownCaSignal } from './wrongCa.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';
import { cloneSpec, endpointOf, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';

/** What curl and Python say of it: verify error 20, unable to get local issuer certificate. */
const localIssuer = opensslFamily({ verify: unknownCaSignal.verifyErrors[0], alert: 48 });

/** Verify error 21: only Node and s_client report it; curl and Python report 20, as for an unknown CA. */
const signal: Signal = { alerts: [], verifyErrors: [{ num: 21, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', text: 'unable to verify the first certificate' }] };

/** The most common chain mistake: the endpoint sends its leaf without the intermediate. */
export const missingIntermediate: Fault = {
  kind: 'missing-intermediate',
  title: 'Missing intermediate certificate',
  summary: 'The endpoint sends only its leaf; a verifier that trusts the root cannot build the path to it.',
  target: 'endpoint',
  fixes: ['send-full-chain'],
  params: noParams,
  signal,
  rules: {
    /**
     * A chain refused as unverifiable (21) or as leading to no known CA (20, alert 48) whose
     * sender stopped at a leaf it did not issue itself: from the bytes, a missing intermediate.
     * With 20 or 48 a verifier that trusts no CA of the chain at all looks the same, so
     * wrong-ca is named as the alternative.
     */
    reported(f) {
      const firstCertain = witnesses(f, signal)[0];
      const w = firstCertain ?? witnesses(f, unknownCaSignal)[0];
      if (!w) return undefined;
      const by = detector(w, 'client');
      // The detector's peer sent the short chain: the client verifies the server's, and back.
      const sent = by === 'client' ? f.serverCert : f.clientCert;
      const chain = chainOf(sent);
      const sender = by === 'client' ? f.service : f.client;
      const verifier = by === 'client' ? f.client : f.service;
      if (sent && stopsAtLeaf(chain)) {
        const leaf = chain[0]!;
        const found = finding('missing-intermediate', by, evidenceOf(sent, 'certificate_list', `1 certificate (${shortName(leaf.subject)}, issued by ${shortName(leaf.issuer)})`),
          `${sender} sent only its leaf certificate ${shortName(leaf.subject)}; the intermediate ${shortName(leaf.issuer)} is missing, so ${verifier} could not build a chain to its root (${described(w)})`);
        if (firstCertain) return found;
        return { ...found, summary: `${found.summary}. The same refusal comes from a verifier that trusts none of the chain's CAs (wrong-ca): a chain of one certificate tells them apart only once the intermediate is sent`, alternatives: ['wrong-ca'] };
      }
      if (!firstCertain) return undefined;
      return finding('missing-intermediate', by, reportValue(w), `${verifier} could not verify the first certificate of ${sender}'s chain (${described(w)}): an intermediate is missing`);
    },
  },
  wording: {
    // s_client logs 20 then 21 and returns 21; Node says 21. curl and Python stop at 20,
    // the words of an unknown CA. An OpenSSL server refuses a leaf-only client with 20 and alert 48.
    ...opensslFamily({ verify: signal.verifyErrors[0], alert: 48 }),
    curl: localIssuer.curl!,
    python: localIssuer.python!,
    go: goWording({ x509: 'certificate signed by unknown authority', alert: 48, source: 'crypto/x509 verify.go (UnknownAuthorityError)' }),
    envoy: envoyWording({ alert: 48 }),
  },
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
