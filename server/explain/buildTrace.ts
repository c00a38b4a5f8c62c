/**
 * A sandbox's timeline: every recorded connection decoded and annotated, and what each
 * process reported placed on the connection it belongs to, in one list ordered by time.
 *
 *   Tap connections (chunks, µs) + keylog ──decodeConnection──▶ DecodedMessage[] ─┐
 *   ProcessEvents (server log lines, client errors; same µs clock) ──────────────┼─▶ TraceEvent[]
 *                                                      annotate: a note per event ┘
 *
 * The tap and the process events share process.hrtime's clock, so sorting by time is
 * meaningful across both; a process event arrives a little after the bytes it explains
 * (it crossed an IPC channel), never before.
 */
import type { ProcessEvent, SandboxDescription, TapConnection } from '../runtime/index.js';
import { decodeConnection, type DecodedConnection, type DecodedMessage } from '../wire/connectionDecoder.js';
import { KeyLog } from '../wire/keylog.js';
import { annotate, annotateBurst, annotateProcess, annotateTcpClose, annotateTcpOpen, processErrorLine, type AnnotationContext, type ApplicationBurst } from './annotate.js';
import { infoField, type TraceDirection, type TraceEvent } from './traceEvent.js';
import { markInFlight } from './wireMarks.js';

export interface TraceOptions {
  /** Include the decoder's per-record entries (`handshake record, 512 bytes`); off by default: the messages inside say more. */
  records: boolean;
  /** Attach each message's bytes as hex. */
  bytes: boolean;
  /** Process output to include: error lines only (default), everything (start-up and exit too), or none. */
  logs: 'errors' | 'all' | 'none';
}

export const defaultTraceOptions: Readonly<TraceOptions> = { records: false, bytes: false, logs: 'errors' };

/** A recorded connection without its bytes: what the timeline needs besides the decoded messages. */
export type ConnectionInfo = Pick<TapConnection, 'id' | 'service' | 'clientPort' | 'openedAt' | 'openedAtMs' | 'droppedBytes'> &
  Partial<Pick<TapConnection, 'closedAt' | 'closeReason' | 'marks'>>;

export interface DecodedInput {
  connection: ConnectionInfo;
  decoded: DecodedConnection;
}

/** Who calls what, and which ports speak plain HTTP by design: names for notes, from the sandbox's description. */
export type Topology = Pick<SandboxDescription, 'services' | 'clients'>;

export interface TraceInput {
  sandbox: string;
  connections: readonly TapConnection[];
  /** NSS key-log lines from both ends (Sandbox.keylog), or a KeyLog already filled. */
  keylog: readonly string[] | KeyLog;
  processEvents: readonly ProcessEvent[];
  topology?: Topology;
  /** What recorded the bytes: a sandbox's tap (the default) or a capture someone brings (`decode`), whose notes name no tap. */
  recordedBy?: RecordedBy;
}

export type RecordedBy = 'tap' | 'capture';

export interface DecodedTraceInput {
  sandbox: string;
  connections: readonly DecodedInput[];
  processEvents: readonly ProcessEvent[];
  topology?: Topology;
  recordedBy?: RecordedBy;
}

/** Decodes every connection, then builds the timeline (traceDecoded). */
export function buildTrace(input: TraceInput, options: Partial<TraceOptions> = {}): TraceEvent[] {
  const keylog = input.keylog instanceof KeyLog ? input.keylog : keyLogOf(input.keylog);
  return traceDecoded(
    {
      sandbox: input.sandbox,
      connections: input.connections.map((connection) => ({ connection, decoded: decodeConnection({ chunks: connection.chunks, keylog }) })),
      processEvents: input.processEvents,
      ...(input.topology ? { topology: input.topology } : {}),
      ...(input.recordedBy ? { recordedBy: input.recordedBy } : {}),
    },
    options,
  );
}

function keyLogOf(lines: readonly string[]): KeyLog {
  const keylog = new KeyLog();
  for (const line of lines) keylog.addLine(line);
  return keylog;
}

/** An event before it has its place in the timeline. */
type Pending = Omit<TraceEvent, 'sandbox' | 'seq' | 't'> & { at: number };

/** The timeline from connections already decoded: the pure core, for tests with hand-built messages. */
export function traceDecoded(input: DecodedTraceInput, options: Partial<TraceOptions> = {}): TraceEvent[] {
  const opts: TraceOptions = { ...defaultTraceOptions, ...options };
  const attached = attachProcessEvents(input.processEvents, opts);
  const pending: Pending[] = [];
  for (const { connection, decoded } of input.connections) {
    const own = attached.get(connection.id) ?? [];
    pending.push(...connectionEvents(connection, decoded, own, input.topology, opts, input.recordedBy ?? 'tap'));
    attached.delete(connection.id);
  }
  // Reports naming a connection the tap no longer holds, and those naming none, stand alone.
  for (const [conn, events] of attached) {
    for (const event of events) pending.push(processEvent(event, conn === 0 ? 0 : conn));
  }
  // Stable: messages decoded from one TCP segment share a time and keep their wire order.
  pending.sort((a, b) => a.at - b.at);
  const origin = pending[0]?.at ?? 0;
  return pending.map(({ at, ...event }, seq) => ({ sandbox: input.sandbox, seq, t: at - origin, ...event }));
}

const lifecycle = new Set<ProcessEvent['kind']>(['spawned', 'listening', 'ready', 'exit']);
/** openssl s_server prints the certificate's dates right after a verify error 9 or 10. */
const validityLine = /^not(After|Before)=/;

/**
 * Process events by connection id (0: none). A log line carries no port (openssl's output),
 * so it goes with the next report of the same process that names a connection — s_server
 * prints its verify output just before the error the runtime ties to the connection.
 */
function attachProcessEvents(events: readonly ProcessEvent[], opts: TraceOptions): Map<number, ProcessEvent[]> {
  const out = new Map<number, ProcessEvent[]>();
  const add = (conn: number, event: ProcessEvent): void => {
    const list = out.get(conn);
    if (list) list.push(event);
    else out.set(conn, [event]);
  };
  const waiting = new Map<string, ProcessEvent[]>();
  const lastConnection = new Map<string, number>();
  const reported = new Set<string>();
  for (const event of events) {
    if (event.kind === 'tls-error' || event.kind === 'client-error') reported.add(`${event.role}:${event.name}:${event.message ?? ''}`);
  }
  for (const event of events) {
    const who = `${event.role}:${event.name}`;
    if (event.kind === 'log') {
      if (opts.logs === 'none') continue;
      const line = event.message ?? '';
      // The runtime turns openssl's error lines into tls-error reports too: keep one of each.
      if (reported.has(`${who}:${line}`)) continue;
      if (opts.logs === 'errors' && !processErrorLine.test(line) && !validityLine.test(line)) continue;
      if (event.connection !== undefined) add(event.connection, event);
      else waiting.set(who, [...(waiting.get(who) ?? []), event]);
      continue;
    }
    if (lifecycle.has(event.kind) && opts.logs !== 'all') continue;
    const conn = event.connection ?? 0;
    if (event.connection !== undefined) {
      for (const line of waiting.get(who) ?? []) add(conn, line);
      waiting.delete(who);
      lastConnection.set(who, conn);
    }
    add(conn, event);
  }
  for (const [who, lines] of waiting) for (const line of lines) add(lastConnection.get(who) ?? 0, line);
  return out;
}

function processEvent(event: ProcessEvent, conn: number): Pending {
  const { note, severity } = annotateProcess(event);
  const fields = [infoField('process', 'Which process of the lab reported it.', `${event.role} ${event.name}${event.pid !== undefined ? ` (pid ${event.pid})` : ''}`)];
  if (event.code !== undefined) fields.push(infoField('code', 'The error code (or HTTP status) it reported.', event.code));
  if (event.message !== undefined) fields.push(infoField('message', 'What it said, verbatim.', event.message));
  if (event.certificate) {
    // Named as the Certificate message's fields are, to set side by side with what the service serves.
    const { subject, serialNumber, notAfter, sha256 } = event.certificate;
    fields.push(infoField('subject', 'The certificate now in its files: whom it names.', subject), infoField('serialNumber', 'Its serial: compare it with the one the service sends.', serialNumber));
    fields.push(infoField('notAfter', 'Not valid after this time.', notAfter), infoField('sha256', 'SHA-256 fingerprint of its DER.', sha256));
  }
  return { at: event.t, conn, dir: 'none', layer: 'process', type: event.kind, fields, note, severity, side: event.role === 'service' ? 'server' : 'client' };
}

/** The lab's name for the caller of this connection, when the topology or the reports tell. */
function clientOf(connection: ConnectionInfo, decoded: DecodedConnection, reports: readonly ProcessEvent[], topology: Topology | undefined): string | undefined {
  const reporter = reports.find((event) => event.role === 'client');
  if (reporter) return reporter.name;
  if (!topology) return undefined;
  const plaintext = decoded.messages.some((m) => m.layer === 'plaintext' && m.dir === 'c2s');
  const callers = Object.entries(topology.clients).filter(([, client]) => client.calls === connection.service);
  const matching = callers.filter(([, client]) => (client.protocol === 'plaintext') === plaintext);
  if (matching.length === 1) return matching[0]![0];
  // Callers that differ in whether they hold a certificate: the client's Certificate message tells them apart.
  const certificate = decoded.messages.find((m) => m.type === 'Certificate' && m.dir === 'c2s');
  if (matching.length > 1 && certificate) {
    const presented = certificate.fields.find((f) => f.name === 'certificate_list')?.value !== '0 certificates';
    const holding = matching.filter(([, client]) => (client.cert !== undefined) === presented);
    if (holding.length === 1) return holding[0]![0];
  }
  return callers.length === 1 ? callers[0]![0] : undefined;
}

function connectionEvents(
  connection: ConnectionInfo,
  decoded: DecodedConnection,
  reports: readonly ProcessEvent[],
  topology: Topology | undefined,
  opts: TraceOptions,
  recordedBy: RecordedBy,
): Pending[] {
  const conn = connection.id;
  const client = clientOf(connection, decoded, reports, topology);
  const service = topology?.services[connection.service];
  const ctx: AnnotationContext = {
    service: connection.service,
    ...(client ? { client } : {}),
    certificateRequested: false,
    clientFinished: false,
    serverFinished: false,
    plainService: service?.url.startsWith('http:') ?? false,
  };
  const wallMs = (t: number): number => connection.openedAtMs + (t - connection.openedAt) / 1000;
  const out: Pending[] = [];
  const tcp = { service: connection.service, ...(client ? { client } : {}), answered: false, recordedBy };

  const open = annotateTcpOpen(connection, tcp);
  out.push({
    at: connection.openedAt,
    conn,
    dir: 'c2s',
    layer: 'tcp',
    type: 'tcp-open',
    fields: [
      infoField('service', recordedBy === 'tap' ? 'The service this connection reached (through the tap).' : 'The server this connection reached.', connection.service),
      ...(client ? [infoField('client', 'The lab client that dialled, when known.', client)] : []),
      infoField('clientPort', 'The port the caller dialled from.', connection.clientPort),
      // Wall-clock time of the connection: what certificate validity is judged against (RFC 5280 §4.1.2.5).
      infoField('openedAt', 'When the connection opened, wall clock (UTC).', new Date(connection.openedAtMs).toISOString()),
    ],
    side: 'client',
    ...open,
  });

  let burst: { event: Pending; data: ApplicationBurst } | undefined;
  for (const message of decoded.messages) {
    if (message.type === 'ServerHello' && decoded.version) ctx.version = decoded.version;
    const dir = message.dir;
    const side = dir === 'c2s' ? 'client' : 'server';
    if (dir === 's2c' && (message.layer === 'application' || message.layer === 'plaintext')) tcp.answered = true;

    const burstable = message.layer === 'application' || message.type === 'encrypted_record';
    if (message.layer === 'record' && !burstable && !opts.records && message.type !== 'invalid_record') continue;
    if (burstable && !(message.layer === 'record' && opts.records)) {
      const bytes = applicationBytes(message);
      // An `unopened_records` message stands for a run of records the decoder counted without opening.
      const records = message.records ?? 1;
      if (burst && burst.data.dir === dir && out.at(-1) === burst.event) {
        burst.data.records += records;
        burst.data.bytes += bytes;
      } else {
        const firstLine = /"([^"]*)"$/.exec(message.summary)?.[1];
        const data: ApplicationBurst = { dir, records, bytes, decrypted: message.layer === 'application', ...(firstLine ? { firstLine } : {}) };
        const event: Pending = { at: message.t, conn, dir, layer: message.layer === 'application' ? 'application' : 'record', type: message.layer === 'application' ? 'application_data' : 'encrypted_record', note: '', severity: 'info', side };
        burst = { event, data };
        out.push(event);
      }
      const { note, severity } = annotateBurst(burst.data, { ...ctx, atMs: wallMs(message.t) });
      burst.event.note = note;
      burst.event.severity = severity;
      burst.event.fields = [
        infoField('records', 'TLS records in this burst.', burst.data.records),
        infoField('bytes', 'Application bytes in this burst.', burst.data.bytes),
        ...(burst.data.firstLine ? [infoField('first_line', 'The first line of the first record, when it is text.', burst.data.firstLine)] : []),
      ];
      continue;
    }

    const { note, severity, finding } = annotate(message, { ...ctx, atMs: wallMs(message.t) });
    out.push({
      at: message.t,
      conn,
      dir,
      layer: message.layer,
      type: message.alert ? `alert ${message.alert.description} (${message.alert.code})` : message.type,
      fields: message.fields,
      note,
      ...(finding ? { finding } : {}),
      severity,
      side,
      ...(opts.bytes && message.bytes ? { bytes: Buffer.from(message.bytes).toString('hex') } : {}),
    });
    if (message.type === 'CertificateRequest') ctx.certificateRequested = true;
    if (message.type === 'Finished') ctx[dir === 'c2s' ? 'clientFinished' : 'serverFinished'] = true;
  }

  const end = connection.closedAt ?? decoded.messages.at(-1)?.t ?? connection.openedAt;
  for (const error of decoded.errors) {
    out.push({
      at: end,
      conn,
      dir: 'none',
      layer: 'record',
      type: 'decode-error',
      fields: [infoField('kind', 'What kind of decoding problem.', error.kind), infoField('context', 'Where in the message.', error.context)],
      note: `the trace could not decode everything: ${error.message}`,
      severity: 'warning',
    });
  }
  if (connection.closedAt !== undefined) {
    const close = annotateTcpClose({ closeReason: connection.closeReason, droppedBytes: connection.droppedBytes }, tcp);
    out.push({
      at: connection.closedAt,
      conn,
      dir: 'none',
      layer: 'tcp',
      type: 'tcp-close',
      fields: [infoField('reason', recordedBy === 'tap' ? 'How the tap saw it end: end (FIN), reset (RST), error, refused, tap-closed.' : 'How the capture saw it end: end (FIN), reset (RST).', connection.closeReason ?? 'end')],
      ...close,
    });
  }
  // What the tap's wire faults changed, made up or dropped: on the records, and as events.
  markInFlight(out, connection.marks, conn);
  for (const report of reports) out.push(processEvent(report, conn));
  return out;
}

/** Plaintext bytes of an application record, or the ciphertext size of one that stayed encrypted. */
function applicationBytes(message: DecodedMessage): number {
  if (message.bytes) return message.bytes.length;
  const match = /(\d+) bytes/.exec(message.summary);
  return match ? Number(match[1]) : 0;
}

export type { TraceDirection };
