import { chainOf, evidenceOf, finding } from './evidence.js';
import { setServiceField, type Fault } from './fault.js';
import { noParams } from './params.js';
import { opensslFamilyVersions } from './wording.js';

/**
 * The service asks for a client certificate but lets in a caller that sends none — "verify
 * if given" (Go's VerifyClientCertIfGiven, nginx `ssl_verify_client optional`, OpenSSL's
 * SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT). Callers with certificates see nothing
 * wrong; one without is served, anonymously. Node has no such switch: the lab's Node service
 * turns rejectUnauthorized off and refuses a certificate that fails verification itself.
 */
export const optionalClientAuth: Fault = {
  kind: 'optional-client-auth',
  title: 'Client certificate optional',
  summary: 'The service verifies a client certificate only if one is sent: a caller that sends none is served without any identity.',
  target: 'service',
  fixes: ['require-client-cert'],
  params: noParams,
  rules: {
    /** Asked for a certificate, sent none, and served all the same. */
    servedWithout(f) {
      if (!(f.served && f.certRequest && f.clientCert && chainOf(f.clientCert).length === 0)) return undefined;
      return finding('optional-client-auth', 'server', evidenceOf(f.clientCert, 'certificate_list', '0 certificates'),
        `${f.client} sent no client certificate and ${f.service} served it anyway: the port asks for a certificate but verifies one only if given, so any caller reaches it without an identity`, 'warning');
    },
  },
  // Nothing fails, so no stack reports it: the policy says it.
  wording: {
    openssl: { detector: 's_server -verify (optional) instead of -Verify (required)', version: opensslFamilyVersions.openssl },
    curl: { detector: 'without --cert: HTTP 200, where a required client certificate gives curl: (56) … tlsv13 alert certificate required', version: opensslFamilyVersions.curl },
    // Node has no "verify if given": rejectUnauthorized: false lets in every certificate —
    // expired, foreign, self-signed — with socket.authorized === false. Checked here against
    // Node 20 with a self-signed client certificate (authorizationError DEPTH_ZERO_SELF_SIGNED_CERT).
    node: {
      detector: 'tls.createServer({ requestCert: true, rejectUnauthorized: false }) serves any caller, with or without a certificate, valid or not: an app that trusts getPeerCertificate() without checking socket.authorized takes a forged identity',
      version: opensslFamilyVersions.node,
    },
    go: { detector: 'tls.Config{ ClientAuth: tls.VerifyClientCertIfGiven } instead of RequireAndVerifyClientCert', version: 'Go 1.21+', source: 'crypto/tls common.go (ClientAuthType)' },
    envoy: { detector: 'require_client_certificate: false in the DownstreamTlsContext', version: 'Envoy 1.28', source: 'api/envoy/extensions/transport_sockets/tls/v3/tls.proto' },
  },
  apply: setServiceField('clientAuth', 'optional'),
};
