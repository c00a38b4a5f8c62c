import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomClock } from './roomClock.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoomClock', () => {
  it('fires what is scheduled at its room time, and nothing while paused', () => {
    const clock = new RoomClock();
    const fired: number[] = [];
    clock.at(5000, () => fired.push(clock.elapsedMs()));
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    clock.start();
    vi.advanceTimersByTime(3000);
    clock.pause();
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual([]);
    expect(clock.elapsedMs()).toBe(3000);
    clock.resume();
    vi.advanceTimersByTime(1999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([5000]);
  });

  it('reads a wall-clock instant as the room time it had run by then', () => {
    const clock = new RoomClock();
    const start = Date.now();
    clock.start();
    vi.advanceTimersByTime(2000);
    clock.pause();
    vi.advanceTimersByTime(10_000);
    clock.resume();
    vi.advanceTimersByTime(1000);
    expect(clock.elapsedAt(start + 1000)).toBe(1000);
    expect(clock.elapsedAt(start + 7000)).toBe(2000);
    expect(clock.elapsedAt(start + 12_500)).toBe(2500);
    expect(clock.elapsedMs()).toBe(3000);
  });

  it('fires nothing once stopped, and stands still', () => {
    const clock = new RoomClock();
    const fired = vi.fn();
    clock.start();
    clock.at(1000, fired);
    vi.advanceTimersByTime(500);
    clock.stop();
    clock.at(600, fired);
    clock.resume();
    vi.advanceTimersByTime(5000);
    expect(fired).not.toHaveBeenCalled();
    expect(clock.elapsedMs()).toBe(500);
    expect(vi.getTimerCount()).toBe(0);
  });
});
