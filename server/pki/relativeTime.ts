import { relativeTimePattern } from '../lab/schema.js';

const unitMs = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  // A year is 365 days: validity periods are counted in days (CA/B Forum BR §6.3.2), never calendar years.
  y: 365 * 24 * 60 * 60 * 1000,
} as const;

/**
 * `-1h`, `+90d`, `+30s`, `+10y` → the Date that far from `now`. Lab files say validity
 * relative to now so a lab issued today behaves as it did the day it was written.
 */
export function resolveRelativeTime(spec: string, now: Date): Date {
  if (!relativeTimePattern.test(spec)) {
    throw new TypeError(
      `relative time "${spec}" is not like "-1h", "+90d" or "+30s" (a sign, a whole number, then s, m, h, d or y)`,
    );
  }
  const sign = spec.startsWith('-') ? -1 : 1;
  const amount = Number(spec.slice(1, -1));
  const unit = spec.slice(-1) as keyof typeof unitMs;
  return new Date(now.getTime() + sign * amount * unitMs[unit]);
}
