import { dateFinding, dateWordings, datesOnly, outOfDate, withValidity } from './certificateDates.js';
import { witnesses } from './evidence.js';
import { expiredSignal } from './expiredCert.js';
import type { Signal } from './facts.js';
import type { Fault } from './fault.js';
import { noParams } from './params.js';

const signal: Signal = { alerts: [], verifyErrors: [{ num: 9, code: 'CERT_NOT_YET_VALID', text: 'certificate is not yet valid' }] };

/** The catch-all refusal OpenSSL sends for a certificate not yet valid. */
const badCertificate: Signal = { alerts: [42], verifyErrors: [] };

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
    /**
     * A stack said "not yet valid"; or, when the only date problem on the wire is a notBefore
     * ahead, the refusal an OpenSSL peer sends for it (bad_certificate, 42) or a Go peer
     * (certificate_expired, 45: Go's x509.Expired covers both dates).
     */
    reported(f) {
      const notYet = witnesses(f, signal)[0];
      if (notYet) return dateFinding(f, 'not-yet-valid', notYet);
      if (!outOfDate(f, 'not-yet-valid') || outOfDate(f, 'expired')) return undefined;
      const refusal = [...witnesses(f, expiredSignal), ...witnesses(f, badCertificate)].sort((a, b) => a.seq - b.seq)[0];
      return refusal ? dateFinding(f, 'not-yet-valid', refusal) : undefined;
    },
    dates: datesOnly('not-yet-valid'),
  },
  wording: dateWordings('not-yet-valid', signal.verifyErrors[0]!),
  apply: withValidity({ notBefore: '+1d', notAfter: '+91d' }),
};
