import { dateFinding, outOfDate } from './certificateDates.js';
import { witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/** What the stacks say of it; not-yet-valid reads it too (a 45 can mean either date). */
export const expiredSignal: Signal = {
  alerts: [45],
  verifyErrors: [{ num: 10, code: 'CERT_HAS_EXPIRED', text: 'certificate has expired' }],
};

/** The certificate that expired at 3 AM: issued a year ago, never rotated. */
export const expiredCert: Fault = {
  kind: 'expired-cert',
  title: 'Expired certificate',
  summary: 'A certificate in the chain is past its notAfter; every verifier refuses it.',
  target: 'certificate',
  fixes: ['reissue'],
  params: noParams,
  signal: expiredSignal,
  rules: {
    /** A stack said "expired": the notAfter on the wire proves it. */
    reported(f) {
      const expired = witnesses(f, expiredSignal);
      return expired.length > 0 ? dateFinding(f, 'expired', expired[0]) : undefined;
    },
    /** Dates alone, when no stack named the reason (a peer that closed without an alert). */
    dates: (f) => (outOfDate(f, 'expired') ? dateFinding(f, 'expired', undefined) : undefined),
  },
  wording: {
    openssl: { detector: 'verify error:num=10:certificate has expired', peer: 'sslv3 alert certificate expired … SSL alert number 45', version: 'OpenSSL 3.0' },
    curl: { detector: 'curl: (60) SSL certificate problem: certificate has expired', peer: 'curl: (56) … sslv3 alert certificate expired', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'CERT_HAS_EXPIRED: certificate has expired', peer: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', version: 'Node 20' },
    // Go's server sends certificate_expired (45) for an expired client certificate; its client
    // names that alert "expired certificate". Older Go sent bad_certificate, the "tls: bad
    // certificate" of the 3 AM incident.
    go: {
      detector: 'x509: certificate has expired or is not yet valid: current time … is after …',
      peer: 'remote error: tls: expired certificate',
      version: 'Go 1.21+',
      source: 'crypto/tls handshake_server.go (processCertsFromClient), crypto/x509 verify.go',
    },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_CERTIFICATE_EXPIRED', version: 'Envoy 1.28', source: 'source/common/tls/cert_validator/default_validator.cc' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '-365d', notAfter: '-6h' };
    return next;
  },
};
