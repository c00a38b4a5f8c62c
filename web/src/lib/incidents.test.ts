import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../server/app/protocol.ts';
import { incidentsOf } from './incidents.ts';

const change = (seq: number, type: string, note: string): TraceEvent => ({
  sandbox: 's',
  conn: 0,
  seq,
  t: seq * 1_000_000,
  dir: 'none',
  layer: 'process',
  type,
  note,
  severity: 'info',
  fields: [{ name: 'change', label: '', value: 'certificate auth-server issued again; service auth restarted', start: 0, end: 0 }],
});

describe('incidentsOf', () => {
  it('keeps the injections and clears of the changes lane, in its order, with their times', () => {
    const lane = [change(0, 'fault-injected', 'fault injected: expired-cert on auth-server (#1)'), change(1, 'fix-applied', 'fix applied'), change(2, 'fault-cleared', 'fault cleared: expired-cert on auth-server (#1)')];
    const handshake = { ...change(0, 'ClientHello', ''), conn: 3, layer: 'handshake' as const };
    expect(incidentsOf([{ conn: 3, events: [handshake] }, { conn: 0, events: lane }])).toEqual([
      { conn: 0, seq: 0, t: 0, injected: true, text: 'fault injected: expired-cert on auth-server (#1)' },
      { conn: 0, seq: 2, t: 2_000_000, injected: false, text: 'fault cleared: expired-cert on auth-server (#1)' },
    ]);
  });

  it('words a change whose note the lab holds back by what changed', () => {
    expect(incidentsOf([{ conn: 0, events: [change(0, 'fault-injected', '')] }])[0]!.text).toBe('fault injected: certificate auth-server issued again; service auth restarted');
  });

  it('finds none without a changes lane, or in one with only reports', () => {
    expect(incidentsOf([])).toEqual([]);
    expect(incidentsOf([{ conn: 0, events: [change(0, 'start-error', 'auth exited')] }])).toEqual([]);
  });
});
