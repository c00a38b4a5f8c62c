/**
 * A drill's scoreboard as the page shows it: every sandbox's standing, best first, kept
 * current by the socket's `scoreboard` pushes (and fetched again after a reconnect).
 *
 *   LiveSocket.followScoreboard ──standings──▶ ScoreboardState.standings ──▶ Scoreboard.svelte
 */
import type { Standing } from '../../../server/app/protocol.ts';
import { liveSocket, type LiveSocket } from './socket.svelte.ts';

export class ScoreboardState {
  standings: Standing[] = $state.raw([]);
  failure = $state('');
  readonly #socket: LiveSocket;

  constructor(socket = liveSocket()) {
    this.#socket = socket;
  }

  follow(): void {
    this.#socket.followScoreboard((standings) => (this.standings = standings)).catch((error: Error) => (this.failure = error.message));
  }

  stop(): void {
    this.#socket.unfollowScoreboard();
  }
}

/** Where a learner is, in words. */
export function stageOf(standing: Standing): string {
  if (standing.completed) return '✓ solved';
  if (standing.status !== 'running') return `sandbox ${standing.status}`;
  return standing.diagnosed ? 'diagnosed, fixing' : 'investigating';
}
