import { dateFinding, outOfDate } from './certificateDates.js';
import { witnesses } from './evidence.js';
import { expiredSignal } from './expiredCert.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

const signal: Signal = {
  alerts: [],
  verifyErrors: [{ num: 9, code: 'CERT_NOT_YET_VALID', text: 'certificate is not yet valid' }],
};

/** Issued with a notBefore in the future — what a verifier with a slow clock sees. */
export const notYetValid: Fault = {
  kind: 'not-yet-valid',
  title: 'Certificate not yet valid',
  summary: "A certificate's notBefore lies ahead of the verifier's clock (clock skew, or issued for the future).",
  target: 'certificate',
  fixes: ['reissue'],
  params: noParams,
  signal,
  rules: {
    /** A stack said "not yet valid", or said "expired" of a chain whose only date problem is a notBefore ahead. */
    reported(f) {
      const notYet = witnesses(f, signal);
      const expired = witnesses(f, expiredSignal);
      if (notYet.length > 0 || (outOfDate(f, 'not-yet-valid') && expired.length > 0 && !outOfDate(f, 'expired'))) {
        return dateFinding(f, 'not-yet-valid', notYet[0] ?? expired[0]);
      }
      return undefined;
    },
    /** Dates alone, when no stack named the reason. */
    dates: (f) => (outOfDate(f, 'not-yet-valid') ? dateFinding(f, 'not-yet-valid', undefined) : undefined),
  },
  wording: {
    openssl: { detector: 'verify error:num=9:certificate is not yet valid', version: 'OpenSSL 3.0' },
    curl: { detector: 'curl: (60) SSL certificate problem: certificate is not yet valid', version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: 'CERT_NOT_YET_VALID: certificate is not yet valid', version: 'Node 20' },
    go: { detector: 'x509: certificate has expired or is not yet valid: current time … is before …', version: 'Go 1.21+', source: 'crypto/x509 verify.go (CertificateInvalidError, Expired)' },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '+1d', notAfter: '+91d' };
    return next;
  },
};
