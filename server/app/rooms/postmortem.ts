/**
 * A drill's postmortem: what was injected and when, what each learner found and when, time to
 * detect and to fix per incident per learner, what the traces showed, and each lab's own story.
 *
 *   room incidents + each member's IncidentRecords (wall clock ──room time──▶ ms) ──postmortemOf──▶ Postmortem (JSON)
 *   Postmortem ──postmortemMarkdown──▶ the Markdown download (the printable page renders the JSON)
 */
import type { LabDocument } from '../../lab/index.js';
import { rootCauseSummary, rootCauseTitle } from '../grading.js';
import type { Incident, LearnerRow, Postmortem, TraceFinding } from '../protocol.js';
import type { IncidentRecord } from '../sessionIncidents.js';

export interface PostmortemInput {
  room: Postmortem['room'];
  incidents: readonly Incident[];
  learners: ReadonlyArray<{ row: LearnerRow; records: readonly IncidentRecord[]; findings: readonly TraceFinding[] }>;
  labs: readonly LabDocument[];
  /** Room time at a wall-clock instant (RoomClock.elapsedAt). */
  roomMs: (wallMs: number) => number;
}

export function postmortemOf(input: PostmortemInput): Postmortem {
  const { roomMs } = input;
  const timeline: Postmortem['timeline'] = [];
  for (const incident of input.incidents) {
    const what = `${incident.kind}${incident.target === undefined ? '' : ` on ${incident.target}`}`;
    const whom = incident.who === 'all' ? 'every learner' : (input.learners.find((each) => each.row.id === incident.who)?.row.name ?? incident.who);
    timeline.push({ atMs: incident.injectedMs, what: 'injected', incident: incident.id, text: `${incident.id} injected${incident.byTimeline ? ' by the timeline' : ''}: ${what}, on ${whom}` });
    if (incident.clearedMs !== undefined) timeline.push({ atMs: incident.clearedMs, what: 'cleared', incident: incident.id, text: `${incident.id} cleared: ${what}` });
  }
  for (const { row, records } of input.learners) {
    for (const record of records) {
      for (const at of record.wrongAt) timeline.push({ atMs: roomMs(at), what: 'wrong-diagnosis', incident: record.id, learner: row.id, text: `${row.name}: a wrong diagnosis of ${record.id}` });
      if (record.detectedAt !== undefined) timeline.push({ atMs: roomMs(record.detectedAt), what: 'detected', incident: record.id, learner: row.id, text: `${row.name} diagnosed ${record.id}: ${rootCauseTitle(record.fault.kind)}` });
      if (record.fixedAt !== undefined) timeline.push({ atMs: roomMs(record.fixedAt), what: 'fixed', incident: record.id, learner: row.id, text: `${row.name} verified ${record.id} fixed` });
    }
  }
  timeline.sort((a, b) => a.atMs - b.atMs);

  const incidents = input.incidents.map((incident) => ({
    ...incident,
    title: rootCauseTitle(incident.kind),
    summary: rootCauseSummary(incident.kind),
    learners: input.learners.flatMap(({ row, records }) => {
      const record = records.find((each) => each.id === incident.id);
      if (!record) return [];
      const detectedMs = record.detectedAt === undefined ? undefined : roomMs(record.detectedAt);
      const fixedMs = record.fixedAt === undefined ? undefined : roomMs(record.fixedAt);
      return [{
        id: row.id,
        name: row.name,
        diagnosis: record.diagnosis,
        wrongDiagnoses: record.wrongAt.length,
        ...(detectedMs !== undefined ? { detectedMs, timeToDetectMs: detectedMs - incident.injectedMs } : {}),
        ...(fixedMs !== undefined ? { fixedMs, timeToFixMs: fixedMs - incident.injectedMs } : {}),
      }];
    }),
  }));

  return {
    room: input.room,
    timeline,
    incidents,
    learners: input.learners.map(({ row, findings }) => {
      const { incidents: _incidents, sandbox: _sandbox, ...rest } = row;
      return { ...rest, findings: [...findings] };
    }),
    labs: input.labs.map((doc) => {
      const { answer, explain } = doc.spec.scenario;
      return { lab: doc.spec.id, title: doc.spec.title, rootCause: { id: answer, title: rootCauseTitle(answer), summary: rootCauseSummary(answer) }, explanation: explain };
    }),
  };
}

/** `T+4:05`: room time as the console's clock shows it. */
export function clockTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `T+${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

const duration = (ms: number | undefined): string => (ms === undefined ? '—' : `${Math.round(ms / 1000)} s`);
/** A table cell: one line, no column breaks. */
const cell = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

export function postmortemMarkdown(postmortem: Postmortem): string {
  const { room } = postmortem;
  const lines: string[] = [
    `# Postmortem: ${room.title}`,
    '',
    `Room ${room.id}, ${room.mode} sandboxes, ${room.state}; ran ${clockTime(room.elapsedMs).slice(2)} of ${clockTime(room.durationMs).slice(2)}.`,
    ...(room.startedAt ? [`Started ${room.startedAt}${room.endedAt ? `, ended ${room.endedAt}` : ''}.`] : []),
    '',
    '## Timeline',
    '',
    ...(postmortem.timeline.length ? postmortem.timeline.map((entry) => `- ${clockTime(entry.atMs)} ${entry.text}`) : ['Nothing was injected.']),
    '',
    '## Incidents',
  ];
  for (const incident of postmortem.incidents) {
    lines.push('', `### ${incident.id}: ${incident.title}${incident.target === undefined ? '' : ` on ${incident.target}`}`, '');
    lines.push(`Injected at ${clockTime(incident.injectedMs)}${incident.clearedMs === undefined ? '' : `, cleared at ${clockTime(incident.clearedMs)}`}${incident.byTimeline ? ' (scripted)' : ''}. ${incident.summary}`, '');
    lines.push('| Learner | Diagnosis | Wrong answers | Time to detect | Time to fix |', '|---|---|---|---|---|');
    for (const each of incident.learners) lines.push(`| ${cell(each.name)} | ${each.diagnosis} | ${each.wrongDiagnoses} | ${duration(each.timeToDetectMs)} | ${duration(each.timeToFixMs)} |`);
  }
  lines.push('', '## Learners', '');
  for (const learner of postmortem.learners) {
    lines.push(`### ${learner.name}: ${learner.lab}`, '', `Lab ${learner.lab}: score ${learner.score}, ${learner.hints} hint(s), ${learner.wrongAnswers} wrong answer(s), ${learner.wrongFixes} wrong fix(es); diagnosis ${learner.diagnosis}${learner.verified ? ', verified' : ''}.`, '');
    lines.push(...(learner.findings.length ? ['What the traces showed:', '', ...learner.findings.map((finding) => `- ${finding.title}: ${finding.connections} connection(s). ${finding.example}`)] : ['The traces showed no failed connection.']), '');
  }
  lines.push('## The labs', '');
  for (const lab of postmortem.labs) lines.push(`### ${lab.title} (${lab.lab})`, '', `Root cause: ${lab.rootCause.title}. ${lab.rootCause.summary}`, '', lab.explanation.trim(), '');
  return lines.join('\n');
}
