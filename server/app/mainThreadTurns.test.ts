import { describe, expect, it } from 'vitest';
import { takeTurns } from './mainThreadTurns.js';

/** Resolves once `check` holds, looking after each event-loop turn. */
function once(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const look = (): void => (check() ? resolve() : void setImmediate(look));
    look();
  });
}

describe('main-thread turns', () => {
  it('gives the event loop its turn between a worker’s slices, until the worker is done', async () => {
    const order: string[] = [];
    let left = 3;
    takeTurns({
      work: () => {
        order.push('work');
        setImmediate(() => order.push('loop'));
        return --left > 0;
      },
    });
    await once(() => order.length === 6);
    expect(order).toEqual(['work', 'loop', 'work', 'loop', 'work', 'loop']);
  });

  it('ends a turn at its deadline, and the next turn starts with the worker that waited', async () => {
    const order: string[] = [];
    let hogTurns = 2;
    const hog = {
      work: (deadline: number) => {
        order.push('hog');
        if (hogTurns === 2) setImmediate(() => order.push('loop'));
        while (performance.now() < deadline);
        return --hogTurns > 0;
      },
    };
    takeTurns(hog);
    takeTurns({
      work: () => {
        order.push('other');
        return false;
      },
    });
    takeTurns(hog);
    await once(() => order.length === 4);
    expect(order).toEqual(['hog', 'loop', 'other', 'hog']);
  });
});
