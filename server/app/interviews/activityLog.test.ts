import { describe, expect, it } from 'vitest';
import { ActivityLog, maxEntries, timeToFirstHypothesisMs } from './activityLog.js';

describe('ActivityLog', () => {
  it('records nothing before the interview\'s clock starts', () => {
    let startedAt: number | null = null;
    const log = new ActivityLog(() => startedAt);
    expect(log.record(0, 'wrong-ca', { kind: 'command', line: 'ls' })).toBeUndefined();
    startedAt = 1000;
    expect(log.record(0, 'wrong-ca', { kind: 'command', line: 'ls' }, 4000)).toMatchObject({ n: 1, sinceStartMs: 3000, kind: 'command', line: 'ls' });
  });

  it('numbers the entries in order and tells each one to its listeners', () => {
    const log = new ActivityLog(() => 0);
    const heard: number[] = [];
    log.changes.on('entry', (entry: { n: number }) => heard.push(entry.n));
    log.record(0, 'a', { kind: 'hint', index: 1 }, 10);
    log.record(1, 'b', { kind: 'hint', index: 1 }, 20);
    expect(heard).toEqual([1, 2]);
    expect(log.ofStep(1).map((e) => e.lab)).toEqual(['b']);
  });

  it('drops the oldest of what was looked at or typed first past its bound, keeping the answers', () => {
    const log = new ActivityLog(() => 0);
    log.record(0, 'a', { kind: 'lab-started', sandbox: 's', variant: '' }, 0);
    log.record(0, 'a', { kind: 'diagnosis', rootCause: 'x', title: 'X', correct: false }, 1);
    log.record(0, 'a', { kind: 'command', line: 'first' }, 1);
    for (let i = 0; i < maxEntries; i++) log.record(0, 'a', { kind: 'event-opened', conn: 1, seq: i, label: '' }, 2);
    const entries = log.entries();
    expect(entries).toHaveLength(maxEntries);
    expect(entries.slice(0, 3).map((e) => e.kind)).toEqual(['lab-started', 'diagnosis', 'event-opened']);
    // 2003 recorded: the command, then events 0 and 1 went.
    expect(entries[2]).toMatchObject({ seq: 2 });
    expect(entries.at(-1)).toMatchObject({ seq: maxEntries - 1 });
  });

  it('measures the time to the first hypothesis from the lab\'s start, wrong answers included', () => {
    const log = new ActivityLog(() => 0);
    log.record(0, 'a', { kind: 'lab-started', sandbox: 's', variant: '' }, 5000);
    expect(timeToFirstHypothesisMs(log.entries())).toBeNull();
    log.record(0, 'a', { kind: 'diagnosis', rootCause: 'x', title: 'X', correct: false }, 65_000);
    log.record(0, 'a', { kind: 'diagnosis', rootCause: 'y', title: 'Y', correct: true }, 90_000);
    expect(timeToFirstHypothesisMs(log.entries())).toBe(60_000);
  });
});
