import { chainOf, described, evidenceOf, finding, reportValue, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';
import { boringsslAlertReason, goAlertText } from './alerts.js';
import { opensslFamily, underTls12 } from './wording.js';

const signal: Signal = {
  alerts: [116],
  verifyErrors: [],
  codes: ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'],
  text: /peer did not return a certificate|certificate required|didn't provide a certificate/i,
};

/** What the family's callers print on reading the server's certificate_required. */
const refused = opensslFamily({ alert: 116 });

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
    // TLS 1.3: the caller reads 116 on its first read, after its own Finished. TLS 1.2 has no
    // certificate_required: OpenSSL refuses the empty Certificate with handshake_failure (40),
    // during the handshake (checked: s_client -tls1_2, curl --tls-max 1.2 exits 35).
    ...underTls12(
      {
        ...refused,
        // The detector is the server: s_server and Node log OpenSSL's reason.
        openssl: { ...refused.openssl!, detector: 'peer did not return a certificate' },
        node: { ...refused.node!, detector: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' },
      },
      40,
    ),
    go: { detector: "tls: client didn't provide a certificate", peer: goAlertText(116), version: 'Go 1.21+', source: 'crypto/tls handshake_server_tls13.go (readClientCertificate)' },
    // A TLS caller without a certificate gets the alert; "connection reset" and curl (52) are
    // what a plaintext caller gets from a STRICT port (permissive-mode).
    envoy: { detector: 'TLS error: … PEER_DID_NOT_RETURN_A_CERTIFICATE', peer: `TLS error: … ${boringsslAlertReason(116)}`, version: 'Envoy 1.28 (BoringSSL)', source: 'source/common/tls/ssl_socket.cc (TLS_error)' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    delete next.clients[target]!.cert;
    return next;
  },
};
