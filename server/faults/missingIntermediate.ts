import { chainOf, described, detector, evidenceOf, finding, reportValue, shortName, stopsAtLeaf, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, endpointOf, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';

const signal: Signal = {
  alerts: [],
  verifyErrors: [{ num: 21, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', text: 'unable to verify the first certificate' }],
};

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
    reported(f) {
      const w = witnesses(f, signal)[0];
      if (!w) return undefined;
      const by = detector(w, 'client');
      // The detector's peer sent the short chain: the client verifies the server's, and back.
      const sent = by === 'client' ? f.serverCert : f.clientCert;
      const chain = chainOf(sent);
      const sender = by === 'client' ? f.service : f.client;
      const verifier = by === 'client' ? f.client : f.service;
      if (sent && stopsAtLeaf(chain)) {
        const leaf = chain[0]!;
        return finding('missing-intermediate', by, evidenceOf(sent, 'certificate_list', `1 certificate (${shortName(leaf.subject)}, issued by ${shortName(leaf.issuer)})`),
          `${sender} sent only its leaf certificate ${shortName(leaf.subject)}; the intermediate ${shortName(leaf.issuer)} is missing, so ${verifier} could not build a chain to its root (${described(w)})`);
      }
      return finding('missing-intermediate', by, reportValue(w), `${verifier} could not verify the first certificate of ${sender}'s chain (${described(w)}): an intermediate is missing`);
    },
  },
  wording: {
    openssl: { detector: 'verify error:num=21:unable to verify the first certificate', version: 'OpenSSL 3.0' },
    curl: { detector: 'curl: (60) SSL certificate problem: unable to verify the first certificate', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate', version: 'Node 20' },
    go: { detector: 'tls: failed to verify certificate: x509: certificate signed by unknown authority', version: 'Go 1.21+', source: 'crypto/x509 verify.go (UnknownAuthorityError)' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', version: 'Envoy 1.28', source: 'source/common/tls/cert_validator/default_validator.cc' },
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
