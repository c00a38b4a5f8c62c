/**
 * What the tap's wire faults did to a connection, on its timeline: each mark as an event of
 * its own, and "changed in flight" on the records that carry bytes the tap changed or made up.
 *
 *   TapConnection.marks (runtime/wireFaults: changed | injected | dropped | reset | closed)
 *      ──markInFlight──▶ a `wire-fault` event per mark + a note and field on the record events
 *
 * A record is matched to a mark by direction, time and content type: the tap records a chunk
 * and its marks with one timestamp, the decoder stamps a record with the time of the chunk
 * that completed it (wire/deframer.ts), and of the records one chunk completed, the mark's
 * content type picks the ones it touched (a ServerHello beside the changed encrypted record
 * is left as it was).
 */
import type { TapMark } from '../runtime/index.js';
import { infoField, type TraceEvent } from './traceEvent.js';

type Event = Omit<TraceEvent, 'sandbox' | 'seq' | 't'> & { at: number };

/** The layers a record of each content type decodes to (RFC 8446 §5.1); no content type: bytes that are no record. */
function layersOf(contentType: number | undefined): ReadonlySet<string> {
  switch (contentType) {
    case undefined:
      return new Set(['plaintext']);
    case 20:
      return new Set(['ccs']);
    case 21:
      return new Set(['alert']);
    case 22:
      return new Set(['handshake']);
    default:
      // application_data: opened, or left as ciphertext (a changed byte fails the AEAD tag).
      return new Set(['record', 'application']);
  }
}

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
    const touching = marks.filter((m) => (m.kind === 'changed' || m.kind === 'injected') && m.dir === event.dir && m.t === event.at && layersOf(m.contentType).has(event.layer));
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
