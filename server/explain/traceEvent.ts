/**
 * The TraceEvent: one line of a sandbox's timeline, shared by the CLI and the browser.
 *
 *   tap connections + keylog ──wire decoder──▶ DecodedMessage[] ─┐
 *   process events (server logs, client errors) ──────────────────┼─buildTrace─▶ TraceEvent[]
 *                                                                  └─annotate: a note per event
 *
 * Plain data only (numbers, strings, arrays, objects): it goes over the WebSocket and into
 * `mtls-lab run --trace --json` unchanged, so nothing here may hold a Buffer, a Date or a Map.
 */
import type { Field } from '../wire/field.js';

export type { Field };

export type TraceLayer = 'tcp' | 'record' | 'handshake' | 'alert' | 'ccs' | 'application' | 'plaintext' | 'process';

export type TraceSeverity = 'info' | 'warning' | 'error';

export type TraceDirection = 'c2s' | 's2c' | 'none';

export interface TraceEvent {
  /** The sandbox id (`expired-client-cert-x1y2z3`). */
  sandbox: string;
  /** The tap's connection id; 0 for what a process reported without a connection (a queued request that timed out). */
  conn: number;
  /** Position in the sandbox's timeline, from 0; verdicts cite it as evidence. */
  seq: number;
  /** µs since the sandbox's first event in the trace. */
  t: number;
  /** Who sent the bytes: client→server, server→client, or neither (TCP close, a process's own report). */
  dir: TraceDirection;
  layer: TraceLayer;
  /** `ClientHello`, `alert certificate_expired (45)`, `application_data`, `tcp-open`, `client-error` … */
  type: string;
  /** The decoder's annotated field tree (byte ranges, labels, RFC sections); for tcp/process events, what they reported. */
  fields?: Field[];
  /** Plain words for a learner: what the message is and carries. */
  note: string;
  /**
   * What the explainer concludes from it, beyond the facts (a certificate expired before the
   * connection, a caller served without authentication). The lab page gets it only after the
   * learner's diagnosis (app/conclusions.ts).
   */
  finding?: string;
  severity: TraceSeverity;
  side?: 'client' | 'server';
  /** The message's bytes in hex; only when asked for (TraceOptions.bytes). */
  bytes?: string;
}

/** A field that is not a byte range of a message: what a TCP event or a process report carried. */
export function infoField(name: string, label: string, value: string | number): Field {
  return { name, label, value, start: 0, end: 0 };
}

/** The value of the first field called `name`, searching the whole tree depth-first. */
export function findField(fields: readonly Field[] | undefined, name: string): Field | undefined {
  for (const f of fields ?? []) {
    if (f.name === name) return f;
    const inner = findField(f.children, name);
    if (inner) return inner;
  }
  return undefined;
}

/** Every field called `name` in the tree, in order. */
export function findFields(fields: readonly Field[] | undefined, name: string, out: Field[] = []): Field[] {
  for (const f of fields ?? []) {
    if (f.name === name) out.push(f);
    findFields(f.children, name, out);
  }
  return out;
}

export function fieldValue(fields: readonly Field[] | undefined, name: string): string | undefined {
  const value = findField(fields, name)?.value;
  return value === undefined ? undefined : String(value);
}
