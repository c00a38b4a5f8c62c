/**
 * One interview: its labs (each in a drawn variant), its clock and its activity log. The
 * candidate's joining starts it; the interview starts the candidate's sandboxes itself, one
 * lab after another, in interview mode (no hints unless allowed, a countdown, no automatic
 * conclusions: labSession.ts, conclusions.ts).
 *
 *   candidate joins ──begin──▶ clock starts ──▶ lab 1: SandboxRegistry.start(lab, {owner: candidate, interview, vary})
 *   LabSession 'answer' (hint, diagnosis, fix, verify) · 'typed' (a terminal line) ──▶ ActivityLog
 *   the candidate's page (an event opened, a certificate inspected) ──report──▶ ActivityLog
 *   candidate: next ──▶ lab n stops ──▶ lab n+1 …  ·  the last lab done, the host ends it, or the time is up ──▶ ended
 *
 * Every change says 'change' on `changes`: the interviewer's view follows it live.
 */
import { EventEmitter } from 'node:events';
import { ApiError, type ErrorLogger } from '../errors.js';
import { rootCauseTitle } from '../grading.js';
import type { LabSession, SessionAnswer } from '../labSession.js';
import type { Participant } from '../participants.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { ActivityLog, allOf, timeToFirstHypothesisMs } from './activityLog.js';
import type { ActivityReport, CandidateInterview, InterviewLabView, InterviewState, InterviewView, LabEndReason } from './interviewProtocol.js';
import { variedDoc, type PlannedLab } from './interviewPlan.js';
import { applyVariant, describeVariant } from './variants.js';

export interface InterviewSettings {
  minutes: number;
  hints: boolean;
  seed: number;
}

/** One lab's run within the interview. */
interface StepRun {
  session: LabSession;
  startedAt: number;
  endedAt?: number;
  ended?: LabEndReason;
  unlisten: () => void;
}

export class Interview {
  readonly id: string;
  readonly settings: InterviewSettings;
  readonly createdAt = Date.now();
  readonly changes = new EventEmitter();
  readonly log: ActivityLog;
  readonly #labs: readonly PlannedLab[];
  readonly #registry: SandboxRegistry;
  readonly #logger: ErrorLogger;
  readonly #runs: StepRun[] = [];
  #state: InterviewState = 'waiting';
  #startedAt: number | null = null;
  #endedAt: number | null = null;
  #candidate: Participant | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The step starting, if one is: `next` waits for it rather than starting two. */
  #starting: Promise<void> | undefined;

  constructor(id: string, labs: readonly PlannedLab[], settings: InterviewSettings, registry: SandboxRegistry, logger: ErrorLogger) {
    this.id = id;
    this.#labs = labs;
    this.settings = settings;
    this.#registry = registry;
    this.#logger = logger;
    this.log = new ActivityLog(() => this.#startedAt);
    this.changes.setMaxListeners(0);
    this.log.changes.on('entry', () => this.changes.emit('change'));
  }

  get state(): InterviewState {
    return this.#state;
  }

  get candidate(): Participant | undefined {
    return this.#candidate;
  }

  /** The candidate joined: the clock starts and so does the first lab. */
  async begin(candidate: Participant): Promise<void> {
    if (this.#state !== 'waiting') throw new ApiError('INTERVIEW_ENDED', `interview ${this.id} is ${this.#state}`);
    this.#candidate = candidate;
    this.#state = 'running';
    this.#startedAt = Date.now();
    this.#timer = setTimeout(() => void this.end('time-up'), this.settings.minutes * 60_000);
    await this.#startStep(0);
  }

  /** Resolves once the lab starting (if one is) has started or failed to. */
  async settled(): Promise<void> {
    await this.#starting?.catch(() => undefined);
  }

  /** The candidate moves on: the current lab ends (solved or not) and the next one starts; after the last, the interview ends. */
  async next(): Promise<CandidateInterview> {
    if (this.#state !== 'running') throw new ApiError('INTERVIEW_ENDED', `interview ${this.id} is ${this.#state}`);
    await this.#starting;
    const step = this.#runs.length - 1;
    await this.#endStep(step, this.#runs[step]?.session.view().completed ? 'completed' : 'stopped');
    if (step + 1 < this.#labs.length) await this.#startStep(step + 1);
    else await this.end('ended');
    return this.candidateView();
  }

  /** Ends the interview (the host or an interviewer, the last lab done, or the time up): the lab running stops. Idempotent. */
  async end(reason: 'ended' | 'time-up'): Promise<void> {
    if (this.#state === 'ended') return;
    if (this.#state === 'waiting') this.#startedAt = null;
    this.#state = 'ended';
    this.#endedAt = Date.now();
    clearTimeout(this.#timer);
    await this.#starting?.catch(() => undefined);
    const step = this.#runs.length - 1;
    if (step >= 0) await this.#endStep(step, reason);
    this.changes.emit('change');
  }

  /** What the candidate's page saw them do in `sandbox`, which must be this interview's lab running now. */
  report(sandbox: string, report: ActivityReport): void {
    const step = this.#runs.findIndex((run) => run.session.id === sandbox);
    const run = this.#runs[step];
    if (!run || run.ended !== undefined) throw new ApiError('SANDBOX_NOT_RUNNING', 'this interview lab is over');
    const lab = this.#labs[step]!.doc.spec.id;
    if (report.kind === 'event-opened') {
      const event = run.session.trace().events.find((each) => each.conn === report.conn && each.seq === report.seq);
      if (!event) throw new ApiError('TRACE_EVENT_NOT_FOUND', `connection ${report.conn}, event ${report.seq}`);
      this.log.record(step, lab, { kind: 'event-opened', conn: report.conn, seq: report.seq, label: `${event.dir === 'c2s' ? 'client → server' : event.dir === 's2c' ? 'server → client' : event.dir} ${event.type}` });
    } else {
      this.log.record(step, lab, { kind: 'certificate-inspected', subject: report.subject, source: report.source });
    }
  }

  /** The sandbox the candidate works now, or null. */
  get currentSandbox(): LabSession | null {
    const run = this.#runs.at(-1);
    return run && run.ended === undefined ? run.session : null;
  }

  candidateView(): CandidateInterview {
    const current = this.currentSandbox;
    return {
      id: this.id,
      state: this.#state,
      step: Math.max(0, this.#runs.length - 1),
      labs: this.#labs.length,
      sandbox: current?.id ?? null,
      lab: current?.doc.spec.id ?? null,
      deadline: this.#deadline,
      hints: this.settings.hints,
    };
  }

  /** The interviewer's view: everything, the key included. */
  view(interviewers: readonly Participant[]): InterviewView {
    const labs = this.#labs.map((planned, step) => this.#labView(planned, step));
    return {
      id: this.id,
      state: this.#state,
      createdAt: new Date(this.createdAt).toISOString(),
      startedAt: this.#startedAt === null ? null : new Date(this.#startedAt).toISOString(),
      endedAt: this.#endedAt === null ? null : new Date(this.#endedAt).toISOString(),
      deadline: this.#deadline,
      elapsedMs: this.#startedAt === null ? null : (this.#endedAt ?? Date.now()) - this.#startedAt,
      minutes: this.settings.minutes,
      hints: this.settings.hints,
      seed: this.settings.seed,
      step: Math.max(0, this.#runs.length - 1),
      candidate: this.#candidate ? { id: this.#candidate.id, name: this.#candidate.name } : null,
      interviewers: interviewers.map((p) => ({ id: p.id, name: p.name })),
      labs,
      activity: this.log.entries(),
      firstHypothesisMs: labs[0]?.firstHypothesisMs ?? null,
    };
  }

  get #deadline(): string | null {
    return this.#state === 'running' && this.#startedAt !== null ? new Date(this.#startedAt + this.settings.minutes * 60_000).toISOString() : null;
  }

  #labView({ doc, variant }: PlannedLab, step: number): InterviewLabView {
    const run = this.#runs[step];
    const entries = this.log.ofStep(step);
    const diagnoses = allOf(entries, 'diagnosis');
    const last = diagnoses.at(-1);
    // The key as the candidate meets the lab: a renamed edge renames the fix's target too.
    const { title, scenario } = variant ? applyVariant(doc.spec, variant) : doc.spec;
    const { answer, fix } = scenario;
    return {
      lab: doc.spec.id,
      title,
      level: doc.spec.level,
      tags: [...doc.spec.tags],
      variant: describeVariant(variant),
      sandbox: run?.session.id ?? null,
      startedAt: run ? new Date(run.startedAt).toISOString() : null,
      endedAt: run?.endedAt === undefined ? null : new Date(run.endedAt).toISOString(),
      ended: run?.ended ?? null,
      firstHypothesisMs: timeToFirstHypothesisMs(entries),
      diagnosis: last ? { rootCause: last.rootCause, title: last.title, correct: last.correct } : null,
      wrongDiagnoses: diagnoses.filter((each) => !each.correct).length,
      fixes: allOf(entries, 'fix').map(({ action, target, wrong }) => ({ action, ...(target === undefined ? {} : { target }), wrong })),
      verified: allOf(entries, 'verify').some((each) => each.green),
      hintsUsed: allOf(entries, 'hint').length,
      answer: { rootCause: answer, title: rootCauseTitle(answer), fix: fix.map((each) => `${each.action}${each.target === undefined ? '' : ` on ${each.target}`}`) },
    };
  }

  #startStep(step: number): Promise<void> {
    const starting = this.#start(step).finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
    this.#starting = starting;
    return starting;
  }

  async #start(step: number): Promise<void> {
    const candidate = this.#candidate!;
    const { doc, variant } = this.#labs[step]!;
    const deadlineAt = this.#startedAt! + this.settings.minutes * 60_000;
    const session = await this.#registry.start(doc.spec.id, {
      owner: candidate.learner,
      learner: candidate.name,
      interview: true,
      interviewHints: this.settings.hints,
      vary: (current) => variedDoc(current, variant),
      deadlineAt,
    });
    if (this.#state !== 'running') {
      await this.#registry.stop(session.id, 'stopped');
      return;
    }
    const lab = doc.spec.id;
    const onAnswer = (answer: SessionAnswer): void => void this.log.record(step, lab, this.#detailOf(answer));
    const onTyped = (line: string): void => void this.log.record(step, lab, { kind: 'command', line });
    const onStopped = (id: string): void => {
      if (id === session.id) void this.#endStep(step, 'stopped');
    };
    // The lab's deadline is the interview's: whichever timer fires first, the lab ends as time-up.
    const onTimeUp = (): void => void this.end('time-up');
    session.events.on('answer', onAnswer);
    session.events.on('typed', onTyped);
    session.events.once('time-up', onTimeUp);
    this.#registry.changes.on('stopped', onStopped);
    this.#runs[step] = {
      session,
      startedAt: Date.now(),
      unlisten: () => {
        session.events.off('answer', onAnswer);
        session.events.off('typed', onTyped);
        session.events.off('time-up', onTimeUp);
        this.#registry.changes.off('stopped', onStopped);
      },
    };
    this.log.record(step, lab, { kind: 'lab-started', sandbox: session.id, variant: describeVariant(variant) });
  }

  async #endStep(step: number, reason: LabEndReason): Promise<void> {
    const run = this.#runs[step];
    if (!run || run.ended !== undefined) return;
    run.ended = reason;
    run.endedAt = Date.now();
    run.unlisten();
    this.log.record(step, this.#labs[step]!.doc.spec.id, { kind: 'lab-ended', reason });
    await this.#registry.stop(run.session.id, reason === 'time-up' ? 'time-up' : 'stopped').catch((error: unknown) => this.#logger.error(`interview ${this.id}: sandbox ${run.session.id} did not stop`, error));
  }

  #detailOf(answer: SessionAnswer) {
    switch (answer.kind) {
      case 'hint':
        return { kind: 'hint' as const, index: answer.index };
      case 'diagnosis':
        return { kind: 'diagnosis' as const, rootCause: answer.rootCause, title: rootCauseTitle(answer.rootCause), correct: answer.correct };
      case 'fix':
        return { kind: 'fix' as const, action: answer.action, ...(answer.target === undefined ? {} : { target: answer.target }), wrong: answer.wrong };
      case 'verify':
        return { kind: 'verify' as const, green: answer.green };
    }
  }
}

