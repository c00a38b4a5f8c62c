import { describe, expect, it } from 'vitest';
import type { LabDocument } from '../../lab/index.js';
import type { LearnerRow } from '../protocol.js';
import type { IncidentRecord } from '../sessionIncidents.js';
import { clockTime, postmortemMarkdown, postmortemOf, type PostmortemInput } from './postmortem.js';

/** Room time = wall time − 1 000 000 (a clock started then, never paused). */
const roomMs = (wallMs: number): number => wallMs - 1_000_000;
const row = (id: string, name: string): LearnerRow => ({ id, name, lab: 'baseline', started: true, hints: 0, wrongAnswers: 0, wrongFixes: 0, diagnosis: 'none', fixed: false, verified: false, score: 100, incidents: [] });
const record = (over: Partial<IncidentRecord>): IncidentRecord => ({ id: 'i1', fault: { kind: 'expired-cert', target: 'auth-server', params: {} }, injectedAt: 1_060_000, diagnosis: 'none', wrongAt: [], ...over });
const lab = { spec: { id: 'baseline', title: 'Healthy baseline', scenario: { answer: 'none', explain: 'One-way TLS next to mutual TLS.' } } } as unknown as LabDocument;

const input: PostmortemInput = {
  room: { id: 'r1', title: 'Drill | Friday', state: 'ended', scenario: { labs: ['baseline'] }, mode: 'isolated', durationMs: 600_000, elapsedMs: 300_000 },
  incidents: [{ id: 'i1', kind: 'expired-cert', target: 'auth-server', who: 'all', injectedMs: 60_000, byTimeline: true, clearedMs: 240_000 }],
  learners: [
    { row: row('p1', 'Ada'), records: [record({ diagnosis: 'correct', wrongAt: [1_090_000], detectedAt: 1_120_000, fixedAt: 1_180_000 })], findings: [{ rootCause: 'expired-cert', title: 'Expired certificate', connections: 3, example: 'payments refused auth\'s certificate: expired' }] },
    { row: row('p2', 'Bob'), records: [record({})], findings: [] },
    { row: row('p3', 'Cy'), records: [], findings: [] },
  ],
  labs: [lab],
  roomMs,
};

describe('postmortem', () => {
  it('times each learner\'s finding from the injection, on the room\'s clock', () => {
    const { incidents } = postmortemOf(input);
    expect(incidents[0]!.learners).toEqual([
      { id: 'p1', name: 'Ada', diagnosis: 'correct', wrongDiagnoses: 1, detectedMs: 120_000, timeToDetectMs: 60_000, fixedMs: 180_000, timeToFixMs: 120_000 },
      { id: 'p2', name: 'Bob', diagnosis: 'none', wrongDiagnoses: 0 },
    ]);
    expect(incidents[0]).toMatchObject({ title: 'Expired certificate', summary: expect.stringContaining('notAfter') });
  });

  it('puts injections, clears and findings on one timeline, in order', () => {
    expect(postmortemOf(input).timeline.map((entry) => [clockTime(entry.atMs), entry.what, entry.learner ?? ''])).toEqual([
      ['T+1:00', 'injected', ''],
      ['T+1:30', 'wrong-diagnosis', 'p1'],
      ['T+2:00', 'detected', 'p1'],
      ['T+3:00', 'fixed', 'p1'],
      ['T+4:00', 'cleared', ''],
    ]);
  });

  it('writes Markdown whose table cells cannot be broken by a name', () => {
    const markdown = postmortemMarkdown(postmortemOf({ ...input, learners: [{ ...input.learners[0]!, row: row('p1', 'Ada | admin') }] }));
    expect(markdown).toContain('# Postmortem: Drill | Friday');
    expect(markdown).toContain('| Ada \\| admin | correct | 1 | 60 s | 120 s |');
    expect(markdown).toContain('- T+1:00 i1 injected by the timeline: expired-cert on auth-server, on every learner');
    expect(markdown).toContain('- Expired certificate: 3 connection(s). payments refused auth\'s certificate: expired');
    expect(markdown).toContain('One-way TLS next to mutual TLS.');
  });
});
