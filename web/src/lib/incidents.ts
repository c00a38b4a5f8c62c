/**
 * The incident timeline: the trace's changes that broke or mended the running sandbox
 * (traceStore.change: conn 0, in time order), each worded. A lab whose analysis is hidden
 * sends them without their note (conclusions.ts factsOnly); what changed is a fact it keeps.
 *
 *   connections ──conn 0, fault-injected | fault-cleared | faults-replaced──▶ Incident[]
 */
import type { TraceEvent } from '../../../server/app/protocol.ts';
import { fieldValue } from '../../../server/explain/traceEvent.ts';
import type { ConnectionTrace } from './labRun.svelte.ts';

export interface Incident {
  conn: number;
  seq: number;
  /** µs from the sandbox's start, as the trace counts. */
  t: number;
  injected: boolean;
  text: string;
}

const labels = new Map([
  ['fault-injected', 'fault injected'],
  ['fault-cleared', 'fault cleared'],
  ['faults-replaced', 'faults replaced'],
]);

export function incidentsOf(connections: readonly ConnectionTrace[]): Incident[] {
  const changes: TraceEvent[] = connections.find((c) => c.conn === 0)?.events ?? [];
  return changes
    .filter((event) => labels.has(event.type))
    .map((event) => ({
      conn: event.conn,
      seq: event.seq,
      t: event.t,
      injected: event.type === 'fault-injected',
      text: event.note || `${labels.get(event.type)}: ${fieldValue(event.fields, 'change') ?? 'nothing that runs'}`,
    }));
}
