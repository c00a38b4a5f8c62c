import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/**
 * The certificate is on its issuer's CRL — revoked after its key leaked — but is still the
 * one deployed. Verifiers that check revocation refuse it (RFC 5280 §6.3), with alert
 * certificate_revoked (44) from a server.
 */
export const revokedCert: Fault = {
  kind: 'revoked-cert',
  title: 'Revoked certificate still deployed',
  summary: "A certificate its CA has revoked is still in use; every verifier that checks the CA's CRL refuses it.",
  target: 'certificate',
  signature: {
    client: 'alert 44 certificate_revoked (ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED), or CERT_REVOKED when it verifies the server',
    server: 'certificate revoked (X509_V_ERR_CERT_REVOKED, verify error 23)',
  },
  fix: 'reissue',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.revoked = true;
    return next;
  },
};
