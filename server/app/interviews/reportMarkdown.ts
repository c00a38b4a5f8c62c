/**
 * The report as Markdown, for the interviewer's download: the same facts as the printable page.
 */
import type { InterviewReport } from './interviewProtocol.js';

export function reportMarkdown(report: InterviewReport): string {
  const { interview: view, rubric, total, questions, steps } = report;
  const lines: string[] = [];
  lines.push(`# Interview report — ${view.candidate?.name ?? 'no candidate joined'}`, '');
  lines.push(`- Interview: ${view.id} (${view.state}), ${view.minutes} min, hints ${view.hints ? 'on' : 'off'}, seed ${view.seed}`);
  lines.push(`- Started: ${view.startedAt ?? 'not started'}${view.endedAt ? ` · ended: ${view.endedAt}` : ''}`);
  lines.push(`- Time to first hypothesis: ${duration(view.firstHypothesisMs)}`, '');

  lines.push('## Labs', '');
  view.labs.forEach((lab, i) => {
    lines.push(`### ${i + 1}. ${lab.title} (${lab.lab}, ${lab.level})`, '');
    lines.push(`- Variant: ${lab.variant}`);
    lines.push(`- Answer: ${lab.answer.title} (${lab.answer.rootCause}); its fix: ${lab.answer.fix.join(', ') || 'none needed'}`);
    lines.push(`- Diagnosis: ${lab.diagnosis ? `${lab.diagnosis.title} — ${lab.diagnosis.correct ? 'right' : 'wrong'}` : 'none'} (${lab.wrongDiagnoses} wrong)`);
    lines.push(`- Fixes: ${lab.fixes.map((f) => `${f.action}${f.target ? ` on ${f.target}` : ''}${f.wrong ? ' (wrong)' : ''}`).join(', ') || 'none'} · verified green: ${lab.verified ? 'yes' : 'no'} · hints: ${lab.hintsUsed}`);
    lines.push(`- Ended: ${lab.ended ?? (lab.startedAt ? 'running' : 'not reached')}`, '');
    const timeline = steps[i]?.timeline ?? [];
    lines.push('| Step | After |', '| --- | --- |', ...timeline.map((s) => `| ${s.step} | ${duration(s.atMs)} |`), '');
  });

  lines.push(`## Rubric — ${total.score} / ${total.max}`, '');
  lines.push('| Criterion | Level | Because |', '| --- | --- | --- |');
  for (const criterion of rubric) lines.push(`| ${cell(criterion.title)} | ${criterion.score}/3 — ${cell(criterion.levels[criterion.score] ?? '')} | ${cell(criterion.because)} |`);
  lines.push('');

  lines.push('## Timeline', '');
  for (const entry of view.activity) lines.push(`- ${duration(entry.sinceStartMs)} · lab ${entry.step + 1} · ${entry.text}`);
  lines.push('');

  lines.push('## Questions to ask', '');
  for (const question of questions) {
    lines.push(`### ${question.question}`, '', `Model answer: ${question.modelAnswer}`, '', 'Follow-ups:', ...question.followUps.map((f) => `- ${f}`), '');
  }
  return lines.join('\n');
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A table cell: no pipe or line break may end it early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
