/**
 * A chaos schedule: which faults break which part of a lab, and when — drawn from a seed, so
 * the same seed over the same lab gives the same incidents (kinds, targets, times) every run.
 *
 *   LabSpec + { seed, durationMs, kinds? } ──drawChaosSchedule──▶ ChaosInjection[] (in time order)
 *
 * Incidents never overlap: the run is cut into equal slots, one incident each, injected in the
 * slot's first half and cleared at its middle, so each failure can be diagnosed on its own and
 * the edge has time to recover before the next. A catalogue fault is a candidate only where it
 * really applies to this lab (its transform accepts the target), so a schedule never draws an
 * injection the runtime would refuse.
 */
import { applyFaults, FaultError, faults, targetCandidates } from '../faults/index.js';
import type { LabSpec } from '../lab/schema.js';
import { seededRandom } from '../runtime/seededRandom.js';
import { wireFaultKinds, type WireDirection } from '../runtime/index.js';

/** One incident of the schedule: a catalogue fault on a target, or a wire fault on an edge's tap. */
export interface ChaosInjection {
  /** 1-based, in time order. */
  id: number;
  atMs: number;
  clearAtMs: number;
  source: 'fault' | 'wire';
  kind: string;
  /** A certificate, service or client for a catalogue fault; the service whose edge it sits on for a wire fault. */
  target: string;
  /** Wire faults only: which way the bytes it touches flow. */
  direction?: WireDirection;
}

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  /** Only these kinds (catalogue or wire); every kind that applies when absent. */
  kinds?: readonly string[];
}

/** One incident per this much of the run: long enough to see a failure, diagnose it and watch it clear. */
export const incidentSlotMs = 10_000;

const bothDirections: readonly WireDirection[] = ['upstream', 'downstream'];

type Candidate = Omit<ChaosInjection, 'id' | 'atMs' | 'clearAtMs'>;

/** A schedule that cannot be drawn: the message names the value and the choices. */
export class ChaosError extends Error {
  override name = 'ChaosError';
}

function applies(spec: LabSpec, kind: string, target: string): boolean {
  try {
    applyFaults(spec, [{ kind, target, params: {} }]);
    return true;
  } catch (error) {
    if (error instanceof FaultError) return false;
    throw error;
  }
}

/** Every (kind, target) this lab can suffer, in a fixed order so that a seed means the same draw. */
export function chaosCandidates(spec: LabSpec): Candidate[] {
  const candidates: Candidate[] = [];
  const presented = new Set(Object.values({ ...spec.services, ...spec.clients }).flatMap((endpoint) => endpoint.cert ?? []));
  for (const [kind, fault] of faults) {
    const targets = targetCandidates(spec, fault.target).sort().filter((target) => applies(spec, kind, target));
    // A certificate fault is aimed at a certificate an endpoint presents; at a CA only when it takes no leaf (an expired intermediate, a stale CRL).
    const inUse = fault.target === 'certificate' ? targets.filter((target) => presented.has(target)) : targets;
    for (const target of inUse.length ? inUse : targets) candidates.push({ source: 'fault', kind, target });
  }
  const edges = [...new Set(Object.values(spec.clients).map((client) => client.calls))].sort();
  for (const [kind, entry] of Object.entries(wireFaultKinds)) {
    for (const edge of edges) {
      for (const direction of entry.directions ?? bothDirections) candidates.push({ source: 'wire', kind, target: edge, direction });
    }
  }
  return candidates;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function drawChaosSchedule(spec: LabSpec, { seed, durationMs, kinds }: ChaosOptions): ChaosInjection[] {
  const all = chaosCandidates(spec);
  const known = [...new Set(all.map((candidate) => candidate.kind))];
  const unknown = kinds?.filter((kind) => !known.includes(kind)) ?? [];
  if (unknown.length) throw new ChaosError(`${unknown.join(', ')}: not a fault that applies to lab ${spec.id} (these do: ${known.join(', ')})`);
  const pool = kinds ? all.filter((candidate) => kinds.includes(candidate.kind)) : all;
  const drawable = [...new Set(pool.map((candidate) => candidate.kind))];
  const random = seededRandom(seed);
  const slots = Math.max(1, Math.floor(durationMs / incidentSlotMs));
  const slotMs = durationMs / slots;
  return Array.from({ length: slots }, (_, slot) => {
    const start = slot * slotMs;
    const atMs = Math.round(start + random() * slotMs * 0.25);
    // Kind first, then its target: a kind with many targets is no likelier than one with few.
    const kind = pick(random, drawable);
    const candidate = pick(random, pool.filter((each) => each.kind === kind));
    return { id: slot + 1, atMs, clearAtMs: Math.round(start + slotMs * 0.75), ...candidate };
  });
}
