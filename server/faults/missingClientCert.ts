import { chainOf, described, evidenceOf, finding, reportValue, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

const signal: Signal = {
  alerts: [116],
  verifyErrors: [],
  codes: ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'],
  text: /peer did not return a certificate|certificate required|didn't provide a certificate/i,
};

/**
 * The client dials without a certificate — a config key renamed in a deploy, a sidecar not
 * injected. A server that requires one aborts with certificate_required (116) in TLS 1.3
 * (RFC 8446 §4.4.2.4), after the client already believes the handshake is done.
 */
export const missingClientCert: Fault = {
  kind: 'missing-client-cert',
  title: 'The client sends no certificate',
  summary: 'The client answers the CertificateRequest with an empty Certificate; a server that requires one aborts the handshake.',
  target: 'client',
  fixes: ['present-client-cert'],
  params: noParams,
  signal,
  rules: {
    reported(f) {
      const required = witnesses(f, signal)[0];
      const empty = f.clientCert !== undefined && chainOf(f.clientCert).length === 0;
      if (!required && !(empty && f.certRequest)) return undefined;
      // RFC 8446 §4.4.2.4: a server that requires a certificate aborts with certificate_required.
      const proof = empty ? evidenceOf(f.clientCert!, 'certificate_list', '0 certificates') : reportValue(required!);
      const how = required ? ` (${described(required)})` : '';
      return finding('missing-client-cert', 'server', proof, `${f.client} sent no client certificate though ${f.service} requires one${how}`);
    },
  },
  wording: {
    openssl: { detector: 'peer did not return a certificate', peer: 'tlsv13 alert certificate required … SSL alert number 116', version: 'OpenSSL 3.0' },
    curl: { peer: 'curl: (56) … tlsv13 alert certificate required', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', peer: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', version: 'Node 20' },
    go: { detector: "tls: client didn't provide a certificate", peer: 'remote error: tls: certificate required', version: 'Go 1.21+', source: 'crypto/tls handshake_server_tls13.go (readClientCertificate)' },
    envoy: { detector: 'STRICT, caller without a sidecar: connection reset by peer', peer: 'curl: (52) Empty reply from server', version: 'Envoy 1.28 (Istio STRICT)', source: 'Istio docs, PeerAuthentication STRICT' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    delete next.clients[target]!.cert;
    return next;
  },
};
