import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/** The certificate that expired at 3 AM: issued a year ago, never rotated. */
export const expiredCert: Fault = {
  kind: 'expired-cert',
  title: 'Expired certificate',
  summary: 'A certificate in the chain is past its notAfter; every verifier refuses it.',
  target: 'certificate',
  signature: {
    client: 'CERT_HAS_EXPIRED / alert 45 certificate_expired (ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED)',
    server: 'certificate has expired (X509_V_ERR_CERT_HAS_EXPIRED, verify error 10)',
  },
  fix: 'reissue',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '-365d', notAfter: '-6h' };
    return next;
  },
};
