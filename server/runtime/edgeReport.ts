/**
 * What one client's run of traffic amounted to, from what the client lived (per-request
 * results) and what the service logged for that client's connections.
 *
 *   client results ─┐
 *                   ├──buildEdgeReport──▶ EdgeReport
 *   service errors ─┘   (attributed via the tap: service remote port → tap connection → client port)
 */
import { alertFromError } from '../faults/alerts.js';
import type { ErrorInfo, RequestResult } from './messages.js';
import type { EdgeReport } from './types.js';

export interface EdgeInput {
  client: string;
  service: string;
  results: readonly RequestResult[];
  serverErrors: readonly ErrorInfo[];
  durationMs: number;
}

export function buildEdgeReport(input: EdgeInput): EdgeReport {
  const { results } = input;
  const clientErrors = tally(results.flatMap((result) => (result.error ? [result.error] : [])));
  const alerts = new Set<string>();
  for (const result of results) {
    const alert = result.error && alertFromError(result.error.code, result.error.message);
    if (alert) alerts.add(alert);
  }
  const statusCodes: Record<string, number> = {};
  for (const result of results) {
    if (result.status !== undefined) statusCodes[result.status] = (statusCodes[result.status] ?? 0) + 1;
  }
  const ok = results.filter((result) => result.ok).length;
  const timeouts = results.filter((result) => result.timedOut).length;
  const handshakes = results.filter((result) => result.tls === 'full').length;
  const resumed = results.filter((result) => result.tls === 'resumed').length;
  const latencies = results.map((result) => result.latencyMs).sort((a, b) => a - b);
  const seconds = input.durationMs / 1000;
  const sample = results.find((result) => result.body !== undefined)?.body;
  return {
    client: input.client,
    service: input.service,
    requests: results.length,
    ok,
    failed: results.length - ok - timeouts,
    timeouts,
    clientErrors,
    serverErrors: tally(input.serverErrors),
    alertsReceived: [...alerts],
    statusCodes,
    handshakes,
    resumed,
    handshakesPerRequest: results.length ? round(handshakes / results.length) : 0,
    handshakesPerSecond: seconds > 0 ? round(handshakes / seconds) : 0,
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? 0) },
    maxQueueDepth: results.reduce((max, result) => Math.max(max, result.queueDepth), 0),
    durationMs: round(input.durationMs),
    ...(sample !== undefined ? { sample } : {}),
  };
}

/** Count per code, keeping the first message seen for each. */
function tally(errors: readonly ErrorInfo[]): Record<string, { count: number; message: string }> {
  const table: Record<string, { count: number; message: string }> = {};
  for (const { code, message } of errors) {
    const entry = table[code];
    if (entry) entry.count++;
    else table[code] = { count: 1, message };
  }
  return table;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const round = (value: number): number => Math.round(value * 100) / 100;
