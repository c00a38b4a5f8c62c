/**
 * Where each learner of a room stands, read from their own LabSession: the console's row,
 * the scoreboard's line, and what their traces showed (for the postmortem).
 *
 *   LabSession.view() + incidentRecords() ──learnerRow(member, room time)──▶ LearnerRow
 *   LabSession.verdicts() ──traceFindings──▶ TraceFinding[] (connections per root cause)
 */
import type { Verdict } from '../../explain/index.js';
import { rootCauseTitle } from '../grading.js';
import type { LabSession } from '../labSession.js';
import type { LearnerRow, TraceFinding } from '../protocol.js';
import type { IncidentRecord } from '../sessionIncidents.js';

/** A learner of the room, as the room keeps them (the participant may be revoked; the record stays). */
export interface RoomMember {
  /** The participant id: public, what the console names them by. */
  readonly id: string;
  readonly name: string;
  /** Their learner id, which owns their sandbox: a secret, never in an answer. */
  readonly learner: string;
  lab: string;
  /** Which of the scenario's labs they work: the next once one is solved (isolated mode). */
  labIndex: number;
  session?: LabSession;
  /** The labs they solved before this one, as they stood when they moved on. */
  past: PastLab[];
  /** Why their sandbox did not start. */
  error?: string;
  /** What their traces showed, kept when the room ends (a stopped sandbox has no trace). */
  findings?: TraceFinding[];
}

/** A lab a learner solved and left for the next: their row, incidents and findings as they were. */
export interface PastLab {
  row: LearnerRow;
  records: IncidentRecord[];
  findings: TraceFinding[];
}

/** A member's labs for a report: those solved, then the one they work now. */
export function labsOf(member: RoomMember, roomMs: (wallMs: number) => number): PastLab[] {
  const session = member.session;
  const current = { row: learnerRow(member, roomMs), records: session?.incidentRecords() ?? [], findings: member.findings ?? traceFindings(session?.verdicts() ?? []) };
  return [...member.past, current];
}

/** The lab's own diagnosis: right, tried and wrong (beyond the incidents' wrong answers), or not yet. */
function labDiagnosis(diagnosed: boolean, wrongDiagnoses: number, records: readonly IncidentRecord[]): LearnerRow['diagnosis'] {
  if (diagnosed) return 'correct';
  const onIncidents = records.reduce((sum, record) => sum + record.wrongAt.length, 0);
  return wrongDiagnoses > onIncidents ? 'wrong' : 'none';
}

export function learnerRow(member: RoomMember, roomMs: (wallMs: number) => number): LearnerRow {
  const base = { id: member.id, name: member.name, lab: member.lab, ...(member.error ? { error: member.error } : {}) };
  const session = member.session;
  if (!session) {
    return { ...base, started: false, hints: 0, wrongAnswers: 0, wrongFixes: 0, diagnosis: 'none', fixed: false, verified: false, score: 0, incidents: [] };
  }
  const view = session.view();
  const records = session.incidentRecords();
  return {
    ...base,
    sandbox: session.id,
    started: true,
    hints: view.scenario.hints.shown.length,
    wrongAnswers: view.wrongDiagnoses,
    wrongFixes: view.wrongFixes,
    diagnosis: labDiagnosis(view.diagnosed, view.wrongDiagnoses, records),
    fixed: view.fixesApplied.length > 0,
    verified: view.completed || records.some((record) => record.fixedAt !== undefined),
    score: view.score,
    incidents: records.map((record) => ({
      incident: record.id,
      ...(record.detectedAt !== undefined ? { detectedMs: roomMs(record.detectedAt) } : {}),
      ...(record.fixedAt !== undefined ? { fixedMs: roomMs(record.fixedAt) } : {}),
    })),
  };
}

/** The explainer's verdicts, by root cause: how many connections each explains, and the first one's words. */
export function traceFindings(verdicts: readonly Verdict[]): TraceFinding[] {
  const byCause = new Map<string, TraceFinding>();
  for (const verdict of verdicts) {
    if (verdict.rootCause === 'none') continue;
    const found = byCause.get(verdict.rootCause);
    if (found) found.connections++;
    else byCause.set(verdict.rootCause, { rootCause: verdict.rootCause, title: rootCauseTitle(verdict.rootCause), connections: 1, example: verdict.summary });
  }
  return [...byCause.values()];
}
