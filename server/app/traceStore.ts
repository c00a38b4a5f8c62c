/**
 * A live sandbox's trace, connection by connection, built as connections close:
 *
 *   tap 'close' ──LiveDecoding.decoded (decoded live in the tap's thread)──┐
 *   process-event (naming a connection) ─────────────────────────────────┼─▶ rebuild that connection ──traceDecoded──▶ onTrace(conn, events)
 *   keylog lines ──▶ one KeyLog, and the live decoder's ──────────────────┘
 *        └─ a line for a connection already built (its ClientHello's random) ──▶ rebuild it (buildTrace: decodes the recording)
 *
 * A closed connection's messages come from the live decoder, which decoded them while the
 * bytes flowed: this thread only builds the timeline. Connections still open (flushOpen) and
 * those a late key-log line unlocks are decoded here, from the recording.
 *
 * An open connection shows up at its first report (the first request answered on it),
 * decoded from its recording as flushOpen does: its handshake as it happened, not at the end
 * of a keep-alive run. Its later reports wait for its close or flushOpen, so a long-lived
 * connection is not rebuilt per request. (Not from what the live decoder has so far: that
 * lags the recording, and an event it had not reached yet would come before ones already
 * numbered — a pinned `{conn, seq}` would then name another event.)
 *
 * Each connection's events are numbered from 0 (`seq`) and timed in µs from the sandbox's
 * start, so `{conn, seq}` names an event for good: a connection's bytes are final once it
 * closed, and the reports that arrive later (over IPC, after the bytes) sort after them.
 * A report naming a connection that is already built rebuilds it; the new list replaces the old.
 * Changes of the running sandbox (a fault injected or cleared, a fix applied) are events of the
 * same timeline, at their time, beside the reports that name no connection (conn 0): the
 * connections before a change stay, and the ones after it follow.
 * So does a key-log line that arrives after its connection closed: a file-tailed key log
 * (openssl s_server's, a terminal's SSLKEYLOGFILE) can trail a short connection's close.
 */
import { buildTrace, traceDecoded, type TraceEvent } from '../explain/index.js';
import { fieldValue, infoField } from '../explain/traceEvent.js';
import { describeChange, type ProcessEvent, type Sandbox, type SandboxDescription, type SpecChange, type TapConnection } from '../runtime/index.js';
import type { DecodedConnection } from '../wire/connectionDecoder.js';
import { KeyLog } from '../wire/keylog.js';
import { LiveDecoding } from '../wire/liveDecoding.js';
import { takeTurns, type TurnWorker } from './mainThreadTurns.js';

/** Process reports kept for attaching to connections; the oldest tenth goes beyond it. */
const maxProcessEvents = 20_000;
/** Connections whose built events are kept. */
const maxConnections = 5_000;
/** Start-up, exit and bare log lines: not part of the trace (buildTrace's `logs: 'errors'`). */
const unattachedSkipped = new Set<ProcessEvent['kind']>(['log', 'spawned', 'listening', 'ready', 'exit']);
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

export type TraceListener = (conn: number, events: TraceEvent[]) => void;

export class TraceStore {
  readonly #sandbox: Sandbox;
  readonly #publicId: string;
  readonly #topology: SandboxDescription;
  readonly #onTrace: TraceListener;
  readonly #startUs = nowUs();
  readonly #keylog = new KeyLog();
  readonly #processEvents: ProcessEvent[] = [];
  readonly #connections = new Map<number, TapConnection>();
  readonly #built = new Map<number, TraceEvent[]>();
  readonly #dirty = new Set<number>();
  /** A built connection's ClientHello random (hex) → its id: which connection a late key-log line unlocks. */
  readonly #byClientRandom = new Map<string, number>();
  /** What the live decoder made of closed connections, kept while their events are (a late report rebuilds from it). */
  readonly #decoded = new Map<number, DecodedConnection>();
  /** Closed connections whose live result is on its way: they are built when it arrives. */
  readonly #awaiting = new Set<number>();
  /** Open connections shown at their first report, until built. */
  readonly #shownOpen = new Set<number>();
  /** Changes of the running sandbox, as timeline events (conn 0), in order. */
  readonly #changes: TraceEvent[] = [];
  #live: LiveDecoding | undefined;
  #detached = false;
  /** Builds in the main thread's turns (mainThreadTurns.ts), batched: one close often comes with its reports in the same tick. */
  readonly #builder: TurnWorker = { work: (deadline) => this.#build(deadline) };
  readonly #onKeylog = (line: string): void => this.#onKeylogLine(line);
  readonly #onConnection = (conn: TapConnection): void => void this.#connections.set(conn.id, conn);
  readonly #onClose = (conn: TapConnection): void => this.#onConnectionClosed(conn);
  readonly #onProcess = (event: ProcessEvent): void => this.#onProcessEvent(event);

  constructor(sandbox: Sandbox, publicId: string, onTrace: TraceListener) {
    this.#sandbox = sandbox;
    this.#publicId = publicId;
    this.#topology = sandbox.describe();
    this.#onTrace = onTrace;
    for (const line of sandbox.keylog) this.#keylog.addLine(line);
    for (const conn of sandbox.tap.connections) this.#connections.set(conn.id, conn);
    // What happened while the sandbox started (a service that could not, files renewed under one) came before this store listened.
    for (const event of sandbox.startEvents) this.#onProcessEvent(event);
    sandbox.events.on('keylog', this.#onKeylog).on('connection', this.#onConnection).on('close', this.#onClose).on('process-event', this.#onProcess);
    // Until it runs (and for connections opened before), connections are decoded from their recording.
    LiveDecoding.start(sandbox.tap).then(
      (live) => {
        if (this.#detached) return live.stop();
        this.#live = live;
        for (const line of sandbox.keylog) live.addKeylogLine(line);
      },
      () => undefined,
    );
  }

  /** Every built event, by connection then seq. */
  events(): TraceEvent[] {
    return [...this.#built.entries()].sort(([a], [b]) => a - b).flatMap(([, events]) => events);
  }

  event(conn: number, seq: number): TraceEvent | undefined {
    return this.#built.get(conn)?.[seq];
  }

  /** Builds every connection still open (after a traffic run: keep-alive sockets stay open), and whatever is pending, now. */
  flushOpen(): void {
    for (const conn of this.#connections.values()) if (conn.closedAt === undefined) this.#dirty.add(conn.id);
    this.#build();
  }

  /**
   * A change of the running sandbox (`fault-injected`, `fault-cleared`, `fix-applied` …), now:
   * an event of the timeline with what it touched.
   */
  change(type: string, note: string, change: SpecChange): void {
    const fields = [infoField('change', 'What changed on the running sandbox; every process not named kept running as it was.', describeChange(change))];
    this.#changes.push({ sandbox: this.#publicId, conn: 0, seq: 0, t: Math.max(0, nowUs() - this.#startUs), dir: 'none', layer: 'process', type, fields, note, severity: 'info' });
    this.#mark(0);
  }

  detach(): void {
    this.#detached = true;
    this.#live?.stop();
    this.#sandbox.events.off('keylog', this.#onKeylog).off('connection', this.#onConnection).off('close', this.#onClose).off('process-event', this.#onProcess);
  }

  #onKeylogLine(line: string): void {
    if (!this.#keylog.addLine(line)) return;
    this.#live?.addKeylogLine(line);
    const random = line.trim().split(/\s+/)[1];
    const conn = random === undefined ? undefined : this.#byClientRandom.get(random.toLowerCase());
    if (conn === undefined) return;
    // Decoded without this line: decode the recording again, with it.
    this.#decoded.delete(conn);
    this.#mark(conn);
  }

  #onConnectionClosed(conn: TapConnection): void {
    const live = this.#live;
    if (!live || conn.id < live.firstConnection) return this.#mark(conn.id);
    this.#awaiting.add(conn.id);
    void live.decoded(conn).then(({ decoded }) => {
      this.#awaiting.delete(conn.id);
      if (this.#detached) return;
      this.#decoded.set(conn.id, decoded);
      this.#mark(conn.id);
    });
  }

  #onProcessEvent(event: ProcessEvent): void {
    this.#processEvents.push(event);
    if (this.#processEvents.length > maxProcessEvents) this.#processEvents.splice(0, maxProcessEvents / 10);
    if (event.connection !== undefined) {
      const connection = this.#connections.get(event.connection);
      if (connection && connection.closedAt === undefined) this.#showOpen(connection);
      // Closed: before its build, the build takes the report; after, it must be added.
      else if (connection || this.#built.has(event.connection)) this.#mark(event.connection);
    } else if (event.kind === 'client-error' || event.kind === 'fatal' || event.kind === 'start-error' || event.kind === 'files-renewed') {
      // A request that never got a connection (a queued timeout): it stands alone, as conn 0.
      this.#mark(0);
    }
  }

  /** An open connection's first report: built from its recording so far. */
  #showOpen(connection: TapConnection): void {
    if (this.#shownOpen.has(connection.id) || this.#built.has(connection.id)) return;
    this.#shownOpen.add(connection.id);
    this.#mark(connection.id);
  }

  #mark(conn: number): void {
    this.#dirty.add(conn);
    takeTurns(this.#builder);
  }

  /** Builds what is dirty until `deadline`; true when some is left. */
  #build(deadline = Infinity): boolean {
    if (this.#detached) return false;
    for (const id of this.#dirty) {
      if (performance.now() >= deadline) return true;
      this.#dirty.delete(id);
      if (this.#awaiting.has(id)) continue;
      const events = id === 0 ? this.#standalone() : this.#connectionEvents(id);
      if (!events) continue;
      this.#built.set(id, events);
      this.#shownOpen.delete(id);
      const random = fieldValue(events.find((e) => e.type === 'ClientHello')?.fields, 'random');
      if (random) this.#byClientRandom.set(random, id);
      this.#onTrace(id, events);
    }
    if (this.#built.size > maxConnections) {
      for (const id of [...this.#built.keys()].sort((a, b) => a - b).slice(0, this.#built.size - maxConnections)) {
        this.#built.delete(id);
        this.#decoded.delete(id);
        this.#connections.delete(id);
        for (const [random, conn] of this.#byClientRandom) if (conn === id) this.#byClientRandom.delete(random);
      }
    }
    return false;
  }

  #connectionEvents(id: number): TraceEvent[] | undefined {
    const connection = this.#connections.get(id);
    if (!connection) return undefined;
    // Bytes on: the browser's hex view highlights each field's range. They add about an eighth
    // to a connection's events (the field tree is most of it); burst events carry none.
    const decoded = this.#decoded.get(id);
    const trace = decoded
      ? traceDecoded({ sandbox: this.#publicId, connections: [{ connection, decoded }], processEvents: this.#processEvents, topology: this.#topology }, { bytes: true })
      : buildTrace({ sandbox: this.#publicId, connections: [connection], keylog: this.#keylog, processEvents: this.#processEvents, topology: this.#topology }, { bytes: true });
    // buildTrace times events from its earliest one; the tcp-open is at the connection's openedAt.
    const open = trace.find((e) => e.conn === id && e.type === 'tcp-open');
    const origin = open ? connection.openedAt - open.t : connection.openedAt;
    return this.#renumber(trace.filter((e) => e.conn === id), origin);
  }

  /** Reports that name no connection, built from those alone (so the earliest one is the origin), with the sandbox's changes among them. */
  #standalone(): TraceEvent[] {
    const reports = this.#processEvents.filter((e) => e.connection === undefined && !unattachedSkipped.has(e.kind));
    const trace = buildTrace({ sandbox: this.#publicId, connections: [], keylog: this.#keylog, processEvents: reports, topology: this.#topology });
    const origin = Math.min(...reports.map((e) => e.t));
    const timed = this.#renumber(trace.filter((e) => e.conn === 0), Number.isFinite(origin) ? origin : this.#startUs);
    return [...timed, ...this.#changes].sort((a, b) => a.t - b.t).map((event, seq) => ({ ...event, seq }));
  }

  #renumber(events: TraceEvent[], originUs: number): TraceEvent[] {
    return events.map((event, seq) => ({ ...event, seq, t: Math.max(0, event.t + originUs - this.#startUs) }));
  }
}
