import { describe, expect, it } from 'vitest';
import { ActivityLog } from './activityLog.js';
import type { InterviewView } from './interviewProtocol.js';
import { buildReport } from './report.js';
import { reportMarkdown } from './reportMarkdown.js';

function interviewWith(log: ActivityLog): InterviewView {
  return {
    id: 'iv-1',
    state: 'ended',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:10:00.000Z',
    deadline: null,
    elapsedMs: 600_000,
    minutes: 20,
    hints: false,
    seed: 3,
    step: 0,
    candidate: { id: 'c1', name: 'Ada' },
    interviewers: [],
    labs: [
      {
        lab: 'revoked-client-cert',
        title: 'Revoked',
        level: 'intermediate',
        tags: ['revocation', 'crl'],
        variant: 'every endpoint pinned to TLSv1.2',
        sandbox: 's1',
        startedAt: null,
        endedAt: null,
        ended: 'completed',
        firstHypothesisMs: 30_000,
        diagnosis: { rootCause: 'revoked-cert', title: 'Revoked certificate', correct: true },
        wrongDiagnoses: 0,
        fixes: [{ action: 'reissue', target: 'deploy-client', wrong: false }],
        verified: true,
        hintsUsed: 0,
        answer: { rootCause: 'revoked-cert', title: 'Revoked certificate', fix: ['reissue on deploy-client'] },
      },
    ],
    activity: log.entries(),
    firstHypothesisMs: 30_000,
  };
}

describe('buildReport and reportMarkdown', () => {
  const log = new ActivityLog(() => 0);
  log.record(0, 'revoked-client-cert', { kind: 'lab-started', sandbox: 's1', variant: 'every endpoint pinned to TLSv1.2' }, 0);
  log.record(0, 'revoked-client-cert', { kind: 'event-opened', conn: 2, seq: 5, label: 'server → client alert' }, 10_000);
  log.record(0, 'revoked-client-cert', { kind: 'command', line: 'openssl crl -in ca.crl -noout -text | grep Serial' }, 20_000);
  log.record(0, 'revoked-client-cert', { kind: 'diagnosis', rootCause: 'revoked-cert', title: 'Revoked certificate', correct: true }, 30_000);
  log.record(0, 'revoked-client-cert', { kind: 'fix', action: 'reissue', target: 'deploy-client', wrong: false }, 40_000);
  log.record(0, 'revoked-client-cert', { kind: 'verify', green: true }, 50_000);
  const report = buildReport(interviewWith(log));

  it('times each step from the lab\'s start', () => {
    expect(report.steps[0]!.timeline).toEqual([
      { step: 'first trace event opened', atMs: 10_000 },
      { step: 'first certificate inspected', atMs: null },
      { step: 'first command typed', atMs: 20_000 },
      { step: 'first hypothesis', atMs: 30_000 },
      { step: 'right diagnosis', atMs: 30_000 },
      { step: 'first fix', atMs: 40_000 },
      { step: 'verified green', atMs: 50_000 },
    ]);
  });

  it('holds the rubric and the questions that fit the labs\' tags, the revocation one first', () => {
    expect(report.rubric.map((c) => c.id)).toEqual(['evidence-first', 'root-cause', 'clean-fix', 'terminal-tools', 'time']);
    expect(report.total.max).toBe(15);
    expect(report.questions[0]!.id).toBe('revocation-at-scale');
  });

  it('writes the timeline, the rubric and the questions with their model answers as Markdown', () => {
    const text = reportMarkdown(report);
    expect(text).toContain('# Interview report — Ada');
    expect(text).toContain('- 20 s · lab 1 · typed `openssl crl -in ca.crl -noout -text | grep Serial`');
    expect(text).toContain('| Correct root cause | 3/3 — found at the first answer |');
    expect(text).toContain(`Model answer: ${report.questions[0]!.modelAnswer}`);
    expect(text).toContain('| Used the terminal tools | 2/3 — used openssl, curl or the like | 1 commands, 1 of them TLS tools (openssl) |');
  });
});
