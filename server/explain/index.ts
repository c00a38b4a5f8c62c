/**
 * The explain room: a sandbox's recording turned into a timeline a learner can read, and
 * each failure into a root cause with its evidence.
 *
 *   tap + keylog + process events ──buildTrace──▶ TraceEvent[] (annotated) ──verdictsForSandbox──▶ Verdict[] + diagnosis
 */
export type { Field, TraceDirection, TraceEvent, TraceLayer, TraceSeverity } from './traceEvent.js';
export { buildTrace, defaultTraceOptions, traceDecoded, type DecodedInput, type DecodedTraceInput, type Topology, type TraceInput, type TraceOptions } from './buildTrace.js';
export { annotate, type AnnotationContext } from './annotate.js';
export { connectionFacts, connectionVerdict, edgeVerdict, verdictsForSandbox, type VerdictContext, type RootCause, type SandboxVerdicts, type Verdict, type VerdictEvidence } from './verdict.js';
export type { Stack, StackWordings, Wording } from '../faults/index.js';
