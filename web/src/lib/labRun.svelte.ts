/**
 * One learner's run of a lab in this tab: the sandbox as the server describes it, its trace
 * connection by connection, live edge health, and where the learner stands (hints, the
 * diagnosis, fixes, verify). Data replaced whole lives in `$state.raw`; views are `$derived`.
 *
 *   api.start | api.me (a reload, a second tab: the learner's running one) ──▶ SandboxView ──socket.subscribe──▶ snapshot (view + trace so far)
 *   socket pushes: trace (one connection, whole) · health · status · traffic (waiting its turn on the machine) ──▶ this
 *   learner: select an event · pin it as evidence (browsing on leaves it) · traffic · hint · diagnose(rootCause, pinned event[, a drill's incident]) · fix · verify ──▶ api ──▶ this
 */
import type {
  DiagnosisResponse,
  EdgeRate,
  SandboxView,
  StopReason,
  TraceEvent,
  VerifyResponse,
} from '../../../server/app/protocol.ts';
import type { FixActionSpec } from '../../../server/lab/schema.ts';
import { api } from './api.ts';
import { liveSocket, type LiveSocket } from './socket.svelte.ts';

export interface EventRef {
  conn: number;
  seq: number;
}

export interface ConnectionTrace {
  conn: number;
  events: TraceEvent[];
}

/** Lanes drawn at most; older connections stay on the server (and in the capture download). */
const maxLanes = 300;

export class LabRun {
  view: SandboxView = $state.raw() as SandboxView;
  /** An interview's end on this page's clock (the server's deadline, as time left when it said so); null without one. */
  deadlineAt: number | null = $state(null);
  /** When the lab started, on this page's clock (the server's time on it, as of its last answer). */
  startedHereAt = $state(0);
  /** Why the server stopped the sandbox, once it did. */
  stopReason: StopReason | null = $state(null);
  connections: ConnectionTrace[] = $state.raw([]);
  health: { edges: EdgeRate[]; final: boolean } | null = $state.raw(null);
  selected: EventRef | null = $state(null);
  /** The event the learner chose as evidence: it stays until they pin another, whatever they browse. */
  evidence: EventRef | null = $state(null);
  diagnosis: DiagnosisResponse | null = $state.raw(null);
  /** What the last diagnosis was of: an incident's id, or null for the lab's own incident. */
  diagnosisOf: string | null = $state(null);
  verification: VerifyResponse | null = $state.raw(null);
  /** What is in flight, for disabling buttons and saying so. */
  busy: 'traffic' | 'hint' | 'diagnosis' | 'fix' | 'verify' | null = $state(null);
  /** Runs ahead of this one's traffic or verify on the shared machine, while it waits its turn; null when it is not waiting. */
  trafficWaiting: number | null = $state(null);
  error = $state('');

  readonly selectedEvent: TraceEvent | undefined = $derived(this.#eventAt(this.selected));
  readonly evidenceEvent: TraceEvent | undefined = $derived(this.#eventAt(this.evidence));
  readonly eventCount: number = $derived(this.connections.reduce((n, c) => n + c.events.length, 0));
  /** Something to fix is known: the lab's own incident or a drill's injected one was diagnosed. */
  readonly fixable: boolean = $derived(this.view.reveal !== undefined || this.view.incidents.some((incident) => incident.diagnosis === 'correct'));

  readonly #socket: LiveSocket;
  readonly #unlisten: Array<() => void>;

  private constructor(view: SandboxView, socket: LiveSocket) {
    this.#setView(view);
    this.#socket = socket;
    const mine = (message: { sandbox: string }): boolean => message.sandbox === this.view.id;
    this.#unlisten = [
      socket.on('trace', (m) => mine(m) && m.generation === this.view.generation && this.#putConnection({ conn: m.conn, events: m.events })),
      socket.on('health', (m) => mine(m) && m.generation === this.view.generation && (this.health = { edges: m.edges, final: m.final })),
      socket.on('traffic', (m) => mine(m) && (this.trafficWaiting = m.waiting)),
      socket.on('status', (m) => {
        if (!mine(m)) return;
        // Diagnosed in another tab: the reveal and what was held back until then come with the view.
        // A new generation: a fault went in or out (a drill's incident), so the view's incidents changed.
        if ((m.diagnosed && !this.view.diagnosed) || m.generation !== this.view.generation) void api.sandbox(this.view.id).then((view) => this.#setView(view), () => undefined);
        this.view = { ...this.view, status: m.status, completed: m.completed, diagnosed: m.diagnosed, generation: m.generation };
        if (m.completed) this.deadlineAt = null;
        if (m.reason) this.stopReason = m.reason;
      }),
    ];
  }

  /**
   * Starts a sandbox of `lab` (in interview mode: timed, no hints; under the learner's name,
   * for a drill) and follows it over the socket; if the learner already runs one, the server
   * hands that back and this follows it.
   */
  static async start(lab: string, interview: boolean, learner?: string, socket = liveSocket()): Promise<LabRun> {
    return LabRun.follow(await api.start(lab, interview, learner), socket);
  }

  /** Follows a sandbox the server already runs for this learner (GET /api/me after a reload, or in a second tab). */
  static async follow(view: SandboxView, socket = liveSocket()): Promise<LabRun> {
    const run = new LabRun(view, socket);
    await socket.subscribe(run.view.id, (snapshot) => {
      run.#setView(snapshot.sandbox);
      run.connections = groupByConnection(snapshot.events);
    });
    return run;
  }

  async runTraffic(requests = 5): Promise<void> {
    await this.#do('traffic', async () => {
      // The run's totals arrive as the final health message; the edge reports add nothing the page shows.
      await api.traffic(this.view.id, requests);
    });
  }

  async hint(): Promise<void> {
    await this.#do('hint', async () => {
      await api.hint(this.view.id);
      // The view carries the hints shown so far, the score and the next hint's price.
      this.#setView(await api.sandbox(this.view.id));
    });
  }

  /** Pins the selected event as the diagnosis's evidence. */
  pinEvidence(): void {
    if (this.selected) this.evidence = { ...this.selected };
  }

  /** The lab's own incident, or with `incident` one injected into the running sandbox (a drill's). */
  async diagnose(rootCause: string, incident?: string): Promise<void> {
    const evidence = this.evidence;
    if (!evidence) {
      this.error = 'Pin the trace event that proves your diagnosis first: select it, then "Use as evidence".';
      return;
    }
    await this.#do('diagnosis', async () => {
      this.diagnosis = await api.diagnose(this.view.id, { rootCause, evidence, ...(incident === undefined ? {} : { incident }) });
      this.diagnosisOf = incident ?? null;
      this.#setView(await api.sandbox(this.view.id));
    });
  }

  async fix(action: FixActionSpec): Promise<void> {
    await this.#do('fix', async () => {
      this.verification = null;
      this.#setView(await api.fix(this.view.id, action));
    });
  }

  async verify(): Promise<void> {
    await this.#do('verify', async () => {
      this.verification = await api.verify(this.view.id);
      this.#setView(await api.sandbox(this.view.id));
    });
  }

  /** Stops following the sandbox; it runs on for a reload, another tab, or until no page of its learner is open for a while. */
  leave(): void {
    for (const unlisten of this.#unlisten) unlisten();
    this.#socket.unsubscribe(this.view.id);
  }

  /** Stops the sandbox on the server; the tab keeps what it saw. */
  async stop(): Promise<void> {
    this.leave();
    await api.stop(this.view.id).catch(() => {});
  }

  #eventAt(ref: EventRef | null): TraceEvent | undefined {
    if (!ref) return undefined;
    return this.connections.find((c) => c.conn === ref.conn)?.events.find((e) => e.seq === ref.seq);
  }

  #setView(view: SandboxView): void {
    this.view = view;
    this.deadlineAt = view.deadline ? Date.now() + view.deadline.leftMs : null;
    this.startedHereAt = Date.now() - view.elapsedMs;
  }

  async #do(what: NonNullable<LabRun['busy']>, work: () => Promise<void>): Promise<void> {
    this.busy = what;
    this.error = '';
    try {
      await work();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = null;
      this.trafficWaiting = null;
    }
  }

  #putConnection(trace: ConnectionTrace): void {
    const rest = this.connections.filter((c) => c.conn !== trace.conn);
    rest.push(trace);
    rest.sort((a, b) => a.conn - b.conn);
    this.connections = rest.length > maxLanes ? rest.slice(rest.length - maxLanes) : rest;
  }
}

export function groupByConnection(events: readonly TraceEvent[]): ConnectionTrace[] {
  const byConn = new Map<number, TraceEvent[]>();
  for (const event of events) {
    const list = byConn.get(event.conn) ?? [];
    list.push(event);
    byConn.set(event.conn, list);
  }
  return [...byConn.entries()].sort(([a], [b]) => a - b).map(([conn, list]) => ({ conn, events: list }));
}
