/**
 * What the lab page may read before the learner's diagnosis: facts, never conclusions. The
 * page is held to what an on-call engineer sees with their own tools — the bytes, what each
 * process said, the certificates' fields, who calls whom — and the judgement is theirs to make.
 * The server holds the conclusions back (not the page's CSS), and hands them over with a
 * correct diagnosis.
 *
 *   TraceEvent ──factsOnly(analysis)──▶ no finding (and in `hidden` analysis, no note, no
 *                                        severity beyond what the wire itself says)
 *   SandboxDescription ──withoutPolicy──▶ services without their configured client auth and mode
 *
 * `hidden`: level `advanced` labs and interviews show no automatic analysis at all until the
 * diagnosis; the other labs keep the notes that say what each message is and carries.
 */
import type { TraceEvent } from '../explain/index.js';
import type { PageDescription, SandboxDescription } from './protocol.js';

export type Analysis = 'notes' | 'hidden';

export function analysisOf(level: string, interview: boolean): Analysis {
  return interview || level === 'advanced' ? 'hidden' : 'notes';
}

/** Layers whose severity is a fact of the wire or of a process: a fatal alert, an error thrown, a reset. */
const factualSeverity = new Set<TraceEvent['layer']>(['alert', 'process', 'tcp']);

/** The event without what the explainer concluded from it; under `hidden`, without its note too. */
export function factsOnly(event: TraceEvent, analysis: Analysis): TraceEvent {
  const { finding, ...facts } = event;
  // A warning on a message comes from its finding (a date past, a caller served unauthenticated).
  const concluded = finding !== undefined || (analysis === 'hidden' && !factualSeverity.has(event.layer));
  return { ...facts, ...(analysis === 'hidden' ? { note: '' } : {}), ...(concluded ? { severity: 'info' as const } : {}) };
}

/**
 * The sandbox without each service's configured policy: `mode permissive` or `client auth
 * optional` on the topology would state the answer of the labs about them; the wire shows
 * how each service behaves.
 */
export function withoutPolicy(description: SandboxDescription): PageDescription {
  const services = Object.fromEntries(Object.entries(description.services).map(([name, { mode: _mode, clientAuth: _clientAuth, ...rest }]) => [name, rest]));
  return { ...description, services };
}
