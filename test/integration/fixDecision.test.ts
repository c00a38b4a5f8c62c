/**
 * The fix is the learner's decision, and Verify proves the repair, through the API against
 * real sandboxes: any catalogue fix that applies is applied for real, a wrong one costs points
 * (on the view and the scoreboard), one that cannot apply is a 4xx with a stable code at no
 * cost; Verify stays red until what runs is repaired — in exhausted-pool, at the incident's own
 * load, not five requests.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provesAnswer } from '../../server/app/grading.js';
import type { TraceEvent } from '../../server/app/protocol.js';
import { loadLab } from '../../server/lab/index.js';
import { waitForValue } from '../helpers/waitFor.js';
import { labsDir, startTestApp, type TestApp } from './appHarness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
});

/** Starts `lab`, sends `requests` per client, and diagnoses it right with an event that proves it. */
async function diagnosed(lab: string, requests: number): Promise<string> {
  const { spec } = await loadLab(path.join(labsDir, `${lab}.yaml`));
  const start = await t.api('POST', '/api/sandboxes', { lab });
  expect(start.status).toBe(201);
  const id: string = start.json.id;
  await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests });
  const proof = await waitForValue(`a trace event proving ${spec.scenario.answer}`, async () =>
    ((await t.api('GET', `/api/sandboxes/${id}/trace`)).json.events as TraceEvent[]).find((event) => provesAnswer(spec.scenario, event)),
  );
  const graded = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: spec.scenario.answer, evidence: { conn: proof.conn, seq: proof.seq } });
  expect(graded.json).toMatchObject({ correct: true, score: 100 });
  return id;
}

const fix = (id: string, body: unknown) => t.api('POST', `/api/sandboxes/${id}/fix`, body);
const verify = (id: string) => t.api('POST', `/api/sandboxes/${id}/verify`);

describe('the catalogue offers fix actions to choose from', () => {
  it('names each action, the kind of thing it acts on, and its params with type, rule and default', async () => {
    const catalogue = await t.api('GET', '/api/catalogue');
    expect(catalogue.json.fixActions).toContainEqual({
      action: 'tune-pool',
      title: expect.any(String),
      target: 'client',
      params: [
        { name: 'maxSockets', type: 'number', expected: 'a whole number from 1 to 256', required: false, default: 16 },
        { name: 'timeoutMs', type: 'number', expected: expect.stringMatching(/^a whole number from 1 to \d+$/), required: false },
      ],
    });
    expect(catalogue.json.fixActions).toContainEqual(expect.objectContaining({ action: 'reissue', target: 'certificate', params: [] }));
  });
});

describe('expired-client-cert: a wrong fix is applied and charged, a refused one is free, the right one verifies green', () => {
  let id = '';

  it('lists what a fix may target in this lab, by kind', async () => {
    id = await diagnosed('expired-client-cert', 2);
    const view = await t.api('GET', `/api/sandboxes/${id}`);
    expect(view.json.fixTargets).toEqual({
      certificate: ['corp-root', 'corp-issuing', 'auth-server', 'payments-client'],
      service: ['auth'],
      client: ['payments'],
      endpoint: ['auth', 'payments'],
    });
    expect(view.json.reveal.fix).toBeUndefined();
  });

  it('refuses, at no cost: an unknown action, a target the lab lacks, params that do not fit, an action that cannot apply here', async () => {
    expect(await fix(id, { action: 'reboot' })).toMatchObject({ status: 400, json: { error: { code: 'UNKNOWN_FIX' } } });
    expect(await fix(id, { action: 'reissue', target: 'no-such-cert' })).toMatchObject({ status: 400, json: { error: { code: 'FIX_NOT_APPLICABLE' } } });
    expect(await fix(id, { action: 'tune-pool', target: 'payments', params: { maxSockets: 0 } })).toMatchObject({ status: 400, json: { error: { code: 'BAD_PARAMS' } } });
    // No service presents a client's certificate: there are no names to match.
    expect(await fix(id, { action: 'match-san', target: 'payments-client' })).toMatchObject({ status: 400, json: { error: { code: 'FIX_NOT_APPLICABLE' } } });
    expect((await t.api('GET', `/api/sandboxes/${id}`)).json).toMatchObject({ score: 100, wrongFixes: 0, fixesApplied: [] });
  });

  it('stays red with no fix', async () => {
    const res = await verify(id);
    expect(res.json).toMatchObject({ green: false, completed: false, score: 100 });
    expect(res.json.checks).toEqual([expect.objectContaining({ client: 'payments', expect: 'ok', why: 'every request must be answered', ok: 0, pass: false })]);
  });

  it("applies a wrong fix for real and charges it: auth's certificate re-issued, payments' still expired, red", async () => {
    const res = await fix(id, { action: 'reissue', target: 'auth-server' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ score: 90, wrongFixes: 1, fixesApplied: [{ action: 'reissue', target: 'auth-server' }] });
    const standings = (await t.api('GET', '/api/scoreboard')).json.standings as Array<{ lab: string }>;
    expect(standings.find((standing) => standing.lab === 'expired-client-cert')).toMatchObject({ score: 90, wrongFixes: 1 });
    expect((await verify(id)).json).toMatchObject({ green: false, completed: false, score: 90 });
  });

  it('verifies green after the right fix, which costs nothing, and then shows the lab\'s own repair', async () => {
    expect((await fix(id, { action: 'reissue', target: 'payments-client' })).json).toMatchObject({ score: 90, wrongFixes: 1 });
    expect((await verify(id)).json).toMatchObject({ green: true, completed: true, score: 90 });
    expect((await t.api('GET', `/api/sandboxes/${id}`)).json.reveal.fix).toEqual([{ action: 'reissue', target: 'payments-client', params: {} }]);
  });
});

describe('exhausted-pool: Verify runs the incident\'s own load, so only a pool sized for it passes', () => {
  let id = '';

  it('stays red with no fix: 150 requests a second for 3 s time out in a pool of 2', async () => {
    id = await diagnosed('exhausted-pool', 300);
    const res = await verify(id);
    expect(res.json.green).toBe(false);
    expect(res.json.checks).toEqual([
      expect.objectContaining({
        client: 'checkout',
        requests: 450,
        why: 'every request must be answered, at 150 requests a second for 3 s, with fewer than 0.3 full handshakes per request',
        pass: false,
      }),
    ]);
    expect(res.json.edges[0].timeouts).toBeGreaterThan(0);
  });

  it('stays red with keep-alive on but still 2 sockets: the fix touches the pool, so it costs nothing, and Verify says it is not enough', async () => {
    expect((await fix(id, { action: 'tune-pool', target: 'checkout', params: { maxSockets: 2 } })).json).toMatchObject({ score: 100, wrongFixes: 0 });
    const res = await verify(id);
    expect(res.json.green).toBe(false);
    expect(res.json.edges[0].timeouts).toBeGreaterThan(0);
  });

  it('verifies green with the pool sized for the load: every request answered, connections kept', async () => {
    expect((await fix(id, { action: 'tune-pool', target: 'checkout', params: { maxSockets: 16 } })).status).toBe(200);
    const res = await verify(id);
    expect(res.json).toMatchObject({ green: true, completed: true });
    expect(res.json.checks[0]).toMatchObject({ requests: 450, ok: 450, pass: true });
    expect(res.json.checks[0].handshakesPerRequest).toBeLessThan(0.3);
  });
});
