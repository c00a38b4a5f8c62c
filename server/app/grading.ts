/**
 * Grading, on the server: the scenario's answer and evidence never leave it before a correct
 * diagnosis. Pure functions over the lab's scenario, the trace the learner picked from, and
 * the edge reports of a verify run.
 *
 *   learner: rootCause + {conn, seq} ──gradeDiagnosis(scenario, trace event)──▶ correct | reason
 *   learner: an incident's rootCause + {conn, seq} ──gradeIncident(fault kind, event, the connection's verdict)──▶ correct | reason
 *   learner: a fix ──fixTouchesFault? no──▶ a wrong fix, charged
 *   root causes' `healthy` ──verifyPlan──▶ how much traffic Verify sends, and the handshake bound
 *   verify traffic: EdgeReport[] ──checkEdges(spec, plan)──▶ green only when every edge behaves
 */
import { findField, type TraceEvent } from '../explain/traceEvent.js';
import { fixTouchesFault, rootCauseCatalogue, type Healthy } from '../faults/index.js';
import type { FixActionSpec, LabSpec, ScenarioSpec } from '../lab/schema.js';
import type { EdgeReport } from '../runtime/index.js';
import type { EdgeCheck, EdgeExpectation } from './protocol.js';

export const maxScore = 100;
/** Hints get stronger, and dearer: the n-th (1-based) costs 10·n. */
export const hintCost = (index: number): number => 10 * index;
export const wrongDiagnosisCost = 10;
/** A fix that is not the lab's own and changes nothing the incident broke (isWrongFix). */
export const wrongFixCost = 10;

export function scoreOf(hintsShown: number, wrongDiagnoses: number, wrongFixes: number): number {
  let spent = wrongDiagnoses * wrongDiagnosisCost + wrongFixes * wrongFixCost;
  for (let i = 1; i <= hintsShown; i++) spent += hintCost(i);
  return Math.max(0, maxScore - spent);
}

/**
 * A fix is wrong when it is none of the lab's own (`scenario.fix`, by action and target) and
 * changes nothing the faults changed: re-issuing the server's certificate when the client's
 * expired. The lab's own counts whatever it changes, since a repair may complete what the
 * fault left undone elsewhere (a CA rotation: the caller's bundle gains the new root). Whether
 * a fix repairs enough is not judged here: Verify runs it.
 */
export function isWrongFix(written: LabSpec, broken: LabSpec, before: LabSpec, fix: FixActionSpec, after: LabSpec): boolean {
  const own = written.scenario.fix.some((step) => step.action === fix.action && step.target === fix.target);
  return !own && !fixTouchesFault(written, broken, before, after);
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

/** What the explainer concluded of the connection an event belongs to: its root cause and the event it cites. */
export interface ConnectionConclusion {
  rootCause: string;
  evidence: { seq: number };
}

/**
 * An injected incident's diagnosis: right only with the fault's own root cause AND an event of
 * a connection the explainer puts down to that cause — the event it cites, or what said the
 * connection failed (an alert, an error a process reported). Like gradeDiagnosis, the reason
 * never names the answer.
 */
export function gradeIncident(kind: string, rootCause: string, event: TraceEvent, conclusion: ConnectionConclusion | undefined): Grade {
  const rightCause = rootCause === kind;
  const rightEvent = conclusion?.rootCause === kind && (event.seq === conclusion.evidence.seq || event.layer === 'alert' || event.severity === 'error');
  const picked = `${event.type}, ${event.side ? `from the ${event.side}` : 'from neither side'}, connection ${event.conn}`;
  if (rightCause && rightEvent) return { correct: true, reason: `Correct: ${rootCauseTitle(rootCause).toLowerCase()}, and the event you pinned (${picked}) proves it.` };
  if (rightCause) {
    return { correct: false, reason: `The root cause is right, but the event you pinned (${picked}) does not prove it. Pin the alert or report of a connection this incident broke.` };
  }
  return { correct: false, reason: `"${rootCauseTitle(rootCause)}" does not fit this incident. Compare the connections that failed since it began with the ones before it.` };
}

/** What Verify sends and bounds: the lab's root cause and any injected faults each add their `healthy`. */
export interface VerifyPlan {
  /** Requests each client sends, at its own rps. */
  requests: number;
  healthy?: Healthy;
}

/**
 * A few requests per edge, unless a cause shows only under load: then the incident's own load
 * (each client's rps for the longest `loadSeconds`) under the strictest handshake bound.
 */
export function verifyPlan(spec: LabSpec, causes: readonly string[], fewRequests: number): VerifyPlan {
  const healthy = causes.map((cause) => rootCauseCatalogue.get(cause)?.healthy).filter((each): each is Healthy => each !== undefined);
  if (healthy.length === 0) return { requests: fewRequests };
  const loadSeconds = Math.max(...healthy.map((each) => each.loadSeconds));
  const maxHandshakesPerRequest = Math.min(...healthy.map((each) => each.maxHandshakesPerRequest));
  const atLoad = Math.max(...Object.values(spec.clients).map((client) => Math.ceil(client.rps * loadSeconds)));
  return { requests: Math.max(fewRequests, atLoad), healthy: { loadSeconds, maxHandshakesPerRequest } };
}

/**
 * What an edge must do by the lab as written (`spec`: its intent, before any fault). A caller
 * without a certificate — plaintext, or TLS with none — of a service that requires client
 * certificates must be refused: PERMISSIVE or "verify if given" serving it is the finding. So
 * must a caller whose certificate the service, as written, does not admit: another tenant's
 * (over-broad-trust serving it is the finding), or an identity off its allow list. A service
 * whose mode is `disable` is plain HTTP by design, so its callers must be answered. Every
 * other edge must be answered on every request.
 */
export function expectationOf(spec: LabSpec, clientName: string, serviceName: string): EdgeExpectation {
  const client = spec.clients[clientName];
  const service = spec.services[serviceName];
  const answered: EdgeExpectation = { expect: 'ok', why: 'every request must be answered' };
  if (!client || !service || service.mode === 'disable' || service.clientAuth === 'none') return answered;
  if (client.protocol === 'plaintext') {
    return service.clientAuth === 'require' ? { expect: 'refused', why: `a plaintext caller must be refused: ${serviceName} requires mTLS` } : answered;
  }
  if (client.cert === undefined) {
    return service.clientAuth === 'require' ? { expect: 'refused', why: `a caller without a certificate must be refused: ${serviceName} requires one` } : answered;
  }
  if (!trusted(spec, client.cert, service)) return { expect: 'refused', why: `a certificate from a CA ${serviceName} does not trust must be refused` };
  if (!allowed(spec, client.cert, service)) return { expect: 'refused', why: `an identity off ${serviceName}'s allow list must be refused` };
  return answered;
}

/**
 * Verify's rule per edge: what `expectationOf` says, on every request; under a plan's
 * `healthy`, an answered edge must also stay below its bound of full handshakes per request.
 */
export function checkEdges(spec: LabSpec, plan: VerifyPlan, edges: readonly EdgeReport[]): EdgeCheck[] {
  return edges.map((edge) => {
    const { expect, why } = expectationOf(spec, edge.client, edge.service);
    const bound = expect === 'ok' ? plan.healthy : undefined;
    const answered = edge.ok === edge.requests && edge.failed === 0 && edge.timeouts === 0;
    const kept = bound === undefined || edge.handshakesPerRequest < bound.maxHandshakesPerRequest;
    const pass = edge.requests > 0 && (expect === 'refused' ? edge.ok === 0 : answered && kept);
    const client = spec.clients[edge.client];
    const load = bound && client ? `, at ${client.rps} requests a second for ${bound.loadSeconds} s, with fewer than ${bound.maxHandshakesPerRequest} full handshakes per request` : '';
    return {
      client: edge.client,
      service: edge.service,
      expect,
      why: why + load,
      requests: edge.requests,
      ok: edge.ok,
      failed: edge.failed,
      handshakesPerRequest: edge.handshakesPerRequest,
      pass,
    };
  });
}

/** Whether `cert` chains to a CA of the service's trust bundle (another tenant's does not). */
function trusted(spec: LabSpec, cert: string, service: LabSpec['services'][string]): boolean {
  const chain: string[] = [];
  for (let at: string | undefined = cert; at !== undefined && chain.length < 64; at = spec.pki[at]?.issuer) chain.push(at);
  return chain.some((name) => service.trust.includes(name));
}

/** Whether one of `cert`'s URI SANs is on the service's allow list, where it has one. */
function allowed(spec: LabSpec, cert: string, service: LabSpec['services'][string]): boolean {
  const identities = spec.pki[cert]?.san.filter((san) => san.startsWith('uri:')) ?? [];
  return service.allow === undefined || identities.some((identity) => service.allow!.includes(identity));
}

export function isGreen(checks: readonly EdgeCheck[]): boolean {
  return checks.length > 0 && checks.every((check) => check.pass);
}
