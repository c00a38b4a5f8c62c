/**
 * Collects what went wrong while reading a capture, bounded: identical messages are counted
 * rather than repeated, and past `limit` distinct messages only a count of the rest is kept,
 * so a hostile file of a million bad packets yields a short list.
 */
export class Warnings {
  readonly #limit: number;
  readonly #counts = new Map<string, number>();
  #dropped = 0;

  constructor(limit = 100) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`readCapture options.maxWarnings: ${limit} is not a whole number of at least 1`);
    this.#limit = limit;
  }

  add(message: string): void {
    const count = this.#counts.get(message);
    if (count !== undefined) this.#counts.set(message, count + 1);
    else if (this.#counts.size < this.#limit) this.#counts.set(message, 1);
    else this.#dropped++;
  }

  list(): string[] {
    const out = [...this.#counts].map(([message, count]) => (count > 1 ? `${message} (${count} times)` : message));
    if (this.#dropped > 0) out.push(`… and ${this.#dropped} more warnings`);
    return out;
  }
}
