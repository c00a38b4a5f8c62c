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
  signature: {
    client: 'nothing: a caller without a certificate gets its answer (HTTP 200)',
    server: 'nothing: an empty Certificate is accepted (no verify error, no alert)',
  },
  fix: 'require-client-cert',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.services[target]!.clientAuth = 'optional';
    return next;
  },
};
