/**
 * The trace timeline's model: each connection a lane named by who called whom, with an
 * outcome said in words; times relative to the lane's first event; and the keyboard's moves
 * through the events on show.
 *
 *   ConnectionTrace[] + PageDescription ──lanesOf──▶ Lane[] (outcome, names, repeats) ──▶ TraceTimeline
 *   visible EventRef[] + key ──moveSelection──▶ EventRef
 */
import type { PageDescription, TraceEvent } from '../../../server/app/protocol.ts';
import { fieldValue } from '../../../server/explain/traceEvent.ts';
import type { ConnectionTrace, EventRef } from './labRun.svelte.ts';

export interface LaneOutcome {
  tone: 'ok' | 'fail' | 'warn' | 'none';
  icon: string;
  word: string;
  /** The event that decided it, when one did: `alert certificate_expired (45)`. */
  detail?: string;
}

export interface Lane {
  conn: number;
  events: TraceEvent[];
  /** The lab's names, when the trace or the topology tells. */
  client?: string;
  service?: string;
  clientPort?: string;
  /** `auth.corp.test:39812`: the name and tap port the caller dialled. */
  dialled?: string;
  outcome: LaneOutcome;
  /** Still open: no tcp-close yet (keep-alive sockets stay open after a run). */
  open: boolean;
  durationUs: number;
  /** An earlier connection this one repeats message for message, both having succeeded; null otherwise. */
  sameAs: number | null;
}

/** The first event of `severity`, one on the wire (an alert) before what a process said about it. */
function firstOf(events: readonly TraceEvent[], severity: TraceEvent['severity']): TraceEvent | undefined {
  return events.find((e) => e.severity === severity && e.layer !== 'process') ?? events.find((e) => e.severity === severity);
}

function outcomeOf(events: readonly TraceEvent[], conn: number): LaneOutcome {
  const failure = firstOf(events, 'error');
  if (failure) return { tone: 'fail', icon: '✗', word: 'failed', detail: failure.type };
  const warning = firstOf(events, 'warning');
  if (warning) return { tone: 'warn', icon: '⚠', word: 'warning', detail: warning.type };
  if (conn === 0) return { tone: 'none', icon: '·', word: 'reports' };
  return { tone: 'ok', icon: '✓', word: 'ok' };
}

/** The caller and callee as the trace's tcp-open names them, and where the caller dialled (the service's tap). */
function namesOf(events: readonly TraceEvent[], description: PageDescription | null | undefined): Pick<Lane, 'client' | 'service' | 'clientPort' | 'dialled'> {
  const open = events.find((e) => e.type === 'tcp-open');
  const client = fieldValue(open?.fields, 'client');
  const service = fieldValue(open?.fields, 'service');
  const clientPort = fieldValue(open?.fields, 'clientPort');
  const target = service === undefined ? undefined : description?.services[service];
  return {
    ...(client ? { client } : {}),
    ...(service ? { service } : {}),
    ...(clientPort ? { clientPort } : {}),
    ...(target ? { dialled: `${target.host}:${target.port}` } : {}),
  };
}

const signatureOf = (lane: Omit<Lane, 'sameAs'>): string =>
  `${lane.client}>${lane.service}|${lane.open}|` + lane.events.map((e) => `${e.dir}:${e.type}:${e.severity}`).join(',');

export function lanesOf(connections: readonly ConnectionTrace[], description?: PageDescription | null): Lane[] {
  const firstBySignature = new Map<string, number>();
  return connections.map(({ conn, events }) => {
    const outcome = outcomeOf(events, conn);
    const lane: Omit<Lane, 'sameAs'> = {
      conn,
      events,
      ...namesOf(events, description),
      outcome,
      open: conn !== 0 && !events.some((e) => e.type === 'tcp-close'),
      durationUs: (events.at(-1)?.t ?? 0) - (events[0]?.t ?? 0),
    };
    let sameAs: number | null = null;
    if (outcome.tone === 'ok') {
      const signature = signatureOf(lane);
      sameAs = firstBySignature.get(signature) ?? null;
      if (sameAs === null) firstBySignature.set(signature, conn);
    }
    return { ...lane, sameAs };
  });
}

/** µs → `0.21`, `12.3`, `845` (milliseconds, as precise as a reader needs at that size). */
export function formatMs(us: number): string {
  const ms = us / 1000;
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return String(Math.round(ms));
}

/** `payments → auth`, `auth → payments`, or who reported it. */
export function directionWords(event: TraceEvent, lane: Pick<Lane, 'client' | 'service'>): string {
  const client = lane.client ?? 'client';
  const service = lane.service ?? 'server';
  if (event.dir === 'c2s') return `${client} to ${service}`;
  if (event.dir === 's2c') return `${service} to ${client}`;
  if (event.side === 'client') return `reported by ${client}`;
  if (event.side === 'server') return `reported by ${service}`;
  return 'on the connection';
}

export type NavigationKey = 'ArrowDown' | 'ArrowUp' | 'Home' | 'End' | 'PageDown' | 'PageUp';

export const navigationKeys: ReadonlySet<string> = new Set<NavigationKey>(['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp']);

/**
 * Where a key moves the selection among the events on show (in timeline order): one event
 * up or down, the first or last, or the first event of the next or previous lane. From no
 * event (or one no longer shown), any key starts at the first.
 */
export function moveSelection(refs: readonly EventRef[], current: EventRef | null, key: NavigationKey): EventRef | null {
  if (refs.length === 0) return null;
  const at = current ? refs.findIndex((r) => r.conn === current.conn && r.seq === current.seq) : -1;
  if (at === -1 || key === 'Home') return refs[0]!;
  if (key === 'End') return refs.at(-1)!;
  if (key === 'ArrowDown') return refs[Math.min(at + 1, refs.length - 1)]!;
  if (key === 'ArrowUp') return refs[Math.max(at - 1, 0)]!;
  const conn = refs[at]!.conn;
  if (key === 'PageDown') return refs.find((r, i) => i > at && r.conn !== conn) ?? refs[at]!;
  // PageUp: the first event of this lane, or, from there, of the lane before.
  const laneStart = refs.findIndex((r) => r.conn === conn);
  if (laneStart < at) return refs[laneStart]!;
  const previous = refs[laneStart - 1];
  return previous ? refs.find((r) => r.conn === previous.conn)! : refs[at]!;
}
