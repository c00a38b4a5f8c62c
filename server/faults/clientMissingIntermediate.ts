import { chainOf, described, detector, evidenceOf, finding, shortName, stopsAtLeaf, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import type { Fault } from './fault.js';
import { missingIntermediate } from './missingIntermediate.js';
import { noParams } from './params.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';
import { unknownCaSignal } from './wrongCa.js';

/**
 * What the server and the client's tools say: the server's verify error 20 (its trust store
 * has the root, not the intermediate that issued the leaf) and the unknown_ca (48) it sends
 * (ssl/statem/statem_lib.c ssl_x509err2alert). The very words of a CA the server does not trust.
 */
/** A Node server's words for the cut chain: verify error 21, as missing-intermediate's signal has it. */
const leafSignal: Signal = missingIntermediate.signal!;

const refused = opensslFamily({ verify: unknownCaSignal.verifyErrors[0], alert: 48 });

/**
 * The client's certificate file holds its leaf alone: a key and cert pasted from the issuing
 * portal, a secret built from `tls.crt` without the chain. The server trusts the root, has
 * never seen the intermediate, and refuses with unknown_ca (48) — which reads exactly like a
 * client issued by a CA the server does not trust, until one counts the certificates.
 */
export const clientMissingIntermediate: Fault = {
  kind: 'client-missing-intermediate',
  title: 'The client sends its leaf without the intermediate',
  summary: 'The client presents only its leaf certificate; the server trusts the root but cannot link the leaf to it, and refuses it as an unknown CA.',
  target: 'client',
  fixes: ['send-full-chain'],
  params: noParams,
  signal: unknownCaSignal,
  rules: {
    /**
     * A client Certificate of one certificate it did not issue itself, refused by the server
     * as an unknown CA (alert 48, verify error 20): asked before missing-intermediate and
     * wrong-ca, which the same alert would otherwise name.
     */
    leafOnly(f) {
      const chain = chainOf(f.clientCert);
      if (!f.clientCert || !stopsAtLeaf(chain)) return undefined;
      const byServer = (signal: Signal) => witnesses(f, signal).find((witness) => detector(witness, 'server') === 'server');
      // 21 (a Node server) names the cut chain; 20 and 48 (OpenSSL's server) also fit a CA not trusted at all.
      const certain = byServer(leafSignal);
      const w = certain ?? byServer(unknownCaSignal);
      if (!w) return undefined;
      const leaf = chain[0]!;
      const found = finding('client-missing-intermediate', 'server', evidenceOf(f.clientCert, 'certificate_list', `1 certificate (${shortName(leaf.subject)}, issued by ${shortName(leaf.issuer)})`),
        `${f.client} sent only its leaf ${shortName(leaf.subject)}, without the intermediate ${shortName(leaf.issuer)} that issued it, so ${f.service} could not link it to the root it trusts (${described(w)})`);
      if (certain) return found;
      return { ...found, summary: `${found.summary}. A client issued by a CA ${f.service} does not trust at all gets the same unknown_ca: the count of certificates tells them apart only once the intermediate is sent`, alternatives: ['wrong-ca'] };
    },
  },
  wording: {
    openssl: { ...refused.openssl!, detector: 's_server: verify error:num=20:unable to get local issuer certificate' },
    curl: { peer: refused.curl!.peer!, version: refused.curl!.version },
    node: { detector: 'a Node server: UNABLE_TO_VERIFY_LEAF_SIGNATURE (closes without an alert)', peer: refused.node!.peer!, version: refused.node!.version },
    python: { peer: refused.python!.peer!, version: refused.python!.version },
    go: goWording({ x509: 'certificate signed by unknown authority', alert: 48, source: 'crypto/x509 verify.go (UnknownAuthorityError); crypto/tls handshake_server.go processCertsFromClient' }),
    envoy: envoyWording({ alert: 48 }),
  },
  apply: (spec, target, params) => missingIntermediate.apply(spec, target, params),
};
