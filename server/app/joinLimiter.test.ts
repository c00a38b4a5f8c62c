import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { JoinLimiter } from './joinLimiter.js';

describe('wrong join codes per address', () => {
  it('stops an address at its count, for a minute, and no other address', () => {
    let now = 0;
    const limiter = new JoinLimiter(3, () => now);
    for (let i = 0; i < 3; i++) {
      limiter.check('10.0.0.1');
      limiter.failed('10.0.0.1');
    }
    expect(() => limiter.check('10.0.0.1')).toThrow(expect.objectContaining({ code: 'TOO_MANY_ATTEMPTS' }) as ApiError);
    expect(() => limiter.check('10.0.0.2')).not.toThrow();
    now = 59_999;
    expect(() => limiter.check('10.0.0.1')).toThrow(ApiError);
    now = 60_000;
    expect(() => limiter.check('10.0.0.1')).not.toThrow();
  });
});
