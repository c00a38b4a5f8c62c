/**
 * What crosses between the server and the browser for interviews (re-exported by protocol.ts).
 * Two audiences: the candidate gets `CandidateInterview` and nothing else of the interview;
 * the interviewer and the host get the rest. Model answers and follow-ups live only in
 * `InterviewQuestion`, which only the interviewer's and the host's answers carry.
 *
 *   host ──POST /api/interviews──▶ InterviewCreated (two links)
 *   candidate ──GET /api/interview──▶ CandidateInterview (their current sandbox, the clock)
 *   interviewer ──GET /api/interviews/:id · /ws interview-subscribe──▶ InterviewView (live activity)
 *   interviewer ──GET /api/interviews/:id/report(.md)──▶ InterviewReport
 */

export type InterviewState = 'waiting' | 'running' | 'ended';
export type LabEndReason = 'completed' | 'time-up' | 'stopped' | 'ended';

/** One thing the candidate did, or that happened to their lab, in order. */
export type ActivityEntry = {
  /** 1, 2, … in order. */
  n: number;
  at: string;
  /** Since the interview started (the candidate joined). */
  sinceStartMs: number;
  /** Which of the interview's labs (0-based) and its id. */
  step: number;
  lab: string;
  /** The entry in words (activityWords.ts). */
  text: string;
} & ActivityDetail;

export type ActivityDetail =
  | { kind: 'lab-started'; sandbox: string; variant: string }
  | { kind: 'event-opened'; conn: number; seq: number; label: string }
  | { kind: 'certificate-inspected'; subject: string; source: 'wire' | 'files' }
  | { kind: 'command'; line: string }
  | { kind: 'hint'; index: number }
  | { kind: 'diagnosis'; rootCause: string; title: string; correct: boolean }
  | { kind: 'fix'; action: string; target?: string; wrong: boolean }
  | { kind: 'verify'; green: boolean }
  | { kind: 'lab-ended'; reason: LabEndReason };

export type ActivityKind = ActivityDetail['kind'];

/** POST /api/sandboxes/:id/activity: what the candidate's page saw them do. */
export type ActivityReport =
  | { kind: 'event-opened'; conn: number; seq: number }
  | { kind: 'certificate-inspected'; subject: string; source: 'wire' | 'files' };

/** One lab of the interview, as the interviewer sees it. */
export interface InterviewLabView {
  lab: string;
  title: string;
  level: string;
  tags: string[];
  /** What the variant drawn for this interview changed. */
  variant: string;
  sandbox: string | null;
  startedAt: string | null;
  endedAt: string | null;
  ended: LabEndReason | null;
  /** From the lab's start to the candidate's first diagnosis, right or wrong. */
  firstHypothesisMs: number | null;
  diagnosis: { rootCause: string; title: string; correct: boolean } | null;
  wrongDiagnoses: number;
  fixes: Array<{ action: string; target?: string; wrong: boolean }>;
  verified: boolean;
  hintsUsed: number;
  /** The lab's own answer and fix: the interviewer's key. */
  answer: { rootCause: string; title: string; fix: string[] };
}

export interface InterviewView {
  id: string;
  state: InterviewState;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** When the time runs out (from the start), while it runs. */
  deadline: string | null;
  /**
   * From the start to this answer, or to the end once it ended; null before the start. A page
   * counts on from its own clock (the interviewer's clock may differ from the server's).
   */
  elapsedMs: number | null;
  minutes: number;
  hints: boolean;
  /** Draws the labs (when picked at random) and their variants: the same seed, the same interview. */
  seed: number;
  step: number;
  candidate: { id: string; name: string } | null;
  interviewers: Array<{ id: string; name: string }>;
  labs: InterviewLabView[];
  activity: ActivityEntry[];
  /** From the start to the first diagnosis of the first lab. */
  firstHypothesisMs: number | null;
}

/** What the host gets back once: the two links (each one person's, spent by its first join). */
export interface InterviewCreated extends InterviewView {
  candidatePath: string;
  interviewerPath: string;
}

/** GET /api/interview: the candidate's own view — the sandbox to work, the clock, nothing of the key. */
export interface CandidateInterview {
  id: string;
  state: InterviewState;
  step: number;
  labs: number;
  sandbox: string | null;
  lab: string | null;
  deadline: string | null;
  hints: boolean;
}

/** A conceptual question for the interviewer, with what a good answer holds and where to go next. */
export interface InterviewQuestion {
  id: string;
  question: string;
  tags: string[];
  modelAnswer: string;
  followUps: string[];
}

export interface RubricCriterion {
  id: string;
  title: string;
  /** 0 … levels.length - 1. */
  score: number;
  levels: string[];
  /** What in the activity gave this score. */
  because: string;
}

export interface InterviewReport {
  interview: InterviewView;
  rubric: RubricCriterion[];
  total: { score: number; max: number };
  questions: InterviewQuestion[];
  /** Per lab: how long each step took (start → first event opened → first hypothesis → right diagnosis → first fix → green). */
  steps: Array<{ lab: string; title: string; timeline: Array<{ step: string; atMs: number | null }> }>;
}
