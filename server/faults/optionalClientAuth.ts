import { chainOf, evidenceOf, finding } from './evidence.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/**
 * The service asks for a client certificate but lets in a caller that sends none — "verify
 * if given" (Go's VerifyClientCertIfGiven, nginx `ssl_verify_client optional`). Callers with
 * certificates see nothing wrong; one without is served, anonymously.
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
    openssl: { detector: 's_server -verify (optional) instead of -Verify (required)', version: 'OpenSSL 3.0' },
    curl: { detector: 'without --cert: HTTP 200, where a required client certificate gives curl: (56) … certificate required', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'tls.createServer({ requestCert: true, rejectUnauthorized: false }): the socket is served with authorized === false', version: 'Node 20' },
    go: { detector: 'tls.Config{ ClientAuth: tls.VerifyClientCertIfGiven } instead of RequireAndVerifyClientCert', version: 'Go 1.21+', source: 'crypto/tls common.go (ClientAuthType)' },
    envoy: { detector: 'require_client_certificate: false in the DownstreamTlsContext', version: 'Envoy 1.28', source: 'api/envoy/extensions/transport_sockets/tls/v3/tls.proto' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.services[target]!.clientAuth = 'optional';
    return next;
  },
};
