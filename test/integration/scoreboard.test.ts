/**
 * A team drill's scoreboard, through the API and the live channel: two learners start labs,
 * one takes a hint, answers wrong, then solves for real (fix, verify green); the scoreboard
 * pushed over /ws follows each step and ranks the solver first, and never carries an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage, Standing, TraceEvent } from '../../server/app/protocol.js';
import { openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';

let t: TestApp;
let socket: LabSocket;

beforeAll(async () => {
  t = await startTestApp();
  socket = await openPageSocket(t);
});

afterAll(async () => {
  await socket?.close();
  await t?.stop();
});

type Board = Extract<ServerMessage, { type: 'scoreboard' }>;
/** Runs `step`, then resolves with the first scoreboard pushed after it began whose standings satisfy `match`. */
async function after(step: () => Promise<unknown>, what: string, match: (standings: Standing[]) => boolean): Promise<Board> {
  const since = socket.messages.length;
  await step();
  return socket.waitFor(what, (m): m is Board => m.type === 'scoreboard' && socket.messages.indexOf(m) >= since && match(m.standings)) as Promise<Board>;
}
const of = (standings: Standing[], learner: string): Standing | undefined => standings.find((s) => s.learner === learner);

describe('the scoreboard of a drill', () => {
  const ids: Record<string, string> = {};
  let alert: TraceEvent | undefined;

  it('follows learners as they start, with their names', async () => {
    expect(await socket.call({ type: 'scoreboard-subscribe' })).toMatchObject({ ok: true, result: { standings: [] } });
    const start = async (): Promise<void> => {
      for (const [learner, lab] of [['ada', 'expired-client-cert'], ['grace', 'clock-skew']] as const) {
        const started = await t.api('POST', '/api/sandboxes', { lab, learner });
        expect(started.status).toBe(201);
        expect(started.json.learner).toBe(learner);
        ids[learner] = started.json.id;
      }
    };
    const pushed = await after(start, 'both learners', (s) => of(s, 'ada') !== undefined && of(s, 'grace') !== undefined);
    expect(of(pushed.standings, 'ada')).toMatchObject({ lab: 'expired-client-cert', status: 'running', diagnosed: false, completed: false, score: 100, hintsUsed: 0 });
  });

  it('shows what hints and wrong answers cost', async () => {
    await after(() => t.api('POST', `/api/sandboxes/${ids.ada}/hints`), "ada's hint", (s) => of(s, 'ada')?.hintsUsed === 1);
    expect((await socket.call({ type: 'subscribe', sandbox: ids.ada })).ok).toBe(true);
    await t.api('POST', `/api/sandboxes/${ids.ada}/traffic`, { requests: 2 });
    const traced = await socket.waitFor('the alert that refuses ada\'s client certificate', (m) =>
      m.type === 'trace' && m.sandbox === ids.ada && m.events.some((e) => e.type === 'alert certificate_expired (45)'),
    );
    alert = traced.type === 'trace' ? traced.events.find((e) => e.type === 'alert certificate_expired (45)') : undefined;
    const open = traced.type === 'trace' ? traced.events.find((e) => e.type === 'tcp-open')! : undefined;
    const wrong = async (): Promise<void> => {
      const graded = await t.api('POST', `/api/sandboxes/${ids.ada}/diagnosis`, { rootCause: 'wrong-ca', evidence: { conn: open!.conn, seq: open!.seq } });
      expect(graded.json.correct).toBe(false);
    };
    const pushed = await after(wrong, "ada's wrong answer", (s) => of(s, 'ada')?.wrongDiagnoses === 1);
    expect(of(pushed.standings, 'ada')!.score).toBeLessThan(100);
  });

  it('ranks a learner who solved it for real first, with the time it took', async () => {
    const diagnose = async (): Promise<void> => {
      expect((await t.api('POST', `/api/sandboxes/${ids.ada}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: alert!.conn, seq: alert!.seq } })).json.correct).toBe(true);
    };
    await after(diagnose, 'ada diagnosed', (s) => of(s, 'ada')?.diagnosed === true);
    const solve = async (): Promise<void> => {
      expect((await t.api('POST', `/api/sandboxes/${ids.ada}/fix`, { action: 'reissue', target: 'payments-client' })).status).toBe(200);
      expect((await t.api('POST', `/api/sandboxes/${ids.ada}/verify`)).json.green).toBe(true);
    };
    const pushed = await after(solve, 'ada solved', (s) => of(s, 'ada')?.completed === true);
    expect(pushed.standings[0]).toMatchObject({ learner: 'ada', completed: true });
    expect(pushed.standings[0]!.solvedInMs).toBeGreaterThan(0);
    // The sandbox's own view stops its clock there too: the page shows the time it took.
    const view = await t.api('GET', `/api/sandboxes/${ids.ada}`);
    expect(view.json.elapsedMs).toBe(pushed.standings[0]!.solvedInMs);

    const fetched = await t.api('GET', '/api/scoreboard');
    expect(fetched.json.standings.map((s: Standing) => s.learner)).toEqual(['ada', 'grace']);
    // Standings say how far each learner got, never what the answer is, nor a sandbox's id.
    expect(fetched.text).not.toMatch(/"(answer|evidence|explain|hints|reveal|rootCause|sandbox|id)"/);
    for (const id of Object.values(ids)) expect(fetched.text).not.toContain(id);
  });

  it('drops a stopped sandbox from the board', async () => {
    await after(() => t.api('DELETE', `/api/sandboxes/${ids.grace}`), 'grace gone', (s) => of(s, 'grace') === undefined && of(s, 'ada') !== undefined);
  });

  it('refuses a learner name that is not a short plain name, and starts nothing', async () => {
    for (const learner of ['', 'x'.repeat(41), '<script>', ' ada', 42]) {
      const res = await t.api('POST', '/api/sandboxes', { lab: 'baseline', learner });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('BAD_REQUEST');
    }
    expect((await t.api('GET', '/api/scoreboard')).json.standings.map((s: Standing) => s.learner)).toEqual(['ada']);
  });
});
