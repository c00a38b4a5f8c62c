/**
 * A room's clock: room time runs only while the room runs, so a pause stops it and everything
 * scheduled on it (the scripted timeline, the end of the drill).
 *
 *   start ──▶ running ──pause──▶ paused ──resume──▶ running … ──stop──▶ stopped (every timer cleared)
 *   at(atMs, fire) ──armed only while running, for (atMs − elapsed); a pause disarms, a resume re-arms
 *
 * Wall-clock instants (a diagnosis at 10:04:17) map to room time through the intervals it ran
 * (elapsedAt), so a learner's finding during a pause reads at the time the clock showed.
 */

interface Scheduled {
  atMs: number;
  fire: () => void;
  timer?: NodeJS.Timeout;
}

/** Things one room may schedule: its timeline's steps and its end. */
export const maxScheduled = 257;

export class RoomClock {
  /** Wall-clock intervals the clock ran; the last one is open while running. */
  readonly #runs: Array<{ from: number; to?: number }> = [];
  #pending: Scheduled[] = [];
  #stopped = false;

  get running(): boolean {
    return !this.#stopped && this.#runs.length > 0 && this.#runs.at(-1)!.to === undefined;
  }

  get started(): boolean {
    return this.#runs.length > 0;
  }

  /** When it first started and when it stopped (ms since the epoch). */
  get startedAt(): number | undefined {
    return this.#runs[0]?.from;
  }

  elapsedMs(now = Date.now()): number {
    return this.elapsedAt(now);
  }

  /** Room time at a wall-clock instant: the time it had run by then. */
  elapsedAt(wallMs: number): number {
    let total = 0;
    for (const run of this.#runs) {
      if (run.from >= wallMs) break;
      total += Math.min(run.to ?? wallMs, wallMs) - run.from;
    }
    return total;
  }

  start(now = Date.now()): void {
    if (this.#stopped || this.started) return;
    this.#runs.push({ from: now });
    this.#armAll();
  }

  pause(now = Date.now()): void {
    if (!this.running) return;
    this.#runs.at(-1)!.to = now;
    for (const entry of this.#pending) clearTimeout(entry.timer);
  }

  resume(now = Date.now()): void {
    if (this.#stopped || !this.started || this.running) return;
    this.#runs.push({ from: now });
    this.#armAll();
  }

  /** Stops for good: the clock reads what it had run, and nothing scheduled fires. */
  stop(now = Date.now()): void {
    if (this.running) this.#runs.at(-1)!.to = now;
    this.#stopped = true;
    for (const entry of this.#pending) clearTimeout(entry.timer);
    this.#pending = [];
  }

  /** Calls `fire` once, when room time reaches `atMs` (at once if it already has, while running). */
  at(atMs: number, fire: () => void): void {
    if (this.#stopped) return;
    if (this.#pending.length >= maxScheduled) throw new RangeError(`RoomClock.at: ${maxScheduled} things scheduled at most`);
    const entry: Scheduled = { atMs, fire };
    this.#pending.push(entry);
    if (this.running) this.#arm(entry);
  }

  #armAll(): void {
    for (const entry of this.#pending) this.#arm(entry);
  }

  #arm(entry: Scheduled): void {
    clearTimeout(entry.timer);
    // A drill is minutes to hours long: well inside a timer's 2^31-1 ms (nodejs.org/api/timers.html).
    entry.timer = setTimeout(() => {
      this.#pending = this.#pending.filter((each) => each !== entry);
      entry.fire();
    }, Math.max(0, entry.atMs - this.elapsedMs()));
  }
}
