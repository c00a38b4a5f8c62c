/**
 * Counts wrong join codes per client address: a room's code is six characters, so whoever
 * could try codes freely would find one. After `maxFailures` wrong codes within a minute, an
 * address gets TOO_MANY_ATTEMPTS until the minute has passed — at that rate, guessing one
 * live code out of 7·10⁸ takes years.
 */
import { ApiError } from './errors.js';

const windowMs = 60_000;

export class JoinLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #maxFailures: number;
  readonly #now: () => number;

  constructor(maxFailures = 10, now: () => number = Date.now) {
    this.#maxFailures = maxFailures;
    this.#now = now;
  }

  /** TOO_MANY_ATTEMPTS while `address` is over its count; call before trying a code. */
  check(address: string): void {
    if (this.#recent(address).length >= this.#maxFailures) throw new ApiError('TOO_MANY_ATTEMPTS');
  }

  failed(address: string): void {
    this.#failures.set(address, [...this.#recent(address), this.#now()]);
  }

  /** The address's failures within the window; older ones are forgotten, and an address with none is dropped. */
  #recent(address: string): number[] {
    const since = this.#now() - windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(address);
    return recent;
  }
}
