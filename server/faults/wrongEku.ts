import { cloneSpec, FaultError, type Fault } from './fault.js';
import { noParams } from './params.js';

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
  signature: {
    client: 'alert 43 unsupported_certificate (ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE), or INVALID_PURPOSE when it verifies the server',
    server: 'unsuitable certificate purpose (X509_V_ERR_INVALID_PURPOSE, verify error 26)',
  },
  fix: 'match-eku',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const cert = next.pki[target]!;
    if (cert.ca) throw new FaultError(`wrong-eku: "${target}" is a CA; pick the leaf certificate a service or client presents`);
    const swapped = cert.eku.map((usage) => (usage === 'clientAuth' ? 'serverAuth' : 'clientAuth'));
    cert.eku = swapped.length ? [...new Set(swapped)] : ['serverAuth'];
    return next;
  },
};
