/**
 * The drill's scoreboard, for a facilitator's screen (the page follows it live over /ws).
 *
 *   GET /api/scoreboard → ScoreboardResponse (every sandbox's standing, best first)
 */
import { sendJson } from '../http.js';
import type { ScoreboardResponse } from '../protocol.js';
import { requireHost } from '../learners.js';
import type { Route } from '../router.js';
import type { Scoreboard } from '../scoreboard.js';

export function scoreboardRoutes(scoreboard: Scoreboard): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/scoreboard',
      handler({ res, caller }) {
        requireHost(caller, 'a drill\'s learners see their room\'s scoreboard');
        sendJson(res, 200, { standings: scoreboard.standings() } satisfies ScoreboardResponse);
      },
    },
  ];
}
