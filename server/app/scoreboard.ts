/**
 * A drill's live scoreboard: every sandbox of this server, best first, pushed to whoever
 * follows it each time one of them moves.
 *
 *   SandboxRegistry 'change' (a start, a stop, a session's 'standing') ──once per tick──▶ listeners(standings)
 *
 * It shows how far each learner got and what it cost them (hints, wrong answers), never an
 * answer — a standing has no root cause in it — and never a sandbox's id, which would let one
 * learner reach another's sandbox (names, labs and scores are what a drill shows).
 */
import type { Standing } from './protocol.js';
import type { SandboxRegistry } from './sandboxRegistry.js';

export type ScoreboardListener = (standings: Standing[]) => void;

/** Solved first (higher score, then faster), then diagnosed, then the rest; earlier starts first among equals. */
export function rankStandings(standings: readonly Standing[]): Standing[] {
  const stage = (s: Standing): number => (s.completed ? 0 : s.diagnosed ? 1 : 2);
  return [...standings].sort(
    (a, b) =>
      stage(a) - stage(b) ||
      (a.completed ? b.score - a.score || a.solvedInMs! - b.solvedInMs! : 0) ||
      a.startedAt.localeCompare(b.startedAt) ||
      (a.learner ?? '').localeCompare(b.learner ?? '') ||
      a.lab.localeCompare(b.lab),
  );
}

export class Scoreboard {
  readonly #registry: SandboxRegistry;
  readonly #listeners = new Set<ScoreboardListener>();
  #scheduled = false;

  constructor(registry: SandboxRegistry) {
    this.#registry = registry;
    registry.changes.on('change', () => this.#changed());
  }

  standings(): Standing[] {
    return rankStandings(this.#registry.list().map((session) => session.standing()));
  }

  /** Calls `listener` after each change; returns the way to stop. */
  follow(listener: ScoreboardListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #changed(): void {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    // A verify completes and publishes its status in one turn: one push for all of it.
    setImmediate(() => {
      this.#scheduled = false;
      const standings = this.standings();
      for (const listener of this.#listeners) listener(standings);
    });
  }
}
