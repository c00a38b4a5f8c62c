/**
 * A chaos run, headless: a lab's sandbox under steady traffic on every edge while a schedule
 * breaks it live and mends it — catalogue faults re-configure only what they touch, wire
 * faults sit in the tap — and each edge's SLO is judged per incident, with the verdict the
 * trace of that incident's failed connections gives.
 *
 *   schedule ──at each atMs: inject, at each clearAtMs: clear──▶ running sandbox (live)
 *   'request-result' ──SloLedger──▶ breaches per incident ──failed connections' verdicts──▶ incident log
 */
import { performance } from 'node:perf_hooks';
import { buildTrace, verdictsForSandbox, type Verdict } from '../explain/index.js';
import { applyFaults } from '../faults/index.js';
import type { LabSpec } from '../lab/schema.js';
import type { RequestResult } from '../runtime/messages.js';
import type { EdgeReport, ProcessEvent, Sandbox } from '../runtime/index.js';
import type { ChaosInjection } from './schedule.js';
import { chaosWindows, SloLedger, type SloBreach } from './sloWindows.js';

/** One line of the incident log; `t` in ms from the start of the run. */
export type ChaosLogEvent =
  | ({ t: number; event: 'inject' | 'clear' } & Omit<ChaosInjection, 'atMs' | 'clearAtMs'>)
  | ({ t: number; event: 'breach'; kind: string; target: string; verdict: string | null } & SloBreach);

export interface ChaosRunOptions {
  durationMs: number;
  /** Each injection and clear as it happens (the breaches come at the end, once the trace is known). */
  onEvent?: (event: ChaosLogEvent) => void;
}

/** Requests each client is asked for: enough to keep its rps up past the end, which stops it. */
function requestsFor(spec: LabSpec, durationMs: number): number {
  const fastest = Math.max(...Object.values(spec.clients).map((client) => client.rps));
  return Math.ceil((fastest * durationMs) / 1000) + 1;
}

/**
 * Runs `schedule` against the running `sandbox` of `spec` for `durationMs`, then stops the
 * sandbox and returns the whole log: injections and clears in time order, then each breach.
 */
export async function runChaos(sandbox: Sandbox, spec: LabSpec, schedule: readonly ChaosInjection[], options: ChaosRunOptions): Promise<ChaosLogEvent[]> {
  const log: ChaosLogEvent[] = [];
  const startedAt = performance.now();
  const since = (): number => Math.round(performance.now() - startedAt);
  const ledger = new SloLedger(spec);
  const processEvents: ProcessEvent[] = [];
  const onResult = (client: string, result: RequestResult): void => ledger.record(client, result, since());
  const onProcess = (event: ProcessEvent): void => void processEvents.push(event);
  sandbox.events.on('request-result', onResult);
  sandbox.events.on('process-event', onProcess);

  const end = new AbortController();
  const stopTimer = setTimeout(() => end.abort(), options.durationMs);
  const traffic = sandbox.runTraffic({ requests: requestsFor(spec, options.durationMs), signal: end.signal });
  let edges: EdgeReport[] = [];
  const note = (event: ChaosLogEvent): void => {
    log.push(event);
    options.onEvent?.(event);
  };
  try {
    // One step at a time, each at its time: a slow re-issue delays the next step, never reorders it.
    const steps = schedule.flatMap((injection) => [
      { atMs: injection.atMs, event: 'inject' as const, injection },
      { atMs: injection.clearAtMs, event: 'clear' as const, injection },
    ]).sort((a, b) => a.atMs - b.atMs);
    for (const step of steps) {
      if (!(await waitUntil(startedAt + step.atMs, end.signal))) break;
      await (step.event === 'inject' ? inject(sandbox, spec, step.injection) : clear(sandbox, spec, step.injection));
      const { atMs: _at, clearAtMs: _clear, ...what } = step.injection;
      note({ t: since(), event: step.event, ...what });
    }
    edges = await traffic;
  } finally {
    clearTimeout(stopTimer);
    end.abort();
    sandbox.events.off('request-result', onResult);
    sandbox.events.off('process-event', onProcess);
    await traffic.catch(() => undefined);
    await sandbox.stop();
  }

  // Built after the stop, as `run --trace` does: every connection closed and its reason known.
  const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents });
  const { verdicts } = verdictsForSandbox(trace, edges);
  const byId = new Map(schedule.map((injection) => [injection.id, injection]));
  for (const breach of ledger.breaches(chaosWindows(schedule, options.durationMs))) {
    const incident = breach.incident === null ? undefined : byId.get(breach.incident);
    note({
      t: incident?.atMs ?? 0,
      event: 'breach',
      ...breach,
      kind: incident?.kind ?? 'steady',
      target: `${breach.client} → ${breach.service}`,
      verdict: likeliest(verdicts, breach, connectionsOf(sandbox, breach)),
    });
  }
  return log;
}

/** Resolves true at `at` (performance.now() time), false at once if the run was ended first. */
function waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, at - performance.now()));
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function inject(sandbox: Sandbox, spec: LabSpec, injection: ChaosInjection): Promise<void> {
  if (injection.source === 'wire') {
    await sandbox.setWireFaults([{ kind: injection.kind, edge: injection.target, direction: injection.direction! }]);
  } else {
    await sandbox.reconfigure(applyFaults(spec, [{ kind: injection.kind, target: injection.target, params: {} }]));
  }
}

/** Incidents never overlap (schedule.ts), so a clear returns the sandbox to the lab as written. */
async function clear(sandbox: Sandbox, spec: LabSpec, injection: ChaosInjection): Promise<void> {
  if (injection.source === 'wire') await sandbox.setWireFaults([]);
  else await sandbox.reconfigure(spec);
}

/** The tap's connections the breach's failed requests rode, by the client's local port. */
function connectionsOf(sandbox: Sandbox, breach: SloBreach): Set<number> {
  const ports = new Set(breach.failedPorts);
  return new Set(sandbox.tap.connections.filter((conn) => conn.service === breach.service && ports.has(conn.clientPort)).map((conn) => conn.id));
}

/** The root cause most findings on those connections (or on the whole edge: a starved pool) name; null when none does. */
function likeliest(verdicts: readonly Verdict[], breach: SloBreach, conns: ReadonlySet<number>): string | null {
  const counts = new Map<string, number>();
  for (const verdict of verdicts) {
    const onEdge = verdict.edge?.client === breach.client;
    if (verdict.severity !== 'info' && (conns.has(verdict.conn) || onEdge)) counts.set(verdict.rootCause, (counts.get(verdict.rootCause) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}
