/**
 * What crosses between the server and the browser: JSON API payloads and WebSocket
 * messages. One place both import (the web app's typed client uses these types). Plain data
 * only. Nothing here carries a scenario's answer, evidence, hints, fix list or explanation
 * before the learner has earned it: `Reveal` comes only with a correct diagnosis.
 *
 *   browser ──HTTP /api/*──▶ app ──▶ LabSession ──▶ runtime sandbox
 *   browser ◀──/ws: trace | health | status ── WsHub ◀── LabSession events
 *   browser ◀──/ws: scoreboard ── WsHub ◀── Scoreboard ◀── every LabSession's standing
 *   browser ──/ws: terminal-open | -input | -resize | -detach──▶ WsHub ──▶ the sandbox's shell
 *   browser ◀──/ws: terminal-output | terminal-exit── WsHub ◀── the sandbox's shell
 */
import type { TraceEvent } from '../explain/index.js';
import type { ParamDescription, StackWordings, TargetKind } from '../faults/index.js';
import type { FaultSpec, FixActionSpec } from '../lab/schema.js';
import type { LabSummary } from '../lab/summary.js';
import type { InspectedCertificate } from '../pki/inspectFile.js';
import type { EdgeReport, SandboxDescription, ServiceDescription, WireDirection, WireFaultInput, WireFaultSpec } from '../runtime/index.js';
import type { TerminalEndReason } from '../terminal/terminalSession.js';
import type { TriageCommand } from '../terminal/triageCommands.js';
import type { ApiErrorBody } from './errors.js';
import type { LiveFault } from './liveFaults.js';
import type { InterviewView } from './interviews/interviewProtocol.js';

export type { ApiErrorBody, EdgeReport, InspectedCertificate, LiveFault, WireDirection, WireFaultInput, WireFaultSpec, LabSummary, ParamDescription, SandboxDescription, TargetKind, TerminalEndReason, TraceEvent, TriageCommand };

/** A lab's progress, as stored in progress.json. */
export interface LabProgress {
  completed: boolean;
  /** ISO time of the first completion. */
  completedAt?: string;
  bestScore: number;
  lastScore: number;
  /** From start to the green verify, of the best run. */
  timeMs: number;
  hintsUsed: number;
  wrongDiagnoses: number;
  completions: number;
}

export interface ProgressSummary {
  labs: Record<string, LabProgress>;
  completed: number;
  totalScore: number;
}

/** GET /api/labs */
export interface LabListing extends LabSummary {
  progress: LabProgress | null;
}
export interface LabsResponse {
  labs: LabListing[];
  progress: Omit<ProgressSummary, 'labs'>;
}

/** GET /api/catalogue: what a learner may pick from; no lab's answer in it. */
export interface CatalogueResponse {
  rootCauses: Array<{ id: string; title: string }>;
  fixActions: FixActionView[];
  /** Faults one may inject into a running sandbox (POST …/faults): the root causes' kinds again, with what each targets. */
  faults: FaultKindView[];
  /** Wire faults for PUT …/wire-faults, on any edge. */
  wireFaults: WireFaultKindView[];
}

/** A fault to inject: what it targets (the sandbox's fixTargets of that kind), and its params. */
export interface FaultKindView {
  kind: string;
  title: string;
  target: TargetKind;
  params: ParamDescription[];
}

/** A wire fault: the directions where it means something (both when absent), and its params. */
export interface WireFaultKindView {
  kind: string;
  title: string;
  directions?: readonly WireDirection[];
  params: ParamDescription[];
}

/** A fix action a learner may choose: what it targets, and the params it takes (type, rule, default). */
export interface FixActionView {
  action: string;
  title: string;
  target: TargetKind;
  params: ParamDescription[];
}

/** The scenario as the browser sees it before the answer: symptom, question, choices, hints shown so far. */
export interface ScenarioView {
  symptom: string;
  question: string;
  /** The answer among the distractors, in this sandbox's own order (quiz.ts): ids and titles, nothing more. */
  choices: Array<{ id: string; title: string }>;
  hints: { shown: string[]; total: number; nextCost: number | null };
}

export type SandboxStatus = 'starting' | 'running' | 'stopped' | 'failed';

/** Why a sandbox stopped: asked to (DELETE, shutdown), no page of its learner open for the idle time, an interview's time ran out. */
export type StopReason = 'stopped' | 'idle' | 'time-up';

/** POST /api/sandboxes, GET /api/sandboxes/:id */
export interface SandboxView {
  id: string;
  lab: string;
  title: string;
  /** Who works it, as they named themselves when starting (a drill's scoreboard shows it). */
  learner: string | null;
  status: SandboxStatus;
  /** Interview mode: timed, no hints. */
  interview: boolean;
  /**
   * An interview's end, kept by the server (which stops the sandbox then): `leftMs` as of this
   * answer, so a page counts down from its own clock. null outside interview mode and once solved.
   */
  deadline: { at: string; leftMs: number } | null;
  /** Bumped at each change of the running sandbox (a fix, a fault injected or cleared): its certificates may differ; the trace goes on. */
  generation: number;
  description: PageDescription | null;
  scenario: ScenarioView;
  diagnosed: boolean;
  wrongDiagnoses: number;
  fixesApplied: FixActionSpec[];
  /** Fixes applied that changed nothing the incident broke; each cost points. */
  wrongFixes: number;
  /** What a fix may target in this lab, by target kind (a fix action's `target`). */
  fixTargets: Record<TargetKind, string[]>;
  /** Faults injected on top of the lab's own (PUT /api/sandboxes/:id/faults); the lab's own stay secret, and so does a drill's incident until it is diagnosed. */
  extraFaults: FaultSpec[];
  /** Each fault injected while it runs is an incident, diagnosed (DiagnosisRequest.incident) and fixed on its own. */
  incidents: SandboxIncident[];
  completed: boolean;
  score: number;
  startedAt: string;
  /**
   * Time on the lab as of this answer, and once solved the time it took: a page counts on from
   * its own clock (a browser's clock may differ from the server's, and the start may have taken a while).
   */
  elapsedMs: number;
  /** Present once the diagnosis was graded correct. */
  reveal?: Reveal;
}

/**
 * The running sandbox as the page sees it: until the diagnosis, each service without its
 * configured client auth and mode, which would state some labs' answer (conclusions.ts).
 */
export type PageDescription = Omit<SandboxDescription, 'services'> & {
  services: Record<string, Omit<ServiceDescription, 'mode' | 'clientAuth'> & Partial<Pick<ServiceDescription, 'mode' | 'clientAuth'>>>;
};

/**
 * An injected fault as the learner sees it: an id and when (ms after the sandbox started);
 * its kind, target and the fix actions that undo it only once diagnosed correct.
 */
export interface SandboxIncident {
  id: string;
  injectedMs: number;
  diagnosis: 'none' | 'wrong' | 'correct';
  /** A green Verify since it was injected. */
  fixed: boolean;
  kind?: string;
  title?: string;
  target?: string;
  /** Fix actions (GET /api/catalogue fixActions) any one of which undoes it. */
  fixes?: string[];
}

/** One sandbox on a drill's scoreboard: who, which lab, how far. Never the answer, nor the sandbox's id. */
export interface Standing {
  learner: string | null;
  lab: string;
  title: string;
  status: SandboxStatus;
  interview: boolean;
  diagnosed: boolean;
  wrongDiagnoses: number;
  wrongFixes: number;
  hintsUsed: number;
  completed: boolean;
  score: number;
  startedAt: string;
  /** From start to the green verify; absent until then. */
  solvedInMs?: number;
}

/** GET /api/scoreboard, the reply to scoreboard-subscribe, and each `scoreboard` push: best first. */
export interface ScoreboardResponse {
  standings: Standing[];
}

/** What a correct diagnosis unlocks. */
export interface Reveal {
  rootCause: { id: string; title: string; summary: string };
  explanation: string;
  /** How each TLS stack words this root cause. */
  stackWording: StackWordings;
  /** The lab's own repair, once the lab is solved: until then the fix is the learner's decision. */
  fix?: FixActionSpec[];
  /** The other choices, in the order the page showed them, each with why it is wrong for this incident. */
  distractors: Array<{ id: string; title: string; why: string }>;
}

/** POST /api/sandboxes/:id/hints */
export interface HintResponse {
  hint: string;
  /** 1-based. */
  index: number;
  total: number;
  cost: number;
  score: number;
}

/** POST /api/sandboxes/:id/diagnosis — body: DiagnosisRequest */
export interface DiagnosisRequest {
  rootCause: string;
  evidence: { conn: number; seq: number };
  /** An injected incident's id (SandboxView.incidents): graded by that fault's root cause, any of the catalogue's, instead of the lab's answer. */
  incident?: string;
}
export interface DiagnosisResponse {
  correct: boolean;
  reason: string;
  score: number;
  reveal?: Reveal;
  /** A correct incident diagnosis: what it was, and the fix actions that undo it. */
  incident?: SandboxIncident;
}

/** POST /api/sandboxes/:id/traffic — body { requests } */
export interface TrafficResponse {
  /** Each edge counts the requests actually sent. */
  edges: EdgeReport[];
  /** Present when the run hit its time limit before every client sent `requested` requests. */
  stopped?: { reason: 'time-limit'; limitMs: number; requested: number };
}

/** What an edge must do by the lab's policy (grading.ts expectationOf), and why, in words. */
export interface EdgeExpectation {
  /** `ok`: every request answered; `refused`: the caller must get nothing (served, it is a security finding). */
  expect: 'ok' | 'refused';
  /** `a plaintext caller must be refused: records requires mTLS`. */
  why: string;
}

/** One edge as verify judged it. */
export interface EdgeCheck extends EdgeExpectation {
  client: string;
  service: string;
  requests: number;
  ok: number;
  failed: number;
  handshakesPerRequest: number;
  pass: boolean;
}

/** POST /api/sandboxes/:id/verify */
export interface VerifyResponse {
  green: boolean;
  checks: EdgeCheck[];
  edges: EdgeReport[];
  completed: boolean;
  score: number;
  progress?: LabProgress;
}

/** GET /api/me: who this browser is, and their sandboxes (a reload or a second tab goes back to one). */
export interface MeResponse {
  /** The name they last gave, or null. */
  name: string | null;
  /** `host`: holds the run's token; else how they joined (participants.ts), which is all they may reach. */
  role: 'host' | 'learner' | 'candidate' | 'interviewer';
  /** Their sandboxes, running or not yet stopped, oldest first. */
  sandboxes: SandboxView[];
}

/** GET /api/sandboxes/:id/trace */
export interface TraceResponse {
  generation: number;
  events: TraceEvent[];
}

/** A PEM file of the sandbox and what is in it, in file order. */
export interface CertificateFile {
  /** Relative to the sandbox directory, where the terminal starts: `openssl x509 -in <file>` opens it. */
  file: string;
  /** What `openssl x509` reads in each: its fields and dates, not the server's judgement of them (a conclusion the page draws after the diagnosis). */
  certificates: Array<Omit<InspectedCertificate, 'validity'>>;
}

/** A service or a client of the sandbox: the chain it presents and the anchors it verifies its peer with. */
export interface CertificateHolder {
  role: 'service' | 'client';
  name: string;
  /** Who it talks to: the service a client calls; the clients that call a service. */
  peers: string[];
  /** What it presents, leaf first; null when it presents nothing. */
  sends: CertificateFile | null;
  /** null when the lab gives it no bundle of its own. */
  trusts: CertificateFile | null;
}

/** GET /api/sandboxes/:id/certificates: the files a learner can read with `openssl x509`, nothing more. */
export interface CertificatesResponse {
  generation: number;
  /** ISO time each certificate's validity was judged at. */
  checkedAt: string;
  holders: CertificateHolder[];
}

/** One edge's requests in a window of live traffic (or, with `final`, the whole run), as its client saw them, beside what it must do. */
export interface EdgeRate extends EdgeExpectation {
  client: string;
  service: string;
  ok: number;
  failed: number;
  timeouts: number;
  /** How each request got its connection: a new one with a full handshake, a resumed session, an idle keep-alive socket. */
  handshakes: number;
  resumed: number;
  reused: number;
  /** Most requests waiting for a socket in the client's pool. */
  maxQueueDepth: number;
  /** Median latency, queueing included; null without requests. */
  p50Ms: number | null;
}

// ── WebSocket (/ws): one socket per tab; requests carry an id, replies echo it. A socket is its
// learner's (learners.ts): subscribe and terminal-open reach only their sandboxes, unless it
// came with the operator's token as Bearer; another's is SANDBOX_NOT_FOUND. ──

export type ClientMessage =
  | { id: number | string; type: 'subscribe'; sandbox: string }
  | { id: number | string; type: 'unsubscribe'; sandbox: string }
  | { id: number | string; type: 'ping' }
  /** Follows every sandbox's standing (a drill's scoreboard): the reply has them now, `scoreboard` pushes each change. */
  | { id: number | string; type: 'scoreboard-subscribe' }
  | { id: number | string; type: 'scoreboard-unsubscribe' }
  /** Follows a room (rooms API): the reply is the caller's view of it now (RoomConsole for the host, RoomLearnerView for a learner of it), `room` pushes each change. */
  | { id: number | string; type: 'room-subscribe'; room: string }
  | { id: number | string; type: 'room-unsubscribe'; room: string }
  /** Follows an interview (its host or interviewer only): the reply is its InterviewView now, `interview` pushes each change. */
  | { id: number | string; type: 'interview-subscribe'; interview: string }
  | { id: number | string; type: 'interview-unsubscribe'; interview: string }
  /** Attaches this tab to the sandbox's shell, started if none runs (one per sandbox, shared by tabs). */
  | { id: number | string; type: 'terminal-open'; sandbox: string; cols: number; rows: number }
  /** This tab stops following the shell; the shell keeps running for the next open. */
  | { id: number | string; type: 'terminal-detach'; sandbox: string }
  /** Keystrokes and pastes, as the terminal produced them; no reply. */
  | { type: 'terminal-input'; sandbox: string; data: string }
  | { type: 'terminal-resize'; sandbox: string; cols: number; rows: number };

export type ServerMessage =
  | { type: 'reply'; id: number | string | null; ok: true; result: SubscribeResult | TerminalOpenResult | ScoreboardResponse | RoomSubscribeResult | InterviewView | Record<string, never> }
  | ({ type: 'reply'; id: number | string | null; ok: false } & ApiErrorBody)
  /** A connection's events, whole: replaces what was sent for (sandbox, generation, conn) before. */
  | { type: 'trace'; sandbox: string; generation: number; conn: number; events: TraceEvent[] }
  /** Once a second while traffic runs; `final` with the run's exact totals when it ends. */
  | { type: 'health'; sandbox: string; generation: number; windowMs: number; final: boolean; edges: EdgeRate[] }
  /** A traffic or verify run waiting its turn on this machine (app/trafficBudget.ts): the runs ahead of it; null once it goes. */
  | { type: 'traffic'; sandbox: string; waiting: number | null }
  /** `reason` comes with status stopped. */
  | { type: 'status'; sandbox: string; generation: number; status: SandboxStatus; completed: boolean; diagnosed: boolean; reason?: StopReason }
  /** Every sandbox's standing, after any of them changed (coalesced per tick). */
  | ({ type: 'scoreboard' } & ScoreboardResponse)
  /** The caller's view of a room it follows, after each change (a join, a standing, the clock, an incident, the timeline). */
  | { type: 'room'; room: RoomConsole | RoomLearnerView }
  /** An interview its host or interviewer follows, after each change (an activity entry, a lab, the state). */
  | { type: 'interview'; interview: InterviewView }
  /** What the sandbox's shell printed, in order (to every tab attached to it). */
  | { type: 'terminal-output'; sandbox: string; data: string }
  /** The shell is gone; a terminal-open starts a fresh one (after a restart: in the new directory). */
  | { type: 'terminal-exit'; sandbox: string; reason: TerminalEndReason; code: number | null };

export interface SubscribeResult {
  sandbox: SandboxView;
  events: TraceEvent[];
}

export interface TerminalOpenResult {
  /** The shell's process id. */
  pid: number;
  /** The sandbox generation it runs in. */
  generation: number;
  /** Commands to paste with one click, the same whatever the lab's fault. */
  triage: TriageCommand[];
  /** The shell's output so far (up to 64 KiB), to draw before the pushes that follow. */
  replay: string;
}

// ── Rooms (team incident drills; server/app/api/rooms.ts) ──

export type RoomState = 'open' | 'running' | 'paused' | 'ended';
export type RoomMode = 'isolated' | 'shared';

/** What each learner works: `labs` in turn (the next once one is solved), or one lab under a seeded chaos schedule. */
export type RoomScenario = { labs: string[] } | { chaos: { lab: string; seed: number; durationS: number } };

/** A step of the scripted timeline, at T+atS on the room's clock. */
export interface TimelineStep {
  /** `s1`, `s2` …, in the order given: a clear step names the inject step whose incident it clears. */
  id: string;
  atS: number;
  action: 'inject' | 'clear';
  kind?: string;
  target?: string;
  params?: Record<string, unknown>;
  /** A clear step's inject step (its id). */
  incident?: string;
  /** `all`, or one learner's participant id. */
  who: string;
  /** When it fired (room ms), the incident it injected or cleared, or why it could not. */
  firedMs?: number;
  firedIncident?: string;
  error?: string;
}

export interface Incident {
  id: string;
  kind: string;
  target?: string;
  who: string;
  /** Room ms. */
  injectedMs: number;
  clearedMs?: number;
  byTimeline: boolean;
}

export interface LearnerRow {
  /** The participant id. */
  id: string;
  name: string;
  sandbox?: string;
  lab: string;
  started: boolean;
  hints: number;
  wrongAnswers: number;
  wrongFixes: number;
  /** The lab's own diagnosis. */
  diagnosis: 'none' | 'wrong' | 'correct';
  fixed: boolean;
  verified: boolean;
  score: number;
  /** Room ms of each incident's correct diagnosis and green verify. */
  incidents: Array<{ incident: string; detectedMs?: number; fixedMs?: number }>;
  /** Why their sandbox did not start (the server full, …). */
  error?: string;
}

/** The facilitator's console. */
export interface RoomConsole {
  id: string;
  code: string;
  joinPath: string;
  title: string;
  state: RoomState;
  elapsedMs: number;
  durationMs: number;
  scenario: RoomScenario;
  mode: RoomMode;
  terminal: boolean;
  learners: LearnerRow[];
  incidents: Incident[];
  timeline: TimelineStep[];
  /** What a fault may target in the room's labs, by target kind: the inject form's choices. */
  targets: Record<TargetKind, string[]>;
}

/** A learner's view of their room: their own sandbox only, the room's scoreboard, no answers. */
export interface RoomLearnerView {
  id: string;
  title: string;
  state: RoomState;
  elapsedMs: number;
  durationMs: number;
  sandbox?: string;
  lab: string;
  scoreboard: Array<{ name: string; score: number; diagnosed: boolean; verified: boolean }>;
}

export interface RoomSummary {
  id: string;
  title: string;
  state: RoomState;
  learners: number;
  elapsedMs: number;
  durationMs: number;
}

/** GET /api/rooms */
export interface RoomsResponse {
  rooms: RoomSummary[];
}

export interface RoomSubscribeResult {
  room: RoomConsole | RoomLearnerView;
}

/** What one learner's traces showed: connections the explainer put down to each root cause. */
export interface TraceFinding {
  rootCause: string;
  title: string;
  connections: number;
  /** The first such connection's verdict, in words. */
  example: string;
}

/** GET /api/rooms/:id/postmortem */
export interface Postmortem {
  room: { id: string; title: string; state: RoomState; scenario: RoomScenario; mode: RoomMode; durationMs: number; elapsedMs: number; startedAt?: string; endedAt?: string };
  /** Everything that happened, in room time: injections, clears, each learner's findings. */
  timeline: Array<{ atMs: number; what: 'injected' | 'cleared' | 'detected' | 'wrong-diagnosis' | 'fixed'; incident: string; learner?: string; text: string }>;
  incidents: Array<
    Incident & {
      title: string;
      summary: string;
      learners: Array<{ id: string; name: string; diagnosis: 'none' | 'wrong' | 'correct'; wrongDiagnoses: number; detectedMs?: number; fixedMs?: number; timeToDetectMs?: number; timeToFixMs?: number }>;
    }
  >;
  /** One per learner and lab they worked (the scenario's labs in turn). */
  learners: Array<Omit<LearnerRow, 'incidents' | 'sandbox'> & { findings: TraceFinding[] }>;
  /** Each lab's own story: its root cause and explanation. */
  labs: Array<{ lab: string; title: string; rootCause: { id: string; title: string; summary: string }; explanation: string }>;
}

// ── Interviews (server/app/api/interviews.ts) ──
export type * from './interviews/interviewProtocol.js';
