/**
 * Who this browser is: the learner its cookie names (learners.ts), and their sandboxes — what
 * a page asks first, so that a reload or a second tab goes back to the learner's running lab.
 *
 *   GET /api/me → MeResponse { name, role (host, or how they joined), sandboxes: the caller's own, oldest first }
 */
import { sendJson } from '../http.js';
import { learnerOf, type LearnerNames } from '../learners.js';
import type { MeResponse } from '../protocol.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';

export function meRoutes(registry: SandboxRegistry, names: LearnerNames): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/me',
      handler({ res, caller }) {
        // The operator's token reaches every sandbox; "mine" is still only the caller's own.
        const own = registry.list().filter((session) => session.owner === learnerOf(caller));
        const sandboxes = own.map((session) => session.view()).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
        sendJson(res, 200, { name: names.get(caller.learner), role: caller.participant?.role ?? 'host', sandboxes } satisfies MeResponse);
      },
    },
  ];
}
