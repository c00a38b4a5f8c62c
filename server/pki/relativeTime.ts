import { relativeTimeMs } from '../lab/validity.js';

/**
 * `-1h`, `+90d`, `+30s`, `+10y` → the Date that far from `now`. Lab files say validity
 * relative to now so a lab issued today behaves as it did the day it was written; the lab
 * room (server/lab/validity.ts) reads the offset and bounds it.
 */
export function resolveRelativeTime(spec: string, now: Date): Date {
  return new Date(now.getTime() + relativeTimeMs(spec));
}
