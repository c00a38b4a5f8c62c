/**
 * The interview's report for the interviewer: the view (timeline, per-lab diagnosis and fix),
 * the time each step took, the rubric scored from the activity, and the conceptual questions
 * that fit the labs — with their model answers, which is why only the interviewer and the host
 * may fetch it (api/interviews.ts).
 *
 *   InterviewView ──steps · scoreRubric · questionsFor(labs' tags)──▶ InterviewReport ──reportMarkdown──▶ .md
 */
import { allOf, firstOf } from './activityLog.js';
import type { ActivityEntry, InterviewQuestion, InterviewReport, InterviewView } from './interviewProtocol.js';
import { questionsFor } from './questionBank.js';
import { rubricMax, scoreRubric } from './rubric.js';

export function buildReport(view: InterviewView): InterviewReport {
  const started = view.labs.map((_, step) => view.activity.filter((entry) => entry.step === step)).filter((entries) => firstOf(entries, 'lab-started'));
  const budgetMs = (view.minutes * 60_000) / Math.max(1, view.labs.length);
  const rubric = scoreRubric(started, budgetMs);
  return {
    interview: view,
    rubric,
    total: { score: rubric.reduce((sum, criterion) => sum + criterion.score, 0), max: rubricMax },
    questions: questionsOf(view),
    steps: view.labs.map((lab, step) => ({ lab: lab.lab, title: lab.title, timeline: stepsOf(view.activity.filter((entry) => entry.step === step)) })),
  };
}

/** The conceptual questions that fit the interview's labs, by their tags. */
export function questionsOf(view: InterviewView): InterviewQuestion[] {
  return questionsFor([...new Set(view.labs.flatMap((lab) => lab.tags))]);
}

/** When each step of the work was reached, from the lab's start (null: never). */
function stepsOf(entries: readonly ActivityEntry[]): Array<{ step: string; atMs: number | null }> {
  const start = firstOf(entries, 'lab-started');
  const since = (entry: ActivityEntry | undefined): number | null => (start && entry ? entry.sinceStartMs - start.sinceStartMs : null);
  return [
    { step: 'first trace event opened', atMs: since(firstOf(entries, 'event-opened')) },
    { step: 'first certificate inspected', atMs: since(firstOf(entries, 'certificate-inspected')) },
    { step: 'first command typed', atMs: since(firstOf(entries, 'command')) },
    { step: 'first hypothesis', atMs: since(firstOf(entries, 'diagnosis')) },
    { step: 'right diagnosis', atMs: since(allOf(entries, 'diagnosis').find((d) => d.correct)) },
    { step: 'first fix', atMs: since(firstOf(entries, 'fix')) },
    { step: 'verified green', atMs: since(allOf(entries, 'verify').find((v) => v.green)) },
  ];
}
