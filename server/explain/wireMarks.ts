/**
 * What the tap's wire faults did to a connection, on its timeline: each mark as an event of
 * its own, and "changed in flight" on the records that carry bytes the tap changed or made up.
 *
 *   TapConnection.marks (runtime/wireFaults: changed | injected | dropped | reset | closed)
 *      ──markInFlight──▶ a `wire-fault` event per mark + a note and field on the record events
 *
 * A record is matched to a mark by direction and time: the tap records a chunk and its marks
 * with one timestamp, and the decoder stamps a record with the time of the chunk that
 * completed it (wire/deframer.ts).
 */
import type { TapMark } from '../runtime/index.js';
import { infoField, type TraceEvent } from './traceEvent.js';

type Event = Omit<TraceEvent, 'sandbox' | 'seq' | 't'> & { at: number };

const what: Record<TapMark['kind'], string> = {
  changed: 'changed in flight',
  injected: 'made up in flight',
  dropped: 'dropped in flight',
  reset: 'reset in flight',
  closed: 'closed in flight',
};

/** Adds to `events` (one connection's) an event per mark and marks the records the tap changed. */
export function markInFlight(events: Event[], marks: readonly TapMark[] | undefined, conn: number): void {
  if (!marks?.length) return;
  for (const event of events) {
    if (event.layer === 'tcp' || event.layer === 'process' || event.dir === 'none') continue;
    const touching = marks.filter((m) => (m.kind === 'changed' || m.kind === 'injected') && m.dir === event.dir && m.t === event.at);
    if (touching.length === 0) continue;
    const label = [...new Set(touching.map((m) => `${what[m.kind]} by the tap (wire fault ${m.fault})`))].join('; ');
    event.fields = [...(event.fields ?? []), infoField('in_flight', 'What the tap\'s wire fault did to these bytes: the peer got them so, its sender never sent them.', label)];
    event.note = `${label[0]!.toUpperCase()}${label.slice(1)}. ${event.note}`;
    if (event.severity === 'info') event.severity = 'warning';
  }
  for (const mark of marks) {
    const bytes = mark.kind === 'reset' || mark.kind === 'closed' ? '' : ` ${mark.length} byte${mark.length === 1 ? '' : 's'}`;
    events.push({
      at: mark.t,
      conn,
      dir: mark.dir,
      layer: 'tcp',
      type: 'wire-fault',
      fields: [
        infoField('fault', 'The wire fault set on this edge and direction.', mark.fault),
        infoField('did', 'What it did: changed, injected, dropped bytes, or reset or closed the connection.', mark.kind),
        infoField('offset', 'Where in this direction\'s bytes (as the peer got them).', mark.offset),
        infoField('length', 'Bytes it touched.', mark.length),
      ],
      note: `Note:${bytes} ${what[mark.kind]} by the tap, not by either end — ${mark.note}.`,
      severity: 'warning',
      side: mark.dir === 'c2s' ? 'client' : 'server',
    });
  }
}
