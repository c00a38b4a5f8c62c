/**
 * A chaos run's requests, judged against each edge's SLO per stretch of the run: each incident
 * from its injection to its clear, and the steady state around them.
 *
 *   'request-result' (client, result) at t ──SloLedger.record──▶ per edge, per window
 *      ──breaches(windows)──▶ the windows where an edge's success rate or p99 broke its SLO
 *
 * A request belongs to the window it was sent in (its finish time less its latency): one sent
 * just before a clear and refused just after it is the incident's.
 */
import type { LabSpec, SloSpec } from '../lab/schema.js';
import type { RequestResult } from '../runtime/messages.js';
import { percentile } from '../runtime/edgeReport.js';

/** A stretch of the run, ms from its start: an incident's (`incident` its id), or the steady state (null). */
export interface ChaosWindow {
  incident: number | null;
  fromMs: number;
  toMs: number;
}

export interface SloBreach {
  incident: number | null;
  client: string;
  service: string;
  requests: number;
  ok: number;
  successRate: number;
  p99Ms: number;
  slo: SloSpec;
  /** The clients' local ports of the failed requests: the tap's connections they rode. */
  failedPorts: number[];
}

interface Sent {
  client: string;
  sentAtMs: number;
  result: RequestResult;
}

export class SloLedger {
  readonly #sent: Sent[] = [];

  constructor(private readonly spec: LabSpec) {}

  /** A request `client` finished `atMs` after the run's start. */
  record(client: string, result: RequestResult, atMs: number): void {
    this.#sent.push({ client, sentAtMs: atMs - result.latencyMs, result });
  }

  /** Every (window, edge) whose requests broke the edge's SLO, in window order. */
  breaches(windows: readonly ChaosWindow[]): SloBreach[] {
    const found: SloBreach[] = [];
    for (const window of windows) {
      for (const [client, spec] of Object.entries(this.spec.clients)) {
        const sent = this.#sent.filter((each) => each.client === client && each.sentAtMs >= window.fromMs && each.sentAtMs < window.toMs);
        if (sent.length === 0) continue;
        const ok = sent.filter((each) => each.result.ok).length;
        const successRate = ok / sent.length;
        const p99Ms = Math.round(percentile(sent.map((each) => each.result.latencyMs).sort((a, b) => a - b), 0.99));
        if (successRate >= spec.slo.successRate && p99Ms <= spec.slo.p99Ms) continue;
        const failedPorts = sent.flatMap((each) => (!each.result.ok && each.result.localPort !== undefined ? [each.result.localPort] : []));
        found.push({ incident: window.incident, client, service: spec.calls, requests: sent.length, ok, successRate, p99Ms, slo: spec.slo, failedPorts });
      }
    }
    return found;
  }
}

/** The run cut at each injection and clear: incidents, and the steady stretches between them. */
export function chaosWindows(incidents: ReadonlyArray<{ id: number; atMs: number; clearAtMs: number }>, durationMs: number): ChaosWindow[] {
  const windows: ChaosWindow[] = [];
  let at = 0;
  for (const incident of incidents) {
    if (incident.atMs > at) windows.push({ incident: null, fromMs: at, toMs: incident.atMs });
    windows.push({ incident: incident.id, fromMs: incident.atMs, toMs: incident.clearAtMs });
    at = incident.clearAtMs;
  }
  if (durationMs > at) windows.push({ incident: null, fromMs: at, toMs: durationMs });
  return windows;
}
