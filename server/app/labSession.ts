/**
 * One learner's run of a lab: the live sandbox, its trace and edge health, and where the
 * learner stands — hints shown, diagnosis, fixes, verify. Everything that grades happens here,
 * against the lab's scenario, which never leaves the server until a correct diagnosis.
 *
 *   LabDocument ──applyFaults──▶ LabSpec' ──startSandbox──▶ Sandbox ─┬─ TraceStore ──▶ 'message' trace
 *                                                                     └─ EdgeHealthMeter ──▶ 'message' health
 *   diagnosis ✓ ──▶ fix: applyFixes(spec') ──Sandbox.reconfigure, live (generation+1, the trace goes on)──▶ verify ──▶ progress
 *   drill facilitator ──▶ inject / clear / setFaults ──▶ lab's faults + injected ones, then the fixes so far ──▶ realised the same way
 *   a fault's ttl runs out ──▶ cleared the same way, whoever injected it
 *   each fault injected live is an incident (sessionIncidents.ts): diagnosed by its own root cause, fixed by a green verify
 *
 * Changes of the spec (fixes, faults) run one at a time, and go on during a traffic run, which
 * then meets them live. Operations that drive the sandbox (traffic, fix, verify) run one at a time. A
 * traffic run lasts `maxTrafficMs` at most (then stops sending and reports what it sent), and
 * stops too when its caller goes away; a second traffic call while one is under way is
 * refused at once (TRAFFIC_RUNNING), never queued behind it.
 */
import { EventEmitter } from 'node:events';
import { verdictsForSandbox, type TraceEvent, type Verdict } from '../explain/index.js';
import { applyFaults, applyFixes, checkStepParams, FaultError, faults, fixActions, fixSteps, ParamsError, rootCauseCatalogue, targetsByKind } from '../faults/index.js';
import type { LabDocument } from '../lab/index.js';
import type { FaultSpec, FixActionSpec, LabSpec } from '../lab/schema.js';
import { startSandbox, type EdgeReport, type Sandbox, type SandboxDescription, type SandboxOptions, type SpecChange, type WireFaultInput, type WireFaultSpec } from '../runtime/index.js';
import { keylogText, sandboxRecording, writePcapng } from '../wire/capture/index.js';
import { keylogLines } from '../wire/capture/keylog.js';
import { EdgeHealthMeter } from './edgeHealth.js';
import { ApiError, type ErrorLogger } from './errors.js';
import { checkEdges, expectationOf, gradeDiagnosis, gradeIncident, hintCost, isGreen, isWrongFix, rootCauseSummary, rootCauseTitle, scoreOf, verifyPlan } from './grading.js';
import type { ProgressStore } from './progressStore.js';
import { analysisOf, factsOnly, withoutPolicy, type Analysis } from './conclusions.js';
import { distractorReasons, quizChoices } from './quiz.js';
import type { DiagnosisResponse, HintResponse, PageDescription, Reveal, SandboxStatus, SandboxView, ServerMessage, Standing, StopReason, TrafficResponse, VerifyResponse } from './protocol.js';
import { faultName, LiveFaults, type LiveFault } from './liveFaults.js';
import { SessionIncidents, type IncidentRecord } from './sessionIncidents.js';
import { reaches, type Caller } from './learners.js';
import { TraceStore } from './traceStore.js';
import type { TrafficBudget } from './trafficBudget.js';

/** What the learner answered, as it is graded: the 'answer' event. */
export type SessionAnswer =
  | { kind: 'hint'; index: number }
  | { kind: 'diagnosis'; rootCause: string; correct: boolean; evidence: { conn: number; seq: number } }
  | { kind: 'fix'; action: string; target?: string; wrong: boolean }
  | { kind: 'verify'; green: boolean };

/** How a learner starts a lab. */
export interface StartOptions {
  /** Faults on top of the lab's own (a drill's injections). */
  extraFaults: readonly FaultSpec[];
  /** Interview mode: timed (the lab's minutes; the server ends it), and the server gives no hints. */
  interview: boolean;
  /** An interview whose interviewer allowed hints: interview mode, with the lab's hints (and their cost). */
  interviewHints?: boolean;
  /** The lab as this run meets it: an interview's variant (interviews/variants.ts), graded as the lab itself. */
  vary?: (doc: LabDocument) => LabDocument;
  /** When an interview's whole time is up (epoch ms): its lab's countdown is the interview's, not the lab's minutes. */
  deadlineAt?: number;
  /** The learner's name, for a drill's scoreboard. */
  learner?: string;
  /** The learner id (or `operator`) that owns it: only they, and the operator's token, reach it. */
  owner: string;
  /** Seeds the order its choices are shown in (quiz.ts); the registry draws one per sandbox. */
  quizSeed: number;
  /** A drill's sandbox: what is injected is an incident to find, so neither its view nor its trace names the kind before the diagnosis. */
  hideInjections?: boolean;
}

export interface SessionOptions {
  sandboxOptions: SandboxOptions;
  progress: ProgressStore;
  verifyRequests: number;
  logger: ErrorLogger;
  /** The longest one traffic or verify run may send for; `maxTrafficRunMs` when absent. */
  maxTrafficMs?: number;
  /** This machine's lab traffic, shared by every sandbox: a run beyond it waits its turn. */
  trafficBudget: TrafficBudget;
  /** An interview's length; the lab's `minutes` when absent. */
  interviewMs?: number;
}

/**
 * How long one run of traffic may keep sending: long enough for any lab's story, short enough
 * that a `{"requests": 1000}` at 5 rps cannot hold a sandbox for minutes.
 */
export const maxTrafficRunMs = 30_000;
/** What a run of `spec` asks of the machine's traffic budget: every client at its rate. */
function trafficCostRps(spec: LabSpec): number {
  return Object.values(spec.clients).reduce((sum, client) => sum + client.rps, 0);
}

/** After the last request is sent: the runtime waits up to 1 s for failed connections to close. */
const reportSettleMs = 1000;

/** A traffic run a call asked for: accepted (waiting its turn), then under way from `startedAt`. */
interface TrafficRun {
  startedAt?: number;
}

/**
 * A FaultError as the API's code: params that do not fit their schema are BAD_PARAMS;
 * anything this lab lacks (a target, a CA named in params) is `code`.
 */
function faultApiError(error: unknown, code: 'BAD_REQUEST' | 'FIX_NOT_APPLICABLE', prefix = ''): unknown {
  if (error instanceof ParamsError && !error.ofLab) return new ApiError('BAD_PARAMS', error.message);
  if (error instanceof FaultError) return new ApiError(code, prefix + error.message);
  return error;
}

/** The lab's spec with its own faults and the extra ones applied; every way it fails is a stable code. */
export function brokenSpec(doc: LabDocument, extraFaults: readonly FaultSpec[]): LabSpec {
  for (const fault of extraFaults) {
    if (!faults.has(fault.kind)) throw new ApiError('UNKNOWN_FAULT', `"${fault.kind}" (known: ${[...faults.keys()].join(', ')})`);
  }
  try {
    return applyFaults(doc.spec, [...doc.spec.faults, ...extraFaults]);
  } catch (error) {
    throw faultApiError(error, 'BAD_REQUEST');
  }
}

async function realise(spec: LabSpec, options: SessionOptions): Promise<Sandbox> {
  try {
    return await startSandbox(spec, options.sandboxOptions);
  } catch (error) {
    options.logger.error(`sandbox for lab ${spec.id} did not start`, error);
    throw new ApiError('SANDBOX_START_FAILED', error instanceof Error ? error.message : String(error));
  }
}

export class LabSession {
  readonly id: string;
  readonly doc: LabDocument;
  /**
   * 'message' (ServerMessage: trace, health, status) for the WebSocket hub;
   * 'standing' when anything on the scoreboard changed (status, diagnosis, hints, score);
   * 'time-up' when an interview's time ran out unsolved (the registry then stops it);
   * 'answer' (SessionAnswer) at each hint, diagnosis, fix and verify.
   */
  readonly events = new EventEmitter();
  readonly interview: boolean;
  /** No hints: interview mode, unless its interviewer allowed them. */
  readonly #hintsOff: boolean;
  readonly learner: string | null;
  readonly owner: string;
  /** The answer among the distractors, in this sandbox's order. */
  readonly #choices: readonly string[];
  /** Whether the notes on each message reach the page before the diagnosis (conclusions.ts). */
  readonly #analysis: Analysis;
  readonly #options: SessionOptions;
  readonly #startedAt = Date.now();
  /** When an interview's time is up (the server's clock; the page only shows it), and its timer. */
  readonly #deadline: number | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  readonly #fixes: FixActionSpec[] = [];
  /** Faults on top of the lab's own (a drill's injections); the lab's own never leave the server. */
  readonly #incidents = new SessionIncidents();
  readonly #hideInjections: boolean;
  /** Which incident each fault in effect is (live fault id → incident id). */
  readonly #liveIncidents = new Map<number, string>();
  /** Learners beside the owner who work it too: a drill room's shared sandbox. */
  readonly #sharedWith = new Set<string>();
  readonly #faults = new LiveFaults((id) => void this.clearFault(id).catch((error: unknown) => this.#options.logger.error(`fault ${id} of sandbox ${this.id} did not revert at the end of its ttl`, error)));
  /** Changes of the running spec (faults, fixes), one at a time: each starts from the one before. */
  #changes: Promise<unknown> = Promise.resolve();
  #spec: LabSpec;
  #sandbox: Sandbox | undefined;
  #trace: TraceStore | undefined;
  #health: EdgeHealthMeter | undefined;
  #generation = 1;
  #status: SandboxStatus = 'running';
  #hintsShown = 0;
  #wrongDiagnoses = 0;
  #wrongFixes = 0;
  #diagnosed = false;
  #completed = false;
  #solvedInMs: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** The traffic run accepted or under way, if any (a verify's included while it runs). */
  #trafficRun: TrafficRun | undefined;

  static async start(doc: LabDocument, how: StartOptions, options: SessionOptions): Promise<LabSession> {
    const lab = how.vary ? how.vary(doc) : doc;
    const spec = brokenSpec(lab, how.extraFaults);
    return new LabSession(lab, spec, how, await realise(spec, options), options);
  }

  private constructor(doc: LabDocument, spec: LabSpec, how: StartOptions, sandbox: Sandbox, options: SessionOptions) {
    this.id = sandbox.id;
    this.doc = doc;
    this.#spec = spec;
    for (const fault of how.extraFaults) this.#faults.add(fault);
    this.interview = how.interview;
    this.#hideInjections = how.hideInjections ?? false;
    this.#hintsOff = how.interview && how.interviewHints !== true;
    this.learner = how.learner ?? null;
    this.owner = how.owner;
    this.#choices = quizChoices(doc.spec.scenario, how.quizSeed);
    this.#analysis = analysisOf(doc.spec.level, how.interview);
    this.#options = options;
    this.events.setMaxListeners(0);
    this.#attach(sandbox);
    if (this.interview) {
      this.#deadline = how.deadlineAt ?? this.#startedAt + (options.interviewMs ?? doc.spec.minutes * 60_000);
      this.#armDeadline();
    }
  }

  /** Lets `learner` reach it as its owner does (a room in shared mode). */
  shareWith(learner: string): void {
    this.#sharedWith.add(learner);
  }

  /** Whether `caller` may see and act on it: its owner (or the operator), or a learner it is shared with. */
  reachableBy(caller: Caller): boolean {
    return reaches(caller, this.owner) || (caller.learner !== null && this.#sharedWith.has(caller.learner));
  }

  get status(): SandboxStatus {
    return this.#status;
  }

  /** The running sandbox as the server's own parts need it (files, ports, policy); the page's view may hold less. Null unless running. */
  get description(): SandboxDescription | null {
    return this.#sandbox && this.#status === 'running' ? this.#sandbox.describe() : null;
  }

  view(): SandboxView {
    const scenario = this.doc.spec.scenario;
    const hints = scenario.hints;
    return {
      id: this.id,
      lab: this.doc.spec.id,
      title: this.doc.spec.title,
      learner: this.learner,
      status: this.#status,
      generation: this.#generation,
      description: this.description && this.#described(this.description),
      interview: this.interview,
      deadline: this.#deadline === undefined || this.#completed ? null : { at: new Date(this.#deadline).toISOString(), leftMs: Math.max(0, this.#deadline - Date.now()) },
      scenario: {
        symptom: scenario.symptom,
        question: scenario.question,
        choices: this.#choices.map((id) => ({ id, title: rootCauseTitle(id) })),
        hints: {
          shown: hints.slice(0, this.#hintsShown),
          total: this.#hintsOff ? 0 : hints.length,
          nextCost: !this.#hintsOff && this.#hintsShown < hints.length ? hintCost(this.#hintsShown + 1) : null,
        },
      },
      diagnosed: this.#diagnosed,
      wrongDiagnoses: this.#wrongDiagnoses,
      fixesApplied: structuredClone(this.#fixes),
      wrongFixes: this.#wrongFixes,
      fixTargets: targetsByKind(this.doc.spec),
      extraFaults: this.#shownFaults(),
      incidents: this.#incidents.view(this.#startedAt),
      completed: this.#completed,
      score: this.#score(),
      startedAt: new Date(this.#startedAt).toISOString(),
      elapsedMs: this.#solvedInMs ?? Date.now() - this.#startedAt,
      ...(this.#diagnosed ? { reveal: this.#reveal() } : {}),
    };
  }

  standing(): Standing {
    return {
      learner: this.learner,
      lab: this.doc.spec.id,
      title: this.doc.spec.title,
      status: this.#status,
      interview: this.interview,
      diagnosed: this.#diagnosed,
      wrongDiagnoses: this.#wrongDiagnoses,
      wrongFixes: this.#wrongFixes,
      hintsUsed: this.#hintsShown,
      completed: this.#completed,
      score: this.#score(),
      startedAt: new Date(this.#startedAt).toISOString(),
      ...(this.#solvedInMs !== undefined ? { solvedInMs: this.#solvedInMs } : {}),
    };
  }

  /** The trace as the page may read it: facts only until the diagnosis (conclusions.ts). */
  trace(): { generation: number; events: TraceEvent[] } {
    return { generation: this.#generation, events: this.#shown(this.#trace?.events() ?? []) };
  }

  nextHint(): HintResponse {
    const hints = this.doc.spec.scenario.hints;
    if (this.#hintsOff) throw new ApiError('HINTS_DISABLED');
    if (this.#hintsShown >= hints.length) throw new ApiError('NO_MORE_HINTS', `this lab has ${hints.length}`);
    const index = ++this.#hintsShown;
    this.events.emit('standing');
    this.#record({ kind: 'hint', index });
    return { hint: hints[index - 1]!, index, total: hints.length, cost: hintCost(index), score: this.#score() };
  }

  diagnose(rootCause: string, evidence: { conn: number; seq: number }, incident?: string): DiagnosisResponse {
    if (incident !== undefined) return this.#diagnoseIncident(incident, rootCause, evidence);
    const scenario = this.doc.spec.scenario;
    if (this.#diagnosed) throw new ApiError('ALREADY_ANSWERED');
    if (!this.#choices.includes(rootCause)) {
      throw new ApiError('BAD_REQUEST', `rootCause "${rootCause.slice(0, 100)}" is not one of this lab's choices (${this.#choices.join(', ')})`);
    }
    const event = this.#trace?.event(evidence.conn, evidence.seq);
    if (!event) throw new ApiError('TRACE_EVENT_NOT_FOUND', `connection ${evidence.conn}, event ${evidence.seq} (generation ${this.#generation})`);
    const grade = gradeDiagnosis(scenario, rootCause, event);
    this.#record({ kind: 'diagnosis', rootCause, correct: grade.correct, evidence });
    if (!grade.correct) {
      this.#wrongDiagnoses++;
      this.events.emit('standing');
      return { ...grade, score: this.#score() };
    }
    this.#diagnosed = true;
    this.#publishStatus();
    this.#publishConclusions();
    return { ...grade, score: this.#score(), reveal: this.#reveal() };
  }

  /**
   * An injected incident, graded by its fault's root cause (any of the catalogue's) and an event
   * of a connection the explainer puts down to it; a wrong answer costs what a wrong diagnosis does.
   */
  #diagnoseIncident(id: string, rootCause: string, evidence: { conn: number; seq: number }): DiagnosisResponse {
    const record = this.#incidents.get(id);
    if (!record) throw new ApiError('INCIDENT_NOT_FOUND', `"${id.slice(0, 100)}" (this sandbox's: ${this.#incidents.records().map((each) => each.id).join(', ') || 'none'})`);
    if (record.diagnosis === 'correct') throw new ApiError('ALREADY_ANSWERED', `incident ${id}`);
    if (!rootCauseCatalogue.has(rootCause)) throw new ApiError('BAD_REQUEST', `rootCause "${rootCause.slice(0, 100)}" is not a root cause of the catalogue (GET /api/catalogue)`);
    const event = this.#trace?.event(evidence.conn, evidence.seq);
    if (!event) throw new ApiError('TRACE_EVENT_NOT_FOUND', `connection ${evidence.conn}, event ${evidence.seq} (generation ${this.#generation})`);
    const verdict = this.verdicts().find((each) => each.conn === evidence.conn);
    const grade = gradeIncident(record.fault.kind, rootCause, event, verdict);
    this.#record({ kind: 'diagnosis', rootCause, correct: grade.correct, evidence });
    if (grade.correct) {
      record.diagnosis = 'correct';
      record.detectedAt = Date.now();
    } else {
      record.diagnosis = 'wrong';
      record.wrongAt.push(Date.now());
      this.#wrongDiagnoses++;
    }
    this.#publishStatus();
    const shown = grade.correct ? this.#incidents.view(this.#startedAt).find((each) => each.id === id) : undefined;
    return { ...grade, score: this.#score(), ...(shown ? { incident: shown } : {}) };
  }

  /** The explainer's verdicts over the whole trace, conclusions included: the server's own reading (grading, a drill's postmortem). */
  verdicts(): Verdict[] {
    return verdictsForSandbox(this.#trace?.events() ?? []).verdicts;
  }

  /** The incidents injected so far, with their wall-clock times. */
  incidentRecords(): IncidentRecord[] {
    return this.#incidents.records();
  }

  /**
   * Real traffic on every edge, `requests` per client, for `maxTrafficMs` at most; `signal`
   * (the caller going away) stops it early. Refused with TRAFFIC_RUNNING while another run is
   * accepted or under way.
   */
  async runTraffic(requests: number, signal?: AbortSignal): Promise<TrafficResponse> {
    if (this.#trafficRun) throw this.#trafficRunning(this.#trafficRun);
    const run: TrafficRun = {};
    this.#trafficRun = run;
    try {
      return await this.#exclusive(() => this.#traffic(requests, run, signal));
    } finally {
      if (this.#trafficRun === run) this.#trafficRun = undefined;
    }
  }

  /**
   * Applies a catalogue fix action to the running spec and realises it again: same id, next
   * generation. Any fix that applies is applied for real, and a wrong one (grading.ts
   * isWrongFix) costs points; one that cannot apply to this lab is refused and costs nothing.
   */
  applyFix(fix: FixActionSpec): Promise<SandboxView> {
    if (!fixActions.has(fix.action)) throw new ApiError('UNKNOWN_FIX', `"${fix.action}" (known: ${[...fixActions.keys()].join(', ')})`);
    try {
      // Before the diagnosis and the queue: params that cannot fit are refused at once, whatever runs.
      checkStepParams(fixSteps, { name: fix.action, params: fix.params });
    } catch (error) {
      throw faultApiError(error, 'FIX_NOT_APPLICABLE');
    }
    if (!this.#mayRepair) throw new ApiError('NOT_DIAGNOSED');
    return this.#exclusive(() => this.#serial(async () => {
      let fixed: LabSpec;
      try {
        // Inside the queue: a second fix applies on top of the first.
        fixed = applyFixes(this.#spec, [fix]);
      } catch (error) {
        throw faultApiError(error, 'FIX_NOT_APPLICABLE');
      }
      const wrong = isWrongFix(this.doc.spec, brokenSpec(this.doc, this.#extraFaults), this.#spec, fix, fixed);
      const change = await this.#realise(fixed);
      this.#fixes.push(fix);
      this.#record({ kind: 'fix', action: fix.action, ...(fix.target === undefined ? {} : { target: fix.target }), wrong });
      this.#trace?.change('fix-applied', `fix applied: ${fix.action}${fix.target === undefined ? '' : ` on ${fix.target}`}`, change);
      if (wrong) {
        this.#wrongFixes++;
        this.events.emit('standing');
      }
      return this.view();
    }));
  }

  /**
   * Replaces the faults injected on top of the lab's own and realises the result, with the
   * fixes applied so far: a team drill's facilitator breaking (or mending) a running system.
   */
  setFaults(extraFaults: readonly FaultSpec[]): Promise<SandboxView> {
    brokenSpec(this.doc, extraFaults);
    return this.#serial(async () => {
      const change = await this.#realise(this.#withFixes(brokenSpec(this.doc, extraFaults)));
      this.#faults.clear();
      for (const fault of extraFaults) this.#faults.add(fault);
      this.#trace?.change('faults-replaced', `faults replaced: ${extraFaults.map(faultName).join(', ') || 'none'}`, change);
      return this.view();
    });
  }

  /** The faults in effect on top of the lab's own, with their ids. */
  get faults(): LiveFault[] {
    return this.#faults.list();
  }

  /**
   * Injects one fault into the running sandbox, live (#realise): only what it touches changes,
   * the trace goes on with the injection as an event in it. With `ttlSeconds` it reverts by
   * itself. A fault that cannot apply is refused before anything changes.
   */
  injectFault(fault: FaultSpec, ttlSeconds?: number, incident?: string): Promise<LiveFault> {
    brokenSpec(this.doc, [...this.#faults.specs, fault]);
    return this.#serial(async () => {
      const change = await this.#realise(this.#withFixes(brokenSpec(this.doc, [...this.#faults.specs, fault])));
      const live = this.#faults.add(fault, ttlSeconds);
      const record = this.#incidents.add(incident ?? String(live.id), fault);
      this.#liveIncidents.set(live.id, record.id);
      const what = this.#hideInjections ? `incident ${record.id}` : `${faultName(fault)} (#${live.id}${ttlSeconds === undefined ? '' : `, reverts after ${ttlSeconds} s`})`;
      this.#trace?.change('fault-injected', `fault injected: ${what}`, change);
      this.events.emit('standing');
      return live;
    });
  }

  /** Fixes and verify unlock with the lab's own diagnosis, or with any incident's. */
  get #mayRepair(): boolean {
    return this.#diagnosed || this.#incidents.anyDiagnosed;
  }

  /** The injected faults the page may see: all of them, but a drill's only once their incident is diagnosed. */
  #shownFaults(): FaultSpec[] {
    if (!this.#hideInjections) return structuredClone(this.#extraFaults);
    const live = this.#faults.list();
    return this.#extraFaults.filter((_, i) => this.#incidents.get(this.#liveIncidents.get(live[i]!.id) ?? '')?.diagnosis === 'correct');
  }

  /** Takes an injected fault out, live; FAULT_NOT_FOUND for an id not in effect (never injected, cleared, or reverted). */
  clearFault(id: number): Promise<void> {
    if (!this.#faults.has(id)) throw new ApiError('FAULT_NOT_FOUND', `no fault ${id} is in effect (in effect: ${this.#faults.list().map((fault) => fault.id).join(', ') || 'none'})`);
    return this.#serial(async () => {
      const live = this.#faults.list();
      const fault = live.find((candidate) => candidate.id === id);
      if (!fault) throw new ApiError('FAULT_NOT_FOUND', `fault ${id} was cleared meanwhile`);
      const rest = this.#faults.specs.filter((_, i) => live[i]!.id !== id);
      const change = await this.#realise(this.#withFixes(brokenSpec(this.doc, rest)));
      this.#faults.remove(id);
      const incident = this.#liveIncidents.get(id);
      this.#liveIncidents.delete(id);
      this.#trace?.change('fault-cleared', `fault cleared: ${this.#hideInjections && incident !== undefined ? `incident ${incident}` : `${faultName(fault)} (#${id})`}`, change);
    });
  }

  /** Faults first, then the fixes so far: a drill's new fault does not undo the learner's fixes. */
  #withFixes(broken: LabSpec): LabSpec {
    try {
      return applyFixes(broken, this.#fixes);
    } catch (error) {
      throw faultApiError(error, 'FIX_NOT_APPLICABLE', 'a fix applied earlier no longer applies: ');
    }
  }

  /** The faults the learner's lab has on top of its own (the spec's, the grading's). */
  get #extraFaults(): FaultSpec[] {
    return this.#faults.specs;
  }

  /**
   * Real traffic on every edge, as much as the lab's causes need to show (grading.ts
   * verifyPlan); green only when each edge behaves (checkEdges), whatever repaired it.
   * Green completes the lab (once diagnosed) and fixes every incident so far.
   */
  verify(): Promise<VerifyResponse> {
    if (!this.#mayRepair) throw new ApiError('NOT_DIAGNOSED');
    return this.#exclusive(async () => {
      const causes = [this.doc.spec.scenario.answer, ...this.#extraFaults.map((fault) => fault.kind)];
      const plan = verifyPlan(this.doc.spec, causes, this.#options.verifyRequests);
      const { edges } = await this.#traffic(plan.requests, {});
      // Judged against the lab as written: a fault must not change what an edge should do.
      const checks = checkEdges(this.doc.spec, plan, edges);
      const green = isGreen(checks);
      this.#record({ kind: 'verify', green });
      let progress;
      if (green) {
        this.#incidents.markFixed();
        this.events.emit('standing');
      }
      // The lab is complete once its own diagnosis is right too: an incident's alone does not solve it.
      if (green && this.#diagnosed && !this.#completed) {
        this.#completed = true;
        this.#solvedInMs = Date.now() - this.#startedAt;
        clearTimeout(this.#deadlineTimer);
        progress = await this.#options.progress.recordCompletion(this.owner, this.doc.spec.id, {
          score: this.#score(),
          timeMs: this.#solvedInMs,
          hintsUsed: this.#hintsShown,
          wrongDiagnoses: this.#wrongDiagnoses,
        });
        this.#publishStatus();
      }
      return { green, checks, edges, completed: this.#completed, score: this.#score(), ...(progress ? { progress } : {}) };
    });
  }

  /** The recording so far as pcapng (key log embedded) and the NSS key log beside it. */
  capture(): { pcapng: Uint8Array; keylog: string } {
    const sandbox = this.#running();
    // Both ends of a TLS 1.3 connection log the same secrets: each line once.
    const keylog = [...new Set(keylogLines(sandbox.keylog))];
    return { pcapng: writePcapng(sandbox.tap.connections.length ? sandboxRecording(sandbox) : [], { keylog }), keylog: keylogText(keylog) };
  }

  /**
   * Stops at once, even during traffic (which then fails with SANDBOX_NOT_RUNNING); `reason`
   * goes to the pages in the status push. Idempotent.
   */
  async stop(reason: StopReason = 'stopped'): Promise<void> {
    if (this.#status === 'stopped') return;
    clearTimeout(this.#deadlineTimer);
    this.#status = 'stopped';
    this.#faults.clear();
    this.#publishStatus(reason);
    const sandbox = this.#detach();
    await sandbox?.stop();
  }

  /**
   * 'time-up' at the deadline: the registry stops the sandbox, and every page of it hears status
   * stopped (time-up). A timer fires at once past 2^31-1 ms (nodejs.org/api/timers.html), and a
   * lab's minutes have no upper bound, so a long one is waited for in steps.
   */
  #armDeadline(): void {
    const leftMs = this.#deadline! - Date.now();
    if (leftMs <= 0) return void this.events.emit('time-up');
    this.#deadlineTimer = setTimeout(() => this.#armDeadline(), Math.min(leftMs, 2 ** 31 - 1));
  }

  #score(): number {
    return scoreOf(this.#hintsShown, this.#wrongDiagnoses, this.#wrongFixes);
  }

  #reveal(): Reveal {
    const { answer, explain, fix } = this.doc.spec.scenario;
    return {
      rootCause: { id: answer, title: rootCauseTitle(answer), summary: rootCauseSummary(answer) },
      explanation: explain,
      stackWording: structuredClone(rootCauseCatalogue.get(answer)?.wording ?? {}),
      ...(this.#completed ? { fix: structuredClone(fix) } : {}),
      distractors: distractorReasons(this.doc.spec.scenario, this.#choices),
    };
  }

  /** The wire faults on the running sandbox (api/wireFaults.ts); a new generation starts with none. */
  get wireFaults(): readonly WireFaultSpec[] {
    return this.#sandbox?.wireFaults ?? [];
  }

  /** Replaces the running sandbox's wire faults, live: no process restarts, the trace goes on (runtime Sandbox.setWireFaults). */
  setWireFaults(faults: readonly WireFaultInput[]): Promise<readonly WireFaultSpec[]> {
    return this.#running().setWireFaults(faults);
  }

  #running(): Sandbox {
    if (!this.#sandbox || this.#status !== 'running') throw new ApiError('SANDBOX_NOT_RUNNING', `it is ${this.#status}`);
    return this.#sandbox;
  }

  get #maxTrafficMs(): number {
    return this.#options.maxTrafficMs ?? maxTrafficRunMs;
  }

  /**
   * Runs traffic for at most #maxTrafficMs from its turn on this machine, or until `signal`
   * aborts; `run` is the one #trafficRun names meanwhile. Each client's first request goes at
   * once, so the trace starts while the rest waits in line (trafficBudget.ts).
   */
  async #traffic(requests: number, run: TrafficRun, signal?: AbortSignal): Promise<TrafficResponse> {
    const sandbox = this.#running();
    const limitMs = this.#maxTrafficMs;
    const timeLimit = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const sent = new AbortController();
    let waited = false;
    const turn = this.#options.trafficBudget.admit(trafficCostRps(this.#spec), {
      signal: signal ? AbortSignal.any([signal, sent.signal]) : sent.signal,
      onWaiting: (ahead) => {
        waited = true;
        this.#publish({ type: 'traffic', sandbox: this.id, waiting: ahead });
      },
    });
    const admitted = turn.then(() => {
      if (sent.signal.aborted) return;
      run.startedAt = Date.now();
      timer = setTimeout(() => timeLimit.abort(), limitMs);
      if (waited) this.#publish({ type: 'traffic', sandbox: this.id, waiting: null });
    });
    // Left the line (the caller went, or the run ended first): the signal has stopped the run.
    void admitted.catch(() => undefined);
    this.#trafficRun ??= run;
    const health = this.#health;
    health?.start();
    let edges: EdgeReport[];
    try {
      edges = await sandbox.runTraffic({ requests, admitted, signal: signal ? AbortSignal.any([signal, timeLimit.signal]) : timeLimit.signal });
    } catch (error) {
      if (this.#sandbox !== sandbox) throw new ApiError('SANDBOX_NOT_RUNNING', 'it was stopped during the traffic run');
      throw error;
    } finally {
      // Done before its turn came (one request each, or stopped): it leaves the line.
      sent.abort();
      void turn.then((release) => release(), () => undefined);
      clearTimeout(timer);
      if (this.#trafficRun === run) this.#trafficRun = undefined;
      health?.stop();
      // Keep-alive connections stay open after the run: show them now, complete them on close.
      this.#trace?.flushOpen();
    }
    const cut = timeLimit.signal.aborted && edges.some((edge) => edge.requests < requests);
    return cut ? { edges, stopped: { reason: 'time-limit', limitMs, requested: requests } } : { edges };
  }

  /** TRAFFIC_RUNNING, saying how long the run in the way may still take at most. */
  #trafficRunning(run: TrafficRun): ApiError {
    const limitMs = this.#maxTrafficMs;
    // Requests in flight when the run stops sending still finish, each within its pool's timeout.
    const drainMs = Math.max(0, ...Object.values(this.#spec.clients).map((client) => client.pool.timeoutMs)) + reportSettleMs;
    const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
    if (run.startedAt === undefined) {
      return new ApiError('TRAFFIC_RUNNING', `a run just accepted takes ${seconds(limitMs + drainMs)} s at most once it starts (after any fix, fault change or verify under way, and its turn on this machine); try again after it`);
    }
    const leftMs = Math.max(0, run.startedAt + limitMs - Date.now()) + drainMs;
    return new ApiError('TRAFFIC_RUNNING', `the run under way ends within ${seconds(leftMs)} s (runs send for ${seconds(limitMs)} s at most); try again after it`);
  }

  /**
   * Realises `spec` on the running sandbox, live (runtime Sandbox.reconfigure): only the
   * certificates and processes it changes are touched, open connections and the trace go on.
   * The next generation: the certificates may differ, the trace is the same timeline.
   */
  async #realise(spec: LabSpec): Promise<SpecChange> {
    const sandbox = this.#running();
    let change: SpecChange;
    try {
      change = await sandbox.reconfigure(spec);
    } catch (error) {
      if (this.#sandbox !== sandbox) throw new ApiError('SANDBOX_NOT_RUNNING', 'it was stopped during the change');
      this.#options.logger.error(`sandbox ${this.id} did not take a change of lab ${spec.id}`, error);
      throw new ApiError('CHANGE_FAILED', error instanceof Error ? error.message : String(error));
    }
    this.#spec = spec;
    this.#generation++;
    this.#publishStatus();
    return change;
  }

  /** Runs spec changes one after another, whatever else runs (a traffic run goes on through them). */
  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(operation, operation);
    this.#changes = run.catch(() => undefined);
    return run;
  }

  #attach(sandbox: Sandbox): void {
    this.#sandbox = sandbox;
    this.#trace = new TraceStore(sandbox, this.id, (conn, events) => this.#publish({ type: 'trace', sandbox: this.id, generation: this.#generation, conn, events: this.#shown(events) }));
    this.#health = new EdgeHealthMeter(sandbox, (client, service) => expectationOf(this.doc.spec, client, service), (edges, final) =>
      this.#publish({ type: 'health', sandbox: this.id, generation: this.#generation, windowMs: this.#health?.windowMs ?? 1000, final, edges }),
    );
  }

  #detach(): Sandbox | undefined {
    const sandbox = this.#sandbox;
    this.#trace?.detach();
    this.#health?.stop();
    this.#sandbox = undefined;
    this.#trace = undefined;
    this.#health = undefined;
    return sandbox;
  }

  #shown(events: TraceEvent[]): TraceEvent[] {
    return this.#diagnosed ? events : events.map((event) => factsOnly(event, this.#analysis));
  }

  #described(description: SandboxDescription): PageDescription {
    return this.#diagnosed ? description : withoutPolicy(description);
  }

  /** Every connection again, now with what the explainer concluded: each page following the sandbox replaces its facts-only copy. */
  #publishConclusions(): void {
    const byConn = new Map<number, TraceEvent[]>();
    for (const event of this.#trace?.events() ?? []) byConn.set(event.conn, [...(byConn.get(event.conn) ?? []), event]);
    for (const [conn, events] of byConn) this.#publish({ type: 'trace', sandbox: this.id, generation: this.#generation, conn, events });
  }

  #publishStatus(reason?: StopReason): void {
    this.#publish({ type: 'status', sandbox: this.id, generation: this.#generation, status: this.#status, completed: this.#completed, diagnosed: this.#diagnosed, ...(reason ? { reason } : {}) });
    this.events.emit('standing');
  }

  /** 'answer' for whoever keeps a record of how the lab was worked (an interview's activity log). */
  #record(answer: SessionAnswer): void {
    this.events.emit('answer', answer);
  }

  #publish(message: ServerMessage): void {
    this.events.emit('message', message);
  }

  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
