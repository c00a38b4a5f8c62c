import { dateFinding, outOfDate } from './certificateDates.js';
import { witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';
import { opensslFamily } from './wording.js';

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
    ...opensslFamily({ verify: expiredSignal.verifyErrors[0], alert: 45 }),
    // Go 1.21 answers an expired client certificate with certificate_expired (45), which its
    // client words "expired certificate"; earlier Go sent bad_certificate (42) for every
    // verify failure: the "tls: bad certificate" of many an incident report.
    go: {
      detector: 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time … is after …',
      peer: 'remote error: tls: expired certificate',
      version: 'Go 1.21+',
      source: 'crypto/tls handshake_server.go (processCertsFromClient), crypto/x509 verify.go (CertificateInvalidError)',
    },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_CERTIFICATE_EXPIRED', version: 'Envoy 1.28', source: 'source/common/tls/cert_validator/default_validator.cc' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '-365d', notAfter: '-6h' };
    return next;
  },
};
