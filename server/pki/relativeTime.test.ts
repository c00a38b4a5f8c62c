import { describe, expect, it } from 'vitest';
import { resolveRelativeTime } from './relativeTime.js';

const now = new Date('2030-06-15T12:00:00.000Z');

describe('resolveRelativeTime', () => {
  it('subtracts a negative offset in hours', () => {
    expect(resolveRelativeTime('-1h', now).toISOString()).toBe('2030-06-15T11:00:00.000Z');
  });

  it('adds a positive offset in days', () => {
    expect(resolveRelativeTime('+90d', now).toISOString()).toBe('2030-09-13T12:00:00.000Z');
  });

  it('reads seconds and minutes', () => {
    expect(resolveRelativeTime('+30s', now).toISOString()).toBe('2030-06-15T12:00:30.000Z');
    expect(resolveRelativeTime('-5m', now).toISOString()).toBe('2030-06-15T11:55:00.000Z');
  });

  it('counts a year as 365 days, not a calendar year', () => {
    expect(resolveRelativeTime('+1y', now).getTime() - now.getTime()).toBe(365 * 24 * 3600 * 1000);
  });

  it('keeps zero offsets at now', () => {
    expect(resolveRelativeTime('+0s', now).getTime()).toBe(now.getTime());
  });

  it.each(['1h', '+1w', '-1.5d', '+d', '', ' +1h', '+1h '])('refuses %j with a TypeError quoting it', (spec) => {
    expect(() => resolveRelativeTime(spec, now)).toThrow(TypeError);
    expect(() => resolveRelativeTime(spec, now)).toThrow(`"${spec}"`);
  });
});
