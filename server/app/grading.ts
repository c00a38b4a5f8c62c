/**
 * Grading, on the server: the scenario's answer and evidence never leave it before a correct
 * diagnosis. Pure functions over the lab's scenario, the trace the learner picked from, and
 * the edge reports of a verify run.
 *
 *   learner: rootCause + {conn, seq} ──gradeDiagnosis(scenario, trace event)──▶ correct | reason
 *   verify traffic: EdgeReport[] ──checkEdges(spec)──▶ green only when every edge behaves
 */
import { findField, type TraceEvent } from '../explain/traceEvent.js';
import { rootCauseCatalogue } from '../faults/index.js';
import type { LabSpec, ScenarioSpec } from '../lab/schema.js';
import type { EdgeReport } from '../runtime/index.js';
import type { EdgeCheck } from './protocol.js';

export const maxScore = 100;
/** Hints get stronger, and dearer: the n-th (1-based) costs 10·n. */
export const hintCost = (index: number): number => 10 * index;
export const wrongDiagnosisCost = 10;

export function scoreOf(hintsShown: number, wrongDiagnoses: number): number {
  let spent = wrongDiagnoses * wrongDiagnosisCost;
  for (let i = 1; i <= hintsShown; i++) spent += hintCost(i);
  return Math.max(0, maxScore - spent);
}

export function rootCauseTitle(id: string): string {
  return rootCauseCatalogue.get(id)?.title ?? id;
}

export function rootCauseSummary(id: string): string {
  return rootCauseCatalogue.get(id)?.summary ?? '';
}

type Evidence = NonNullable<ScenarioSpec['evidence']>[number];

/**
 * Does this trace event prove what one piece of the scenario's evidence names? The side that
 * sent it, the message (a handshake message type like `Certificate`, or a layer: `alert`,
 * `plaintext`), the alert's name, and a field it must carry (with the value it must read, when given).
 */
export function matchesEvidence(event: TraceEvent, evidence: Evidence): boolean {
  if (event.side !== evidence.side) return false;
  const message = evidence.message;
  const isMessage = message === 'alert' ? event.layer === 'alert' : event.type === message || event.layer === message;
  if (!isMessage) return false;
  // The trace names an alert `alert certificate_expired (45)`.
  if (evidence.alert !== undefined && !(event.layer === 'alert' && event.type.startsWith(`alert ${evidence.alert} `))) return false;
  if (evidence.field === undefined) return true;
  const field = findField(event.fields, evidence.field);
  return field !== undefined && (evidence.value === undefined || String(field.value) === evidence.value);
}

/** Whether the event proves the scenario's answer: any of its evidence does (a lab without evidence takes any event). */
export function provesAnswer(scenario: ScenarioSpec, event: TraceEvent): boolean {
  return scenario.evidence === undefined || scenario.evidence.some((evidence) => matchesEvidence(event, evidence));
}

export interface Grade {
  correct: boolean;
  reason: string;
}

/**
 * Correct only with the right root cause AND an event that proves it. The reason never names
 * the answer, and speaks of the event picked, not of a failure the lab may not have.
 */
export function gradeDiagnosis(scenario: ScenarioSpec, rootCause: string, event: TraceEvent): Grade {
  const rightCause = rootCause === scenario.answer;
  const rightEvent = provesAnswer(scenario, event);
  const picked = `${event.type}, ${event.side ? `from the ${event.side}` : 'from neither side'}, connection ${event.conn}`;
  if (rightCause && rightEvent) return { correct: true, reason: `Correct: ${rootCauseTitle(rootCause).toLowerCase()}, and the event you pinned (${picked}) proves it.` };
  if (rightCause) {
    return { correct: false, reason: `The root cause is right, but the event you pinned (${picked}) does not prove it. Pin the message or report that shows it.` };
  }
  return { correct: false, reason: `"${rootCauseTitle(rootCause)}" does not fit what this lab shows. Ask what it would put on the wire, and compare with the connections in the trace and the symptom.` };
}

/**
 * Verify's rule per edge, from the lab as written (`spec`: its intent, before any fault). A
 * caller without a certificate — plaintext, or TLS with none — of a service that requires
 * client certificates must be refused: PERMISSIVE or "verify if given" serving it is the
 * finding. So must a caller whose certificate the service, as written, does not admit:
 * another tenant's (over-broad-trust serving it is the finding), or an identity off its allow
 * list. A service whose mode is `disable` is plain HTTP by design, so its callers must
 * succeed. Every other edge must succeed on every request.
 */
export function checkEdges(spec: LabSpec, edges: readonly EdgeReport[]): EdgeCheck[] {
  return edges.map((edge) => {
    const client = spec.clients[edge.client];
    const service = spec.services[edge.service];
    const anonymous = client?.protocol === 'plaintext' || client?.cert === undefined;
    const refuse = service !== undefined && service.mode !== 'disable' && ((anonymous && service.clientAuth === 'require') || (!anonymous && service.clientAuth !== 'none' && !admitted(spec, client!.cert!, service)));
    const pass = edge.requests > 0 && (refuse ? edge.ok === 0 : edge.ok === edge.requests && edge.failed === 0 && edge.timeouts === 0);
    return { client: edge.client, service: edge.service, expect: refuse ? 'refused' : 'ok', requests: edge.requests, ok: edge.ok, failed: edge.failed, pass };
  });
}

/**
 * Whether the service, as the lab writes it, lets in a caller presenting `cert`: the cert
 * chains to a CA of its trust bundle (another tenant's does not) and, where the service has an
 * allow list, one of its URI SANs is on it.
 */
function admitted(spec: LabSpec, cert: string, service: LabSpec['services'][string]): boolean {
  const chain: string[] = [];
  for (let at: string | undefined = cert; at !== undefined && chain.length < 64; at = spec.pki[at]?.issuer) chain.push(at);
  const trusted = chain.some((name) => service.trust.includes(name));
  const identities = spec.pki[cert]?.san.filter((san) => san.startsWith('uri:')) ?? [];
  return trusted && (service.allow === undefined || identities.some((identity) => service.allow!.includes(identity)));
}

export function isGreen(checks: readonly EdgeCheck[]): boolean {
  return checks.length > 0 && checks.every((check) => check.pass);
}
