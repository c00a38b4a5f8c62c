/**
 * A certificate's validity as a lab writes it: offsets from now (`-1h`, `+90d`). The rules
 * its text cannot show — how far an offset reaches, and that notAfter comes after
 * notBefore — are checked here, so `validate` reports them and issuing never meets them.
 *
 *   pki.<name>.validity ──relativeTimeMs──▶ offsets in ms ──validityProblems──▶ LabProblems
 *
 * Both ends are resolved against the same `now`, so comparing offsets is comparing dates.
 */
import { type LabProblem } from './labError.js';
import { maxValidityYears } from './limits.js';
import { relativeTimePattern, type CertificateSpec } from './schema.js';

const unitMs = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  // A year is 365 days: validity periods are counted in days (CA/B Forum BR §6.3.2), never calendar years.
  y: 365 * 24 * 60 * 60 * 1000,
} as const;

const maxOffsetMs = maxValidityYears * unitMs.y;

/**
 * Long-lived CAs, short-lived leaves: 90 days is what ACME CAs issue, and what
 * rotation labs assume when they say "the cert expired".
 */
export const defaultNotAfter = { ca: '+10y', leaf: '+90d' } as const;

/** `-1h` → -3600000: the offset from now, in ms. @throws TypeError for text not like `-1h`. */
export function relativeTimeMs(text: string): number {
  if (!relativeTimePattern.test(text)) {
    throw new TypeError(
      `relative time "${text}" is not like "-1h", "+90d" or "+30s" (a sign, a whole number, then s, m, h, d or y)`,
    );
  }
  const sign = text.startsWith('-') ? -1 : 1;
  const unit = text.slice(-1) as keyof typeof unitMs;
  return sign * Number(text.slice(1, -1)) * unitMs[unit];
}

/** The notAfter a certificate gets: its own, or the default for a CA or a leaf. */
export function notAfterOf(cert: Pick<CertificateSpec, 'ca' | 'validity'>): string {
  return cert.validity.notAfter ?? (cert.ca ? defaultNotAfter.ca : defaultNotAfter.leaf);
}

export function validityProblems(pki: Record<string, CertificateSpec>): LabProblem[] {
  const problems: LabProblem[] = [];
  for (const [name, cert] of Object.entries(pki)) {
    const path = ['pki', name, 'validity'];
    const { notBefore, notAfter } = cert.validity;
    const tooFar = (text: string | undefined): boolean => text !== undefined && Math.abs(relativeTimeMs(text)) > maxOffsetMs;
    if (tooFar(notBefore)) problems.push(farOffset([...path, 'notBefore'], notBefore));
    if (tooFar(notAfter)) problems.push(farOffset([...path, 'notAfter'], notAfter!));
    if (tooFar(notBefore) || tooFar(notAfter)) continue;

    const end = notAfterOf(cert);
    if (relativeTimeMs(end) > relativeTimeMs(notBefore)) continue;
    problems.push(
      notAfter === undefined
        ? {
            path: [...path, 'notBefore'],
            message: `notBefore ${JSON.stringify(notBefore)} is not before the default notAfter ${JSON.stringify(end)} of a ${cert.ca ? 'CA' : 'leaf'}`,
            suggestion: `add a later notAfter, like { notBefore: ${JSON.stringify(notBefore)}, notAfter: ${JSON.stringify(later(notBefore))} }`,
          }
        : {
            path: [...path, 'notAfter'],
            message: `notAfter ${JSON.stringify(notAfter)} is not after notBefore ${JSON.stringify(notBefore)}`,
            suggestion: 'for an expired certificate move both into the past, like { notBefore: "-91d", notAfter: "-1d" }',
          },
    );
  }
  return problems;
}

function farOffset(path: LabProblem['path'], text: string): LabProblem {
  return {
    path,
    message: `${JSON.stringify(text)} is more than ${maxValidityYears} years from now, the furthest a lab's certificate dates may reach`,
    suggestion: `use an offset within ±${maxValidityYears}y, like "${text.startsWith('-') ? '-' : '+'}10y"`,
  };
}

/** `notBefore` plus 90 days, in the unit an author reads most easily. */
function later(notBefore: string): string {
  const days = Math.ceil(relativeTimeMs(notBefore) / unitMs.d) + 90;
  return `${days < 0 ? '-' : '+'}${Math.abs(days)}d`;
}
