/**
 * The interview's rubric, scored from what happened (the activity log), never from what the
 * interviewer typed: each criterion has levels 0…3 with their words, is scored per lab, and
 * the interview's level is the labs' mean, rounded down (a level is earned, not averaged up).
 *
 *   ActivityEntry[] per lab ──criteria──▶ 0…3 each, with the facts that gave it
 */
import { allOf, firstOf } from './activityLog.js';
import type { ActivityEntry, RubricCriterion } from './interviewProtocol.js';

/** Tools an on-call engineer reaches for on a TLS incident: typing them is using the terminal for what it is there for. */
const tlsTools = /^(?:sudo\s+)?(openssl|curl|ss|tshark|tcpdump|nc|ncat|grep|cat|ls|head|less|date)\b/;

interface Criterion {
  id: string;
  title: string;
  levels: [string, string, string, string];
  /** The lab's level (0…3) and why; `budgetMs`: this lab's share of the interview's time. */
  score(entries: readonly ActivityEntry[], budgetMs: number): { score: number; because: string };
}

const criteria: Criterion[] = [
  {
    id: 'evidence-first',
    title: 'Evidence first',
    levels: ['answered without opening anything', 'opened one thing, then answered', 'read several trace events or certificates before answering', 'gathered evidence from the trace and the tools before answering'],
    score(entries) {
      const first = firstOf(entries, 'diagnosis');
      const before = first ? entries.filter((e) => e.n < first.n) : entries;
      const looked = before.filter((e) => e.kind === 'event-opened' || e.kind === 'certificate-inspected').length;
      const typed = before.filter((e) => e.kind === 'command').length;
      const because = `${looked} trace events or certificates opened and ${typed} commands typed ${first ? 'before the first diagnosis' : '(no diagnosis)'}`;
      if (!first) return { score: looked + typed > 0 ? 1 : 0, because };
      const score = looked === 0 && typed === 0 ? 0 : looked + typed === 1 ? 1 : looked > 0 && typed > 0 ? 3 : 2;
      return { score, because };
    },
  },
  {
    id: 'root-cause',
    title: 'Correct root cause',
    levels: ['never found', 'found after two or more wrong answers', 'found after one wrong answer', 'found at the first answer'],
    score(entries) {
      const diagnoses = allOf(entries, 'diagnosis');
      const right = diagnoses.findIndex((d) => d.correct);
      if (right < 0) return { score: 0, because: diagnoses.length === 0 ? 'no diagnosis given' : `${diagnoses.length} wrong: ${diagnoses.map((d) => d.title).join(', ')}` };
      return { score: Math.max(1, 3 - right), because: right === 0 ? `${diagnoses[0]!.title}, at once` : `${diagnoses[right]!.title} after ${right} wrong (${diagnoses.slice(0, right).map((d) => d.title).join(', ')})` };
    },
  },
  {
    id: 'clean-fix',
    title: 'Fix without wrong fixes',
    levels: ['no fix', 'fixes applied, never verified green', 'green after a wrong fix', 'green with only fixes that mend it'],
    score(entries) {
      const fixes = allOf(entries, 'fix');
      const wrong = fixes.filter((f) => f.wrong);
      const green = allOf(entries, 'verify').some((v) => v.green);
      const listed = fixes.map((f) => `${f.action}${f.target ? ` on ${f.target}` : ''}${f.wrong ? ' (wrong)' : ''}`).join(', ');
      if (fixes.length === 0) return { score: green ? 3 : 0, because: green ? 'verified green with nothing to fix' : 'no fix applied' };
      if (!green) return { score: 1, because: `${listed}; never verified green` };
      return { score: wrong.length === 0 ? 3 : 2, because: `${listed}; verified green` };
    },
  },
  {
    id: 'terminal-tools',
    title: 'Used the terminal tools',
    levels: ['no command typed', 'commands, none of the TLS tools', 'used openssl, curl or the like', 'used the tools three times or more'],
    score(entries) {
      const commands = allOf(entries, 'command');
      const tools = commands.filter((c) => tlsTools.test(c.line));
      const because = `${commands.length} commands, ${tools.length} of them TLS tools${tools.length ? ` (${[...new Set(tools.map((c) => tlsTools.exec(c.line)![1]))].join(', ')})` : ''}`;
      return { score: commands.length === 0 ? 0 : tools.length === 0 ? 1 : tools.length < 3 ? 2 : 3, because };
    },
  },
  {
    id: 'time',
    title: 'Time',
    levels: ['not solved in time', 'solved in the last quarter of its time', 'solved in under three quarters of its time', 'solved in under 40% of its time'],
    score(entries, budgetMs) {
      const started = firstOf(entries, 'lab-started');
      const green = allOf(entries, 'verify').find((v) => v.green);
      if (!started || !green) return { score: 0, because: 'no green verify' };
      const tookMs = green.sinceStartMs - started.sinceStartMs;
      const share = tookMs / budgetMs;
      return { score: share < 0.4 ? 3 : share < 0.75 ? 2 : share <= 1 ? 1 : 0, because: `green after ${Math.round(tookMs / 1000)} s of its ${Math.round(budgetMs / 1000)} s` };
    },
  },
];

/** The rubric of an interview whose labs' entries are `byLab` (only the labs started), each with `budgetMs` of time. */
export function scoreRubric(byLab: ReadonlyArray<readonly ActivityEntry[]>, budgetMs: number): RubricCriterion[] {
  return criteria.map((criterion) => {
    const scored = byLab.map((entries) => criterion.score(entries, budgetMs));
    const score = scored.length === 0 ? 0 : Math.floor(scored.reduce((sum, each) => sum + each.score, 0) / scored.length);
    const because = scored.length === 0 ? 'no lab was started' : scored.map((each, i) => (scored.length > 1 ? `lab ${i + 1}: ${each.because}` : each.because)).join('; ');
    return { id: criterion.id, title: criterion.title, score, levels: [...criterion.levels], because };
  });
}

export const rubricMax = criteria.length * 3;
