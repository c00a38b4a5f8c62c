/**
 * `mtls-lab run --trace`: the annotated trace as text, one line per event, grouped by
 * connection, each failed connection closed by its verdict.
 *
 *   TraceEvent[] + SandboxVerdicts ──formatTrace──▶ lines (coloured on a TTY, plain with NO_COLOR or a pipe)
 *
 * A busy lab (exhausted-pool drives 300 requests) would print thousands of lines, so only the
 * first few connections — and the first connection of each root cause — are printed in full;
 * the rest are counted.
 */
import type { SandboxVerdicts, TraceEvent, Verdict } from '../explain/index.js';

export interface TraceFormatOptions {
  colour: boolean;
  /** Connections printed in full, besides the first one of each root cause. */
  fullConnections: number;
  /** Events of one connection printed before the rest are counted (a long keep-alive connection). */
  maxEventsPerConnection: number;
}

export const defaultTraceFormat: TraceFormatOptions = {
  colour: false,
  fullConnections: 3,
  maxEventsPerConnection: 40,
};

/** Whether to colour text written to `stream`: a terminal, and NO_COLOR (no-color.org) unset. */
export function wantsColour(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

type Paint = (text: string) => string;

function painter(colour: boolean) {
  const paint = (code: string): Paint => (text) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { red: paint('31'), yellow: paint('33'), green: paint('32'), dim: paint('2'), bold: paint('1'), cyan: paint('36') };
}

const field = (event: TraceEvent | undefined, name: string): string | undefined => {
  const value = event?.fields?.find((f) => f.name === name)?.value;
  return value === undefined ? undefined : String(value);
};

const ms = (us: number): string => `${(us / 1000).toFixed(2)} ms`.padStart(11);

function arrow(event: TraceEvent): string {
  if (event.dir === 'c2s') return 'client → server';
  if (event.dir === 's2c') return 'server → client';
  if (event.layer === 'process') return `[${event.side ?? 'process'}]`;
  return '·';
}

export function formatTrace(trace: readonly TraceEvent[], result: SandboxVerdicts, options: Partial<TraceFormatOptions> = {}): string {
  const opts = { ...defaultTraceFormat, ...options };
  const p = painter(opts.colour);
  const bySeverity = (event: { severity: string }, text: string): string =>
    event.severity === 'error' ? p.red(text) : event.severity === 'warning' ? p.yellow(text) : text;

  const line = (event: TraceEvent): string =>
    `  ${p.dim(ms(event.t))}  ${p.dim(`#${event.conn}`.padEnd(5))} ${arrow(event).padEnd(16)} ${bySeverity(event, event.type.padEnd(30))} ${event.note}${event.finding ? ` — ${event.finding}` : ''}`;

  const byConn = new Map<number, TraceEvent[]>();
  for (const event of trace) byConn.set(event.conn, [...(byConn.get(event.conn) ?? []), event]);
  const connVerdicts = new Map<number, Verdict>();
  for (const v of result.verdicts) if (!v.edge) connVerdicts.set(v.conn, v);

  const conns = [...byConn.keys()].filter((conn) => conn !== 0);
  const shown = new Set(conns.slice(0, opts.fullConnections));
  const causes = new Set<string>();
  for (const conn of conns) {
    const cause = connVerdicts.get(conn)?.rootCause;
    if (cause && !causes.has(cause)) {
      causes.add(cause);
      shown.add(conn);
    }
  }

  const out: string[] = [p.bold('trace')];
  for (const conn of conns) {
    if (!shown.has(conn)) continue;
    const events = byConn.get(conn)!;
    const open = events.find((e) => e.type === 'tcp-open');
    const who = `${field(open, 'client') ?? 'client'} → ${field(open, 'service') ?? 'service'}`;
    out.push('', p.bold(`connection #${conn}  ${who}`));
    const head = events.slice(0, opts.maxEventsPerConnection);
    out.push(...head.map(line));
    if (events.length > head.length) {
      const rest = events.slice(head.length);
      const last = rest.at(-1)!;
      out.push(p.dim(`  … ${rest.length - 1} more events on #${conn} …`), line(last));
    }
    const verdict = connVerdicts.get(conn);
    if (verdict) out.push(...verdictLines(verdict, p));
  }

  const hidden = conns.filter((conn) => !shown.has(conn));
  if (hidden.length > 0) {
    const tally = new Map<string, number>();
    for (const conn of hidden) {
      const key = connVerdicts.get(conn)?.rootCause ?? 'no failure';
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    const parts = [...tally.entries()].map(([cause, count]) => `${count} ${cause}`).join(', ');
    out.push('', p.dim(`… ${hidden.length} more connection${hidden.length === 1 ? '' : 's'} not shown (${parts}); --json has them all`));
  }

  const loose = byConn.get(0) ?? [];
  if (loose.length > 0) {
    out.push('', p.bold('not tied to a recorded connection'));
    out.push(...collapse(loose).map(({ event, count, lastT }) =>
      count === 1 ? line(event) : `${line(event)} ${p.dim(`×${count}, until ${ms(lastT).trim()}`)}`));
  }

  const edges = result.verdicts.filter((v) => v.edge);
  for (const verdict of edges) out.push('', p.bold(`edge ${verdict.edge!.client} → ${verdict.edge!.service}`), ...verdictLines(verdict, p));

  const healthy = result.verdicts.every((v) => v.severity === 'info');
  out.push('', `${p.bold('diagnosis')}  ${healthy ? p.green(result.diagnosis) : result.diagnosis}`);
  return out.join('\n');
}

function verdictLines(verdict: Verdict, p: ReturnType<typeof painter>): string[] {
  const mark = verdict.severity === 'error' ? p.red('✗ verdict') : verdict.severity === 'warning' ? p.yellow('! finding') : p.green('✓ verdict');
  const evidence = `#${verdict.evidence.seq} ${verdict.evidence.message}${verdict.evidence.field ? ` ${verdict.evidence.field} = ${verdict.evidence.value ?? ''}` : ''}`;
  const lines = [
    `  ${mark}  ${p.bold(verdict.rootCause)} — detected by the ${verdict.detectedBy} — evidence ${evidence}`,
    `             ${verdict.summary}`,
  ];
  const wording = Object.entries(verdict.wording)
    .filter(([stack]) => stack === 'openssl' || stack === 'node' || stack === 'go')
    .map(([stack, w]) => `${stack}: ${w.detector ?? w.peer ?? ''}`);
  if (wording.length > 0) lines.push(p.dim(`             how stacks say it — ${wording.join(' · ')}`));
  return lines;
}

/** Reports not tied to a connection, one line per kind: a starved pool reports the same timeout hundreds of times. */
function collapse(events: readonly TraceEvent[]): Array<{ event: TraceEvent; count: number; lastT: number }> {
  const groups = new Map<string, { event: TraceEvent; count: number; lastT: number }>();
  for (const event of events) {
    const key = `${event.type}|${field(event, 'process') ?? ''}|${field(event, 'code') ?? ''}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.lastT = event.t;
    } else groups.set(key, { event, count: 1, lastT: event.t });
  }
  return [...groups.values()];
}
