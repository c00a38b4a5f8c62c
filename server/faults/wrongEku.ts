import { described, evidenceOf, finding, reportValue, shortName, whenRefused } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';

const signal: Signal = {
  alerts: [43],
  // OpenSSL 3 words X509_V_ERR_INVALID_PURPOSE "unsuitable", 1.1 "unsupported".
  verifyErrors: [{ num: 26, code: 'INVALID_PURPOSE', text: 'unsuitable certificate purpose' }],
  text: /unsupported certificate purpose|incompatible key usage/i,
};

/**
 * The certificate's extended key usage allows the other role — a client certificate cut
 * from the server template, or the reverse. Verifiers check the purpose the peer's role
 * needs (RFC 5280 §4.2.1.12): clientAuth from a client, serverAuth from a server.
 */
export const wrongEku: Fault = {
  kind: 'wrong-eku',
  title: 'Certificate issued for the other role',
  summary: "The certificate's extended key usage does not allow the role it is used in (clientAuth for a client, serverAuth for a server).",
  target: 'certificate',
  fixes: ['match-eku'],
  params: noParams,
  signal,
  rules: {
    reported: whenRefused(signal, ({ witness, by, sent, leaf, holder, verifier }) => {
      const needs = by === 'server' ? 'clientAuth' : 'serverAuth';
      const usages = leaf?.extendedKeyUsage?.join(', ');
      const proof = sent && usages ? evidenceOf(sent, 'extKeyUsage', usages) : reportValue(witness);
      return finding('wrong-eku', by, proof, `${holder} ${shortName(leaf?.subject)} allows ${usages ?? 'other purposes'}, not ${needs}: ${verifier} refused it for that role (${described(witness)})`);
    }),
  },
  wording: {
    ...opensslFamily({ verify: signal.verifyErrors[0], alert: 43 }),
    go: goWording({ x509: 'certificate specifies an incompatible key usage', alert: 42, source: 'crypto/x509 verify.go (IncompatibleUsage)' }),
    envoy: envoyWording({ alert: 43 }),
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    const cert = next.pki[target]!;
    if (cert.ca) throw new FaultError(`wrong-eku: "${target}" is a CA; pick the leaf certificate a service or client presents`);
    const swapped = cert.eku.map((usage) => (usage === 'clientAuth' ? 'serverAuth' : 'clientAuth'));
    cert.eku = swapped.length ? [...new Set(swapped)] : ['serverAuth'];
    return next;
  },
};
