/**
 * Which labs an interview runs, in which variants: the labs the interviewer picked, or a
 * random set of one level drawn from the catalogue, then a variant for each (variants.ts) —
 * all from one seed the interview keeps, so the same seed gives the same interview.
 *
 *   { labs } | { level, count } + seed ──planInterview──▶ PlannedLab[] (lab, variant)
 */
import type { LabDocument } from '../../lab/index.js';
import type { LabSpec } from '../../lab/schema.js';
import { seededRandom } from '../../runtime/seededRandom.js';
import { ApiError } from '../errors.js';
import { applyVariant, drawVariant, type Variant } from './variants.js';

export interface PlannedLab {
  doc: LabDocument;
  variant: Variant | undefined;
}

export type PlanRequest = { labs: string[] } | { level: LabSpec['level']; count: number };

/** The most labs one interview runs: each is a sandbox of its own, one after another. */
export const maxInterviewLabs = 5;

/**
 * Labs an interview never draws at random: the baseline has nothing to find, and the chaos
 * topology is a drill's (its faults come on a schedule, not from the lab).
 */
const notForRandomDraws = new Set(['baseline', 'topology-lab']);

export function planInterview(catalogue: readonly LabDocument[], request: PlanRequest, seed: number): PlannedLab[] {
  const random = seededRandom(seed);
  const byId = new Map(catalogue.map((doc) => [doc.spec.id, doc]));
  let docs: LabDocument[];
  if ('labs' in request) {
    docs = request.labs.map((id) => {
      const doc = byId.get(id);
      if (!doc) throw new ApiError('LAB_NOT_FOUND', `"${id.slice(0, 100)}" (known: ${[...byId.keys()].join(', ')})`);
      return doc;
    });
  } else {
    const pool = catalogue.filter((doc) => doc.spec.level === request.level && !notForRandomDraws.has(doc.spec.id));
    if (pool.length < request.count) {
      throw new ApiError('BAD_REQUEST', `"count": ${request.count} labs of level ${request.level} asked, the catalogue has ${pool.length} (${pool.map((doc) => doc.spec.id).join(', ') || 'none'})`);
    }
    docs = shuffled(pool, random).slice(0, request.count);
  }
  return docs.map((doc) => ({ doc, variant: drawVariant(doc.spec, random) }));
}

/** The lab as the candidate meets it: in its variant (the interview's clock is its deadline, StartOptions.deadlineAt). */
export function variedDoc(doc: LabDocument, variant: Variant | undefined): LabDocument {
  return variant ? { ...doc, spec: applyVariant(doc.spec, variant) } : doc;
}

/** Fisher–Yates with the interview's random source. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
