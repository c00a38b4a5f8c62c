import { described, detector, evidenceOf, finding, refusedBy, reportValue, shortName, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';

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
    reported(f) {
      const w = witnesses(f, signal)[0];
      if (!w) return undefined;
      const by = detector(w, 'server');
      const { sent, leaf, holder, verifier } = refusedBy(f, by);
      const needs = by === 'server' ? 'clientAuth' : 'serverAuth';
      const usages = leaf?.extendedKeyUsage?.join(', ');
      const proof = sent && usages ? evidenceOf(sent, 'extKeyUsage', usages) : reportValue(w);
      return finding('wrong-eku', by, proof, `${holder} ${shortName(leaf?.subject)} allows ${usages ?? 'other purposes'}, not ${needs}: ${verifier} refused it for that role (${described(w)})`);
    },
  },
  wording: {
    openssl: { detector: 'verify error:num=26:unsuitable certificate purpose (OpenSSL 1.1: "unsupported certificate purpose")', peer: 'sslv3 alert unsupported certificate … SSL alert number 43', version: 'OpenSSL 3.0' },
    curl: { detector: 'curl: (60) SSL certificate problem: unsuitable certificate purpose', peer: 'curl: (56) … sslv3 alert unsupported certificate', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'INVALID_PURPOSE: unsuitable certificate purpose', peer: 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', version: 'Node 20' },
    go: {
      detector: 'tls: failed to verify certificate: x509: certificate specifies an incompatible key usage',
      peer: 'remote error: tls: unsupported certificate',
      version: 'Go 1.21+',
      source: 'crypto/x509 verify.go (IncompatibleUsage)',
    },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', version: 'Envoy 1.28', source: 'source/common/tls/cert_validator/default_validator.cc' },
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
