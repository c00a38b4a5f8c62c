import { dateFinding, dateWordings, datesOnly, outOfDate, withValidity } from './certificateDates.js';
import { witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import type { Fault } from './fault.js';
import { noParams } from './params.js';

/** What the stacks say of it; not-yet-valid reads it too (a 45 can mean either date). */
export const expiredSignal: Signal = { alerts: [45], verifyErrors: [{ num: 10, code: 'CERT_HAS_EXPIRED', text: 'certificate has expired' }] };

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
    dates: datesOnly('expired'),
  },
  wording: dateWordings('expired', expiredSignal.verifyErrors[0]!),
  apply: withValidity({ notBefore: '-365d', notAfter: '-6h' }),
};
