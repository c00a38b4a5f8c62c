import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/**
 * The client dials without a certificate — a config key renamed in a deploy, a sidecar not
 * injected. A server that requires one aborts with certificate_required (116) in TLS 1.3
 * (RFC 8446 §4.4.2.4), after the client already believes the handshake is done.
 */
export const missingClientCert: Fault = {
  kind: 'missing-client-cert',
  title: 'Client presents no certificate',
  summary: 'The client answers the CertificateRequest with an empty Certificate; a server that requires one aborts the handshake.',
  target: 'client',
  signature: {
    client: 'alert 116 certificate_required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED), on its first read',
    server: 'peer did not return a certificate (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE)',
  },
  fix: 'present-client-cert',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    delete next.clients[target]!.cert;
    return next;
  },
};
