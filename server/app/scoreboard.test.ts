import { describe, expect, it } from 'vitest';
import type { Standing } from './protocol.js';
import { rankStandings } from './scoreboard.js';

const standing = (learner: string, over: Partial<Standing>): Standing => ({
  learner,
  lab: 'lab',
  title: 'Lab',
  status: 'running',
  interview: false,
  diagnosed: false,
  wrongDiagnoses: 0,
  wrongFixes: 0,
  hintsUsed: 0,
  completed: false,
  score: 100,
  startedAt: '2026-11-23T10:00:00.000Z',
  ...over,
});

describe('the scoreboard ranking', () => {
  it('puts the solved first (higher score, then faster), then the diagnosed, then the rest by start', () => {
    const ranked = rankStandings([
      standing('late-start', { startedAt: '2026-11-23T10:05:00.000Z' }),
      standing('diagnosed', { diagnosed: true, score: 90 }),
      standing('solved-slow', { diagnosed: true, completed: true, score: 80, solvedInMs: 900_000 }),
      standing('solved-fast', { diagnosed: true, completed: true, score: 80, solvedInMs: 300_000 }),
      standing('solved-best', { diagnosed: true, completed: true, score: 100, solvedInMs: 1_200_000 }),
      standing('early-start', {}),
    ]);
    expect(ranked.map((s) => s.learner)).toEqual(['solved-best', 'solved-fast', 'solved-slow', 'diagnosed', 'early-start', 'late-start']);
  });
});
