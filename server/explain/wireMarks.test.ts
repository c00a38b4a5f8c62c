import { describe, expect, it } from 'vitest';
import type { TapMark } from '../runtime/index.js';
import { traceDecoded } from './buildTrace.js';
import { alert, connection, handshake } from './testing.js';

const mark = (over: Partial<TapMark>): TapMark => ({ kind: 'changed', fault: 'corrupt-handshake', offset: 149, length: 1, note: 'corrupt-handshake: the tap flipped byte 16', dir: 's2c', t: 20, ...over });

function traceWith(marks: TapMark[]) {
  const input = connection(1, [handshake('ClientHello', 'c2s', 10), alert('s2c', 20, 40, 'handshake_failure'), handshake('Certificate', 'c2s', 30)]);
  return traceDecoded({ sandbox: 's', connections: [{ ...input, connection: { ...input.connection, marks } }], processEvents: [] });
}

describe('what the tap changed, on the timeline', () => {
  it('says "changed in flight" on the record the tap changed, with the fault', () => {
    const event = traceWith([mark({ kind: 'injected', fault: 'inject-alert', contentType: 21 })]).find((e) => e.layer === 'alert')!;
    expect(event.note).toMatch(/^Made up in flight by the tap \(wire fault inject-alert\)\. /);
    expect(event.fields?.find((f) => f.name === 'in_flight')?.value).toBe('made up in flight by the tap (wire fault inject-alert)');
  });

  it('leaves records of the other direction, another time or another content type as they were', () => {
    const trace = traceWith([mark({ dir: 'c2s', t: 20, contentType: 21 }), mark({ t: 20, contentType: 23 }), mark({ t: 21, contentType: 21 })]);
    expect(trace.filter((e) => e.fields?.some((f) => f.name === 'in_flight'))).toEqual([]);
  });

  it('adds a wire-fault event per mark, at its time, dropped bytes and resets too', () => {
    const trace = traceWith([mark({ kind: 'dropped', fault: 'mtu-blackhole', length: 967, t: 25 }), mark({ kind: 'reset', fault: 'reset-after-finished', length: 0, dir: 'c2s', t: 31 })]);
    const events = trace.filter((e) => e.type === 'wire-fault');
    expect(events.map((e) => [e.dir, e.note.split(' — ')[0]])).toEqual([
      ['s2c', 'Note: 967 bytes dropped in flight by the tap, not by either end'],
      ['c2s', 'Note: reset in flight by the tap, not by either end'],
    ]);
    expect(trace.indexOf(events[0]!)).toBeGreaterThan(trace.findIndex((e) => e.layer === 'alert'));
  });

  it('a connection no fault hit has no wire-fault event', () => {
    expect(traceWith([]).some((e) => e.type === 'wire-fault')).toBe(false);
  });
});
