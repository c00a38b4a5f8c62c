import { describe, expect, it } from 'vitest';
import type { SandboxDescription, TraceEvent } from '../../../server/app/protocol.ts';
import type { ConnectionTrace, EventRef } from './labRun.svelte.ts';
import { directionWords, formatMs, lanesOf, moveSelection } from './timeline.ts';

const event = (conn: number, seq: number, type: string, more: Partial<TraceEvent> = {}): TraceEvent => ({
  sandbox: 's',
  conn,
  seq,
  t: seq * 1000,
  dir: 'c2s',
  layer: 'handshake',
  type,
  note: '',
  severity: 'info',
  ...more,
});

const open = (conn: number): TraceEvent =>
  event(conn, 0, 'tcp-open', {
    layer: 'tcp',
    fields: [
      { name: 'service', label: '', value: 'auth', start: 0, end: 0 },
      { name: 'client', label: '', value: 'payments', start: 0, end: 0 },
      { name: 'clientPort', label: '', value: 53122, start: 0, end: 0 },
    ],
  });

const healthy = (conn: number): ConnectionTrace => ({
  conn,
  events: [open(conn), event(conn, 1, 'ClientHello'), event(conn, 2, 'ServerHello', { dir: 's2c' }), event(conn, 3, 'tcp-close', { dir: 'none', layer: 'tcp' })],
});

const failing = (conn: number): ConnectionTrace => ({
  conn,
  events: [open(conn), event(conn, 1, 'ClientHello'), event(conn, 2, 'alert certificate_expired (45)', { dir: 's2c', layer: 'alert', severity: 'error' }), event(conn, 3, 'tcp-close', { dir: 'none', layer: 'tcp' })],
});

const description = { services: { auth: { host: 'auth.corp.test', port: 39812 } }, clients: {} } as unknown as SandboxDescription;

describe('lanesOf', () => {
  it("names each lane's caller and callee from its tcp-open, and where it dialled", () => {
    const [lane] = lanesOf([healthy(3)], description);
    expect(lane).toMatchObject({ conn: 3, client: 'payments', service: 'auth', clientPort: '53122', dialled: 'auth.corp.test:39812', open: false, durationUs: 3000 });
  });

  it('says a failed connection failed, and at which event, in words', () => {
    expect(lanesOf([failing(1)])[0]!.outcome).toEqual({ tone: 'fail', icon: '✗', word: 'failed', detail: 'alert certificate_expired (45)' });
  });

  it("names the failure on the wire before a process's report of it", () => {
    const log = event(1, 0, 'log', { dir: 'none', layer: 'process', severity: 'error', side: 'server' });
    const { events } = failing(1);
    expect(lanesOf([{ conn: 1, events: [log, ...events] }])[0]!.outcome.detail).toBe('alert certificate_expired (45)');
  });

  it('marks a succeeded connection that repeats an earlier one message for message', () => {
    const lanes = lanesOf([healthy(1), failing(2), healthy(3), failing(4)]);
    expect(lanes.map((l) => l.sameAs)).toEqual([null, null, 1, null]);
  });

  it('never folds away a failure, and keeps a connection that is still open apart', () => {
    const stillOpen = { conn: 5, events: healthy(5).events.slice(0, 3) };
    expect(lanesOf([failing(1), failing(2), healthy(3), stillOpen]).map((l) => l.sameAs)).toEqual([null, null, null, null]);
    expect(lanesOf([stillOpen])[0]!.open).toBe(true);
  });
});

describe('formatMs', () => {
  it('shows milliseconds as precisely as their size needs', () => {
    expect(formatMs(210)).toBe('0.21');
    expect(formatMs(12_340)).toBe('12.3');
    expect(formatMs(845_400)).toBe('845');
  });
});

describe('directionWords', () => {
  it('says who sent the bytes, or who reported the event', () => {
    const lane = { client: 'payments', service: 'auth' };
    expect(directionWords(event(1, 1, 'ClientHello'), lane)).toBe('payments to auth');
    expect(directionWords(event(1, 2, 'ServerHello', { dir: 's2c' }), lane)).toBe('auth to payments');
    expect(directionWords(event(1, 3, 'client-error', { dir: 'none', side: 'client' }), lane)).toBe('reported by payments');
  });
});

describe('moveSelection', () => {
  const refs: EventRef[] = [
    { conn: 1, seq: 0 },
    { conn: 1, seq: 1 },
    { conn: 2, seq: 0 },
    { conn: 2, seq: 1 },
    { conn: 3, seq: 0 },
  ];

  it('starts at the first event when nothing is selected', () => {
    expect(moveSelection(refs, null, 'ArrowDown')).toEqual({ conn: 1, seq: 0 });
  });

  it('moves one event down and up, across lanes, and stops at the ends', () => {
    expect(moveSelection(refs, { conn: 1, seq: 1 }, 'ArrowDown')).toEqual({ conn: 2, seq: 0 });
    expect(moveSelection(refs, { conn: 2, seq: 0 }, 'ArrowUp')).toEqual({ conn: 1, seq: 1 });
    expect(moveSelection(refs, { conn: 3, seq: 0 }, 'ArrowDown')).toEqual({ conn: 3, seq: 0 });
    expect(moveSelection(refs, { conn: 1, seq: 0 }, 'ArrowUp')).toEqual({ conn: 1, seq: 0 });
  });

  it('jumps lane by lane with PageDown and PageUp', () => {
    expect(moveSelection(refs, { conn: 1, seq: 1 }, 'PageDown')).toEqual({ conn: 2, seq: 0 });
    expect(moveSelection(refs, { conn: 2, seq: 1 }, 'PageUp')).toEqual({ conn: 2, seq: 0 });
    expect(moveSelection(refs, { conn: 2, seq: 0 }, 'PageUp')).toEqual({ conn: 1, seq: 0 });
  });

  it('goes to the first and last event with Home and End', () => {
    expect(moveSelection(refs, { conn: 2, seq: 1 }, 'Home')).toEqual({ conn: 1, seq: 0 });
    expect(moveSelection(refs, { conn: 2, seq: 1 }, 'End')).toEqual({ conn: 3, seq: 0 });
  });
});
