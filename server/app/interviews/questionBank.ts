/**
 * The interview's conceptual questions (questions.json), each with a model answer and
 * follow-ups. Server-side only: the web app never imports this, and only the interviewer's and
 * the host's answers carry it (api/interviews.ts).
 *
 *   labs' tags ──questionsFor──▶ the questions that share a tag, most shared first
 */
import bank from './questions.json' with { type: 'json' };
import type { InterviewQuestion } from './interviewProtocol.js';

export const questionBank: readonly InterviewQuestion[] = bank.questions;

/** The questions that fit labs with these tags, the best fit first; at most `limit`. */
export function questionsFor(tags: readonly string[], limit = 5, from: readonly InterviewQuestion[] = questionBank): InterviewQuestion[] {
  const wanted = new Set(tags);
  return from
    .map((question, order) => ({ question, order, shared: question.tags.filter((tag) => wanted.has(tag)).length }))
    .filter((each) => each.shared > 0)
    .sort((a, b) => b.shared - a.shared || a.order - b.order)
    .slice(0, limit)
    .map((each) => structuredClone(each.question));
}
