/**
 * Every interview of this server, by id, and who may see what of it. The host creates one
 * and gets two links (participants.ts invites: 'candidate' and 'interviewer', scope = the
 * interview's id); the candidate's join starts it.
 *
 *   host ──create──▶ Interview + two invites ──▶ links
 *   Participants 'joined' (candidate of this scope) ──▶ Interview.begin
 *   caller ──forInterviewer(id)──▶ host or this interview's interviewer, else INTERVIEW_NOT_FOUND (the candidate too)
 *   caller ──forCandidate──▶ the interview the candidate joined
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ApiError, type ErrorLogger } from '../errors.js';
import type { LabCatalogue } from '../labCatalogue.js';
import type { Caller } from '../learners.js';
import type { Participant, Participants } from '../participants.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { Interview, type InterviewSettings } from './interview.js';
import type { InterviewCreated, InterviewView } from './interviewProtocol.js';
import { planInterview, type PlanRequest } from './interviewPlan.js';

export class Interviews {
  /** 'change' (Interview) whenever one changes: its activity, its state, someone joined. */
  readonly changes = new EventEmitter();
  readonly #interviews = new Map<string, Interview>();
  readonly #catalogue: LabCatalogue;
  readonly #registry: SandboxRegistry;
  readonly #participants: Participants;
  readonly #logger: ErrorLogger;

  constructor(catalogue: LabCatalogue, registry: SandboxRegistry, participants: Participants, logger: ErrorLogger) {
    this.#catalogue = catalogue;
    this.#registry = registry;
    this.#participants = participants;
    this.#logger = logger;
    this.changes.setMaxListeners(0);
    participants.changes.on('joined', (participant: Participant) => this.#joined(participant));
  }

  async create(request: PlanRequest, settings: Omit<InterviewSettings, 'seed'> & { seed?: number }): Promise<InterviewCreated> {
    const seed = settings.seed ?? randomInt(2 ** 31);
    const labs = planInterview(await this.#catalogue.list(), request, seed);
    const id = `iv-${randomBytes(6).toString('hex')}`;
    const interview = new Interview(id, labs, { minutes: settings.minutes, hints: settings.hints, seed }, this.#registry, this.#logger);
    interview.changes.on('change', () => this.changes.emit('change', interview));
    this.#interviews.set(id, interview);
    const candidate = this.#participants.invite({ role: 'candidate', scope: id, terminal: true });
    const interviewer = this.#participants.invite({ role: 'interviewer', scope: id });
    return { ...this.view(interview), candidatePath: `/join/${candidate}`, interviewerPath: `/join/${interviewer}` };
  }

  /** Every interview (the host's list). */
  list(): InterviewView[] {
    return [...this.#interviews.values()].map((interview) => this.view(interview));
  }

  /** The interview, if `caller` is the host or one of its interviewers; anyone else (its candidate included) is told it does not exist. */
  forInterviewer(id: string, caller: Caller): Interview {
    const interview = this.#interviews.get(id);
    const allowed = caller.host || (caller.participant?.role === 'interviewer' && caller.participant.scope === id);
    if (!interview || !allowed) throw new ApiError('INTERVIEW_NOT_FOUND', `"${id.slice(0, 100)}"`);
    return interview;
  }

  /** The interview `caller` joined as its candidate. */
  forCandidate(caller: Caller): Interview {
    const participant = caller.participant;
    const interview = participant?.role === 'candidate' ? this.#interviews.get(participant.scope) : undefined;
    if (!interview) throw new ApiError('INTERVIEW_NOT_FOUND', 'you joined no interview as its candidate');
    return interview;
  }

  /** The interview whose lab runs in sandbox `id`, if any. */
  ofSandbox(id: string): Interview | undefined {
    return [...this.#interviews.values()].find((interview) => interview.currentSandbox?.id === id);
  }

  view(interview: Interview): InterviewView {
    return interview.view(this.#participants.inScope(interview.id).filter((p) => p.role === 'interviewer'));
  }

  /** Ends every interview (their sandboxes stop with the registry). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#interviews.values()].map((interview) => interview.end('ended')));
  }

  #joined(participant: Participant): void {
    const interview = this.#interviews.get(participant.scope);
    if (!interview) return;
    // A candidate link used after the interview ended starts nothing: their page says it is over.
    if (participant.role === 'candidate' && interview.state === 'waiting') {
      interview.begin(participant).catch((error: unknown) => this.#logger.error(`interview ${interview.id}: the first lab did not start`, error));
    }
    this.changes.emit('change', interview);
  }
}
