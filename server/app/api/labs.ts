/**
 * The catalogue and the learner's progress.
 *
 *   GET    /api/labs        summaries (never a scenario's answer) + progress per lab
 *   GET    /api/catalogue   root causes and fix actions a learner may pick from
 *   GET    /api/progress    completed labs, scores, time, hints used
 *   DELETE /api/progress    reset
 */
import { fixActions, rootCauseCatalogue } from '../../faults/index.js';
import { labSummary } from '../../lab/summary.js';
import { sendJson } from '../http.js';
import type { LabCatalogue } from '../labCatalogue.js';
import type { ProgressStore } from '../progressStore.js';
import type { CatalogueResponse, LabsResponse } from '../protocol.js';
import type { Route } from '../router.js';

export function labRoutes(catalogue: LabCatalogue, progress: ProgressStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/labs',
      async handler({ res }) {
        const { labs: byLab, ...totals } = progress.summary();
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
          fixActions: [...fixActions.values()].map(({ action, title, target }) => ({ action, title, target })),
        };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/progress',
      handler({ res }) {
        sendJson(res, 200, progress.summary());
      },
    },
    {
      method: 'DELETE',
      path: '/api/progress',
      async handler({ res }) {
        await progress.reset();
        sendJson(res, 200, progress.summary());
      },
    },
  ];
}
