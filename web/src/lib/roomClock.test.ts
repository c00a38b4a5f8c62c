import { describe, expect, it } from 'vitest';
import { clockReading, formatClock, parseClock } from './roomClock.ts';

const room = (state: 'open' | 'running' | 'paused' | 'ended', elapsedMs: number, durationMs = 600_000) => ({ state, elapsedMs, durationMs });

describe('clockReading', () => {
  it('counts on from what the server said while the drill runs', () => {
    expect(clockReading(room('running', 61_000), 4_000)).toEqual({ elapsedMs: 65_000, leftMs: 535_000 });
  });

  it('stands still while paused, before the start and after the end', () => {
    for (const state of ['paused', 'open', 'ended'] as const) expect(clockReading(room(state, 61_000), 4_000).elapsedMs).toBe(61_000);
  });

  it('never counts past the drill length', () => {
    expect(clockReading(room('running', 590_000), 60_000)).toEqual({ elapsedMs: 600_000, leftMs: 0 });
  });

  it('ignores a page clock that went backwards', () => {
    expect(clockReading(room('running', 10_000), -5_000).elapsedMs).toBe(10_000);
  });
});

describe('formatClock', () => {
  it('reads minutes and whole seconds, rounded down', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(65_999)).toBe('01:05');
    expect(formatClock(75 * 60_000)).toBe('75:00');
  });
});

describe('parseClock', () => {
  it('reads mm:ss and plain seconds', () => {
    expect(parseClock('05:00')).toBe(300);
    expect(parseClock('1:30')).toBe(90);
    expect(parseClock(' 45 ')).toBe(45);
  });

  it('refuses what is not a time', () => {
    expect(parseClock('')).toBeNull();
    expect(parseClock('5m')).toBeNull();
    expect(parseClock('1:75')).toBeNull();
    expect(parseClock('-1:00')).toBeNull();
  });
});
