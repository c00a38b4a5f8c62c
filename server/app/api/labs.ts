/**
 * The catalogue and the caller's own progress (learners.ts: a page's learner, or the
 * operator's when a script names none).
 *
 *   GET    /api/labs        summaries (never a scenario's answer) + the caller's progress per lab
 *   GET    /api/catalogue   root causes, and fix actions a learner may pick from (target kind, params: type, rule, default);
 *                            faults and wire faults to inject into a running sandbox, the same way
 *   GET    /api/progress    the caller's completed labs, scores, time, hints used
 *   DELETE /api/progress    the caller's reset (other learners keep theirs)
 */
import { describeParams, faults, fixActions, rootCauseCatalogue } from '../../faults/index.js';
import { labSummary } from '../../lab/summary.js';
import { wireFaultKinds } from '../../runtime/index.js';
import { sendJson } from '../http.js';
import type { LabCatalogue } from '../labCatalogue.js';
import { learnerOf } from '../learners.js';
import type { ProgressStore } from '../progressStore.js';
import type { CatalogueResponse, LabsResponse } from '../protocol.js';
import type { Route } from '../router.js';

export function labRoutes(catalogue: LabCatalogue, progress: ProgressStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/labs',
      async handler({ res, caller }) {
        const { labs: byLab, ...totals } = progress.summary(learnerOf(caller));
        const labs = (await catalogue.list()).map((doc) => ({ ...labSummary(doc.spec), progress: byLab[doc.spec.id] ?? null }));
        sendJson(res, 200, { labs, progress: totals } satisfies LabsResponse);
      },
    },
    {
      method: 'GET',
      path: '/api/catalogue',
      handler({ res }) {
        const body: CatalogueResponse = {
          rootCauses: [...rootCauseCatalogue.values()].map(({ kind, title }) => ({ id: kind, title })),
          fixActions: [...fixActions.values()].map(({ action, title, target, params }) => ({ action, title, target, params: describeParams(params) })),
          faults: [...faults.values()].map(({ kind, title, target, params }) => ({ kind, title, target, params: describeParams(params) })),
          wireFaults: Object.values(wireFaultKinds).map(({ kind, title, directions, params }) => ({ kind, title, ...(directions ? { directions } : {}), params: describeParams(params) })),
        };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/progress',
      handler({ res, caller }) {
        sendJson(res, 200, progress.summary(learnerOf(caller)));
      },
    },
    {
      method: 'DELETE',
      path: '/api/progress',
      async handler({ res, caller }) {
        await progress.reset(learnerOf(caller));
        sendJson(res, 200, progress.summary(learnerOf(caller)));
      },
    },
  ];
}
