import { describe, expect, it } from 'vitest';
import { TrafficBudget, type Release } from './trafficBudget.js';

/** Whether `promise` has settled by the time already-queued microtasks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('traffic budget', () => {
  it('admits runs at once while their requests per second fit, and holds the next in line', async () => {
    const budget = new TrafficBudget(20);
    await budget.admit(10);
    await budget.admit(10);
    const third = budget.admit(10);
    expect(await settled(third)).toBe(false);
    expect(budget.load).toEqual({ running: 2, waiting: 1, inUseRps: 20 });
  });

  it('admits the one waiting when a run ends, and a release given twice frees its share once', async () => {
    const budget = new TrafficBudget(20);
    const first = await budget.admit(10);
    await budget.admit(10);
    const third = budget.admit(10);
    first();
    first();
    await third;
    expect(budget.load).toEqual({ running: 2, waiting: 0, inUseRps: 20 });
  });

  it('keeps the line in order: a small run does not pass a large one waiting ahead of it', async () => {
    const budget = new TrafficBudget(20);
    const first = await budget.admit(15);
    const large = budget.admit(20);
    const small = budget.admit(5);
    expect(await settled(small)).toBe(false);
    first();
    await large;
    expect(await settled(small)).toBe(false);
  });

  it('runs a run costlier than the whole budget alone, once nothing else is under way', async () => {
    const budget = new TrafficBudget(20);
    const other = await budget.admit(10);
    const costly = budget.admit(150);
    expect(await settled(costly)).toBe(false);
    other();
    const release = await costly;
    expect(budget.load).toEqual({ running: 1, waiting: 0, inUseRps: 150 });
    const next = budget.admit(1);
    expect(await settled(next)).toBe(false);
    release();
    await next;
  });

  it('tells a waiting run how many are ahead of it, each time that changes', async () => {
    const budget = new TrafficBudget(10);
    const running: Release[] = [await budget.admit(10)];
    const told: number[] = [];
    const second = budget.admit(10);
    const third = budget.admit(10, { onWaiting: (ahead) => told.push(ahead) });
    running.shift()!();
    running.push(await second);
    running.shift()!();
    await third;
    expect(told).toEqual([1, 0]);
  });

  it('lets a run leave the line when its signal aborts, and the ones behind it move up', async () => {
    const budget = new TrafficBudget(10);
    const release = await budget.admit(10);
    const leaving = new AbortController();
    const told: number[] = [];
    const gone = budget.admit(10, { signal: leaving.signal });
    const behind = budget.admit(10, { onWaiting: (ahead) => told.push(ahead) });
    leaving.abort(new Error('the learner left'));
    await expect(gone).rejects.toThrow('the learner left');
    expect(told).toEqual([1, 0]);
    release();
    await behind;
    expect(budget.load).toEqual({ running: 1, waiting: 0, inUseRps: 10 });
  });

  it('refuses a run whose signal has already aborted, and a budget of nothing', async () => {
    const gone = new AbortController();
    gone.abort(new Error('gone'));
    await expect(new TrafficBudget(10).admit(5, { signal: gone.signal })).rejects.toThrow('gone');
    expect(() => new TrafficBudget(0)).toThrow(RangeError);
  });
});
