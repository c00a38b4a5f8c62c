/**
 * A room's incidents: one fault injected, live, into every sandbox it targets (all learners'
 * or one's), each through that sandbox's own LabSession.inject — so in each it is an incident
 * of that learner's, graded on its own (sessionIncidents.ts), under the room's incident id.
 *
 *   inject(fault, who) ──LabSession.injectFault(fault, –, id) per target──▶ Incident { id, injectedMs }
 *   clear(id) ──LabSession.clearFault(its fault id) per sandbox it reached──▶ clearedMs
 *   a learner who starts late ──reach(session)──▶ every incident on `all` still in effect
 */
import type { FaultSpec } from '../../lab/schema.js';
import { ApiError, type ErrorLogger } from '../errors.js';
import type { LabSession } from '../labSession.js';
import type { Incident } from '../protocol.js';

interface Entry {
  view: Incident;
  fault: FaultSpec;
  /** Each sandbox it is in effect in, with the fault's id there. */
  reached: Map<LabSession, number>;
}

/** Incidents one room may inject: a drill's script, not a flood. */
export const maxRoomIncidents = 256;

export class RoomIncidents {
  readonly #entries: Entry[] = [];
  readonly #logger: ErrorLogger;
  /** Counted at once, not after the injection: two at the same time get two ids. */
  #nextId = 1;

  constructor(logger: ErrorLogger) {
    this.#logger = logger;
  }

  list(): Incident[] {
    return this.#entries.map((entry) => structuredClone(entry.view));
  }

  kindOf(id: string): string | undefined {
    return this.#entries.find((entry) => entry.view.id === id)?.fault.kind;
  }

  /**
   * Injects into each target sandbox at once. Refused as a whole (the first sandbox's reason)
   * when it reaches none: a kind or target the lab lacks fails the same way everywhere.
   */
  async inject(fault: FaultSpec, who: string, targets: readonly LabSession[], atMs: number, byTimeline: boolean): Promise<Incident> {
    if (targets.length === 0) throw new ApiError('ROOM_NOT_STARTED', who === 'all' ? 'no learner has a running sandbox' : `learner ${who} has no running sandbox`);
    if (this.#entries.length >= maxRoomIncidents) throw new ApiError('BAD_REQUEST', `a room holds ${maxRoomIncidents} incidents at most`);
    const id = `i${this.#nextId++}`;
    const entry: Entry = { view: { id, kind: fault.kind, ...(fault.target !== undefined ? { target: fault.target } : {}), who, injectedMs: atMs, byTimeline }, fault, reached: new Map() };
    const results = await Promise.allSettled(targets.map(async (session) => entry.reached.set(session, (await session.injectFault(fault, undefined, id)).id)));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (entry.reached.size === 0) throw failed[0]!.reason;
    for (const failure of failed) this.#logger.error(`incident ${id} (${fault.kind}) did not reach every sandbox`, failure.reason);
    this.#entries.push(entry);
    return structuredClone(entry.view);
  }

  /** Takes it out of every sandbox it reached; one already cleared (or reverted there) is left as is. */
  async clear(id: string, atMs: number): Promise<Incident> {
    const entry = this.#entries.find((each) => each.view.id === id);
    if (!entry) throw new ApiError('INCIDENT_NOT_FOUND', `"${id.slice(0, 100)}" (this room's: ${this.#entries.map((each) => each.view.id).join(', ') || 'none'})`);
    if (entry.view.clearedMs !== undefined) return structuredClone(entry.view);
    entry.view.clearedMs = atMs;
    const results = await Promise.allSettled(
      [...entry.reached].map(async ([session, faultId]) => {
        if (session.status === 'running' && session.faults.some((fault) => fault.id === faultId)) await session.clearFault(faultId);
      }),
    );
    for (const result of results) if (result.status === 'rejected') this.#logger.error(`incident ${id} did not clear from every sandbox`, result.reason);
    return structuredClone(entry.view);
  }

  /** A sandbox started after incidents on everyone went in: it gets those still in effect. */
  async reach(session: LabSession): Promise<void> {
    for (const entry of this.#entries) {
      if (entry.view.who !== 'all' || entry.view.clearedMs !== undefined) continue;
      try {
        entry.reached.set(session, (await session.injectFault(entry.fault, undefined, entry.view.id)).id);
      } catch (error) {
        this.#logger.error(`incident ${entry.view.id} did not reach sandbox ${session.id}, started late`, error);
      }
    }
  }
}
