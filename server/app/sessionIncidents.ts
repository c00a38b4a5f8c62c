/**
 * The incidents of one sandbox: each fault injected into it while it runs (a drill's, a
 * facilitator's) is an incident the learner diagnoses and fixes on its own, graded by the
 * fault's root cause rather than by the lab's answer.
 *
 *   injectFault ──▶ add(id, fault) ──diagnosis { incident }──▶ wrong | correct (detectedAt)
 *   Verify green ──▶ markFixed(now): every incident of the sandbox fixed, with its time
 *
 * Before a correct diagnosis an incident is only an id and a time: its kind is the answer.
 */
import { faults } from '../faults/index.js';
import type { FaultSpec } from '../lab/schema.js';
import { rootCauseTitle } from './grading.js';
import type { SandboxIncident } from './protocol.js';

/** One incident's record on the server, with its wall-clock times (ms since the epoch). */
export interface IncidentRecord {
  readonly id: string;
  readonly fault: FaultSpec;
  readonly injectedAt: number;
  diagnosis: 'none' | 'wrong' | 'correct';
  /** When each wrong diagnosis of it was given. */
  wrongAt: number[];
  detectedAt?: number;
  fixedAt?: number;
}

/** Incidents one sandbox may hold: a drill injects a handful, never hundreds. */
const maxIncidents = 256;

export class SessionIncidents {
  readonly #records = new Map<string, IncidentRecord>();

  add(id: string, fault: FaultSpec, at = Date.now()): IncidentRecord {
    if (this.#records.size >= maxIncidents) this.#records.delete(this.#records.keys().next().value!);
    const record: IncidentRecord = { id, fault: structuredClone(fault), injectedAt: at, diagnosis: 'none', wrongAt: [] };
    this.#records.set(id, record);
    return record;
  }

  get(id: string): IncidentRecord | undefined {
    return this.#records.get(id);
  }

  get anyDiagnosed(): boolean {
    return [...this.#records.values()].some((record) => record.diagnosis === 'correct');
  }

  /** Copies, for whoever reports on them (a room's standing, its postmortem). */
  records(): IncidentRecord[] {
    return [...this.#records.values()].map((record) => structuredClone(record));
  }

  /** A green Verify: everything injected so far is repaired, now. */
  markFixed(at = Date.now()): void {
    for (const record of this.#records.values()) record.fixedAt ??= at;
  }

  /** As the sandbox's page sees them: the kind, and the fixes that undo it, only once diagnosed. */
  view(startedAt: number): SandboxIncident[] {
    return [...this.#records.values()].map((record) => ({
      id: record.id,
      injectedMs: record.injectedAt - startedAt,
      diagnosis: record.diagnosis,
      fixed: record.fixedAt !== undefined,
      ...(record.diagnosis === 'correct'
        ? {
            kind: record.fault.kind,
            title: rootCauseTitle(record.fault.kind),
            ...(record.fault.target !== undefined ? { target: record.fault.target } : {}),
            fixes: [...(faults.get(record.fault.kind)?.fixes ?? [])],
          }
        : {}),
    }));
  }
}
