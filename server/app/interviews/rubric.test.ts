import { describe, expect, it } from 'vitest';
import { ActivityLog } from './activityLog.js';
import type { ActivityDetail, ActivityEntry } from './interviewProtocol.js';
import { rubricMax, scoreRubric } from './rubric.js';

/** A lab's entries, one second apart from its start. */
function lab(...details: ActivityDetail[]): ActivityEntry[] {
  const log = new ActivityLog(() => 0);
  log.record(0, 'wrong-ca', { kind: 'lab-started', sandbox: 's1', variant: 'as written' }, 0);
  details.forEach((detail, i) => log.record(0, 'wrong-ca', detail, (i + 1) * 1000));
  return log.entries();
}

const scores = (entries: ActivityEntry[][], budgetMs = 600_000) => Object.fromEntries(scoreRubric(entries, budgetMs).map((c) => [c.id, c.score]));

const opened: ActivityDetail = { kind: 'event-opened', conn: 1, seq: 4, label: 'server → client alert' };
const inspected: ActivityDetail = { kind: 'certificate-inspected', subject: 'CN=billing', source: 'wire' };
const right: ActivityDetail = { kind: 'diagnosis', rootCause: 'wrong-ca', title: 'Wrong CA', correct: true };
const wrong: ActivityDetail = { kind: 'diagnosis', rootCause: 'expired-cert', title: 'Expired', correct: false };
const goodFix: ActivityDetail = { kind: 'fix', action: 'trust-issuer', target: 'ledger', wrong: false };
const badFix: ActivityDetail = { kind: 'fix', action: 'reissue', target: 'billing-client', wrong: true };
const green: ActivityDetail = { kind: 'verify', green: true };

describe('scoreRubric', () => {
  it('scores the top level for evidence first, the right cause at once, a clean fix, the tools and a quick green', () => {
    const entries = lab(
      opened,
      inspected,
      { kind: 'command', line: 'openssl s_client -connect ledger:443' },
      { kind: 'command', line: 'curl -v https://ledger' },
      { kind: 'command', line: 'openssl x509 -in billing.pem -noout -issuer' },
      right,
      goodFix,
      green,
    );
    expect(scores([entries])).toEqual({ 'evidence-first': 3, 'root-cause': 3, 'clean-fix': 3, 'terminal-tools': 3, time: 3 });
  });

  it('scores the bottom level for a guess with nothing opened, never right, no fix, no command', () => {
    expect(scores([lab(wrong, wrong)])).toEqual({ 'evidence-first': 0, 'root-cause': 0, 'clean-fix': 0, 'terminal-tools': 0, time: 0 });
  });

  it('takes a level off the root cause for each wrong answer before the right one', () => {
    expect(scores([lab(opened, wrong, right)])['root-cause']).toBe(2);
    expect(scores([lab(opened, wrong, wrong, wrong, right)])['root-cause']).toBe(1);
  });

  it('marks a green reached after a wrong fix below a clean one, and fixes never verified lower still', () => {
    expect(scores([lab(right, badFix, goodFix, green)])['clean-fix']).toBe(2);
    expect(scores([lab(right, goodFix, { kind: 'verify', green: false })])['clean-fix']).toBe(1);
  });

  it('counts commands that are not TLS tools as using the terminal, but not its tools', () => {
    expect(scores([lab({ kind: 'command', line: 'whoami' })])['terminal-tools']).toBe(1);
  });

  it('scores time by the share of the lab\'s budget used to reach green', () => {
    // Green at 4 s: 20% of 20 s, 80% of 5 s, past 3 s.
    const entries = lab(opened, right, goodFix, green);
    expect(scores([entries], 20_000).time).toBe(3);
    expect(scores([entries], 5_000).time).toBe(1);
    expect(scores([entries], 3_000).time).toBe(0);
  });

  it('gives the labs\' mean rounded down, and says why per lab', () => {
    const rubric = scoreRubric([lab(opened, right), lab(wrong)], 600_000);
    const rootCause = rubric.find((c) => c.id === 'root-cause')!;
    expect(rootCause.score).toBe(1);
    expect(rootCause.because).toMatch(/^lab 1: Wrong CA, at once; lab 2: 1 wrong: Expired$/);
    expect(rootCause.levels).toHaveLength(4);
  });

  it('scores nothing when no lab was started, out of five criteria of three levels', () => {
    expect(scoreRubric([], 1000).every((c) => c.score === 0 && c.because === 'no lab was started')).toBe(true);
    expect(rubricMax).toBe(15);
  });
});
