/**
 * Learners are people, over real HTTP and WebSocket: each page's learner cookie owns its
 * sandboxes and progress. Learner B gets 404 SANDBOX_NOT_FOUND for A's sandbox on every route,
 * cannot subscribe to it or open its terminal, and never sees A's reveal; the operator's token
 * reaches it. A page pressing Start again resumes; progress is per learner; a learner's sandbox
 * with no page open stops after the (shortened) idle time; an interview's time runs out on the
 * server. Every wait is for a real event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provesAnswer } from '../../server/app/grading.js';
import { LabCatalogue } from '../../server/app/labCatalogue.js';
import { learnerCookieName, newLearnerId } from '../../server/app/learners.js';
import { ProgressStore } from '../../server/app/progressStore.js';
import type { SandboxView, ServerMessage, TraceEvent, TraceResponse } from '../../server/app/protocol.js';
import { SandboxRegistry } from '../../server/app/sandboxRegistry.js';
import { defaultTrafficRps, TrafficBudget } from '../../server/app/trafficBudget.js';
import { loadLabs } from '../../server/lab/index.js';
import { waitForValue } from '../helpers/waitFor.js';
import { connectWs, labsDir, openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const docs = new Map((await loadLabs(labsDir)).map((doc) => [doc.spec.id, doc.spec]));

/** The event that proves the lab's answer, once the trace holds one (read with the operator's token). */
async function proof(t: TestApp, id: string, lab: string): Promise<TraceEvent> {
  const scenario = docs.get(lab)!.scenario;
  return waitForValue(`a trace event proving ${lab}'s answer`, async () => {
    const trace = (await t.api('GET', `/api/sandboxes/${id}/trace`)).json as TraceResponse;
    return trace.events.find((event) => provesAnswer(scenario, event));
  });
}

const stoppedOf = (id: string) => (m: ServerMessage): m is Extract<ServerMessage, { type: 'status' }> => m.type === 'status' && m.sandbox === id && m.status === 'stopped';

describe("one learner and another's sandbox", () => {
  let t: TestApp;
  const ada = newLearnerId();
  const bob = newLearnerId();
  let adaSocket: LabSocket;
  let bobSocket: LabSocket;
  let id = '';

  beforeAll(async () => {
    t = await startTestApp();
    adaSocket = await openPageSocket(t, ada);
    bobSocket = await openPageSocket(t, bob);
  });
  afterAll(async () => {
    await adaSocket?.close();
    await bobSocket?.close();
    await t?.stop();
  });

  it('gives a page without a learner cookie one: HttpOnly, SameSite=Strict, named for this port', async () => {
    const res = await t.request('/api/me', { headers: { cookie: `mtls_lab_token_${t.port}=${t.token}` } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ name: null, role: 'host', sandboxes: [] });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${learnerCookieName(t.port)}=[A-Za-z0-9_-]{22}; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+$`));
    // A page that has one keeps it; the operator's script gets none.
    expect((await t.pageApi(ada, 'GET', '/api/me')).headers['set-cookie']).toBeUndefined();
    expect((await t.request('/api/me', { headers: { authorization: `Bearer ${t.token}` } })).headers['set-cookie']).toBeUndefined();
  });

  it("starts ada's lab under her name, and lists it only to her", async () => {
    const started = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'expired-client-cert', learner: 'ada' });
    expect(started.status).toBe(201);
    id = started.json.id;
    expect((await t.pageApi(ada, 'GET', '/api/sandboxes')).json.sandboxes.map((s: SandboxView) => s.id)).toEqual([id]);
    expect((await t.pageApi(bob, 'GET', '/api/sandboxes')).json.sandboxes).toEqual([]);
    expect((await t.pageApi(ada, 'GET', '/api/me')).json).toMatchObject({ name: 'ada', sandboxes: [{ id, lab: 'expired-client-cert' }] });
    expect((await t.pageApi(bob, 'GET', '/api/me')).json).toEqual({ name: null, role: 'host', sandboxes: [] });
    expect((await adaSocket.call({ type: 'subscribe', sandbox: id })).ok).toBe(true);
  });

  it("answers every sandbox route of ada's with 404 SANDBOX_NOT_FOUND for bob, as for no sandbox at all", async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', ''],
      ['GET', '/trace'],
      ['GET', '/certificates'],
      ['GET', '/capture.pcapng'],
      ['GET', '/keys.log'],
      ['POST', '/traffic', { requests: 1 }],
      ['POST', '/hints'],
      ['POST', '/diagnosis', { rootCause: 'expired-cert', evidence: { conn: 1, seq: 1 } }],
      ['POST', '/fix', { action: 'reissue', target: 'payments-client' }],
      ['PUT', '/faults', { faults: [] }],
      ['POST', '/verify'],
      ['DELETE', ''],
    ];
    for (const [method, rest, body] of routes) {
      const theirs = await t.pageApi(bob, method, `/api/sandboxes/${id}${rest}`, body);
      const none = await t.pageApi(bob, method, `/api/sandboxes/no-such-sandbox${rest}`, body);
      expect([method, rest, theirs.status, theirs.json?.error?.code]).toEqual([method, rest, 404, 'SANDBOX_NOT_FOUND']);
      expect(theirs.json.error.message.replace(id, 'ID')).toBe(none.json.error.message.replace('no-such-sandbox', 'ID'));
    }
    // Nothing bob tried reached it: no hint taken, still running.
    expect((await t.pageApi(ada, 'GET', `/api/sandboxes/${id}`)).json).toMatchObject({ status: 'running', scenario: { hints: { shown: [] } } });
  });

  it("refuses bob's socket a subscription to ada's sandbox and its terminal", async () => {
    expect(await bobSocket.call({ type: 'subscribe', sandbox: id })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
    expect(await bobSocket.call({ type: 'terminal-open', sandbox: id, cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
    // A socket with the token's cookie and no learner's is nobody's page.
    const anonymous = await connectWs(t.port, { origin: t.origin, cookie: `mtls_lab_token_${t.port}=${t.token}` });
    if (!anonymous.open) throw new Error(`refused: ${anonymous.status}`);
    expect(await anonymous.client.call({ type: 'subscribe', sandbox: id })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
    await anonymous.client.close();
  });

  it("keeps ada's reveal from bob after her correct diagnosis; the operator's token reads it", async () => {
    await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/traffic`, { requests: 2 });
    const event = await proof(t, id, 'expired-client-cert');
    const graded = await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: event.conn, seq: event.seq } });
    expect(graded.json).toMatchObject({ correct: true, reveal: { rootCause: { id: 'expired-cert' } } });
    await adaSocket.waitFor('ada hears her diagnosis', (m) => m.type === 'status' && m.sandbox === id && m.diagnosed);

    expect((await t.pageApi(bob, 'GET', `/api/sandboxes/${id}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
    for (const path of ['/api/sandboxes', '/api/me', '/api/scoreboard']) {
      const res = await t.pageApi(bob, 'GET', path);
      expect(res.text).not.toContain(id);
      expect(res.text).not.toMatch(/"(reveal|explanation|rootCause|fix)"/);
    }
    expect(bobSocket.messages.some((m) => 'sandbox' in m && m.sandbox === id)).toBe(false);
    expect(JSON.stringify(bobSocket.messages)).not.toContain('"reveal"');

    const operator = await t.request(`/api/sandboxes/${id}`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(operator.json).toMatchObject({ id, learner: 'ada', diagnosed: true, reveal: { rootCause: { id: 'expired-cert' } } });
    expect((await t.request('/api/sandboxes', { headers: { authorization: `Bearer ${t.token}` } })).json.sandboxes.map((s: SandboxView) => s.id)).toContain(id);
    const operatorSocket = await connectWs(t.port, { origin: t.origin, authorization: `Bearer ${t.token}` });
    if (!operatorSocket.open) throw new Error(`refused: ${operatorSocket.status}`);
    expect(await operatorSocket.client.call({ type: 'subscribe', sandbox: id })).toMatchObject({ ok: true, result: { sandbox: { id, reveal: { rootCause: { id: 'expired-cert' } } } } });
    await operatorSocket.client.close();
  });

  it('lets ada stop her own sandbox, and bob still cannot tell it ever existed', async () => {
    expect((await t.pageApi(ada, 'DELETE', `/api/sandboxes/${id}`)).status).toBe(204);
    await adaSocket.waitFor('the stop', stoppedOf(id));
    expect((await t.pageApi(bob, 'GET', `/api/sandboxes/${id}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});

describe('starting a lab that already runs', () => {
  let t: TestApp;
  const ada = newLearnerId();

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('resumes it for the same learner, with its score and hints; two Starts at once give one sandbox', async () => {
    const [first, second] = await Promise.all([
      t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'wrong-eku', learner: 'ada' }),
      t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'wrong-eku', learner: 'ada' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(second.json.id).toBe(first.json.id);
    const id = first.json.id as string;
    const hint = await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/hints`);
    expect(hint.json.score).toBeLessThan(100);

    const again = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'wrong-eku' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id, learner: 'ada', score: hint.json.score, scenario: { hints: { shown: [expect.any(String)] } } });
    expect(t.app.sandboxes.list()).toHaveLength(1);
  });

  it('starts a fresh one for another learner, for another lab, and for the operator’s script', async () => {
    const bob = await t.pageApi(newLearnerId(), 'POST', '/api/sandboxes', { lab: 'wrong-eku' });
    expect([bob.status, bob.json.score]).toEqual([201, 100]);
    expect((await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'baseline' })).status).toBe(201);
    expect((await t.api('POST', '/api/sandboxes', { lab: 'wrong-eku' })).status).toBe(201);
    expect(t.app.sandboxes.list()).toHaveLength(4);
  });
});

describe('progress', () => {
  let t: TestApp;
  const ada = newLearnerId();
  const bob = newLearnerId();

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("is each learner's own: ada's solved lab is not bob's, and bob's reset leaves hers", async () => {
    const id = (await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: 'baseline' })).json.id as string;
    await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/traffic`, { requests: 1 });
    const event = await proof(t, id, 'baseline');
    expect((await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'none', evidence: { conn: event.conn, seq: event.seq } })).json.correct).toBe(true);
    expect((await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/verify`)).json).toMatchObject({ green: true, completed: true });

    expect((await t.pageApi(ada, 'GET', '/api/progress')).json).toMatchObject({ completed: 1, labs: { baseline: { completed: true, bestScore: 100 } } });
    expect((await t.pageApi(bob, 'GET', '/api/progress')).json).toEqual({ labs: {}, completed: 0, totalScore: 0 });
    expect((await t.pageApi(bob, 'GET', '/api/labs')).json.progress).toEqual({ completed: 0, totalScore: 0 });
    expect((await t.pageApi(ada, 'GET', '/api/labs')).json.progress).toEqual({ completed: 1, totalScore: 100 });

    expect((await t.pageApi(bob, 'DELETE', '/api/progress')).status).toBe(200);
    expect((await t.pageApi(ada, 'GET', '/api/progress')).json.completed).toBe(1);
  });
});

describe('a learner’s sandbox with no page open', () => {
  let t: TestApp;
  const ada = newLearnerId();
  let operator: LabSocket;

  beforeAll(async () => {
    t = await startTestApp({ idleStopMs: 1500 });
    const outcome = await connectWs(t.port, { origin: t.origin, authorization: `Bearer ${t.token}` });
    if (!outcome.open) throw new Error(`refused: ${outcome.status}`);
    operator = outcome.client;
  });
  afterAll(async () => {
    await operator?.close();
    await t?.stop();
  });

  it('stops after the idle time; one with a page open runs on until the page goes; the operator’s own never', async () => {
    const start = async (lab: string): Promise<string> => (await t.pageApi(ada, 'POST', '/api/sandboxes', { lab })).json.id;
    const watched = await start('baseline');
    const page = await openPageSocket(t, ada);
    expect((await page.call({ type: 'subscribe', sandbox: watched })).ok).toBe(true);
    const script = (await t.request('/api/sandboxes', { method: 'POST', headers: { origin: t.origin, authorization: `Bearer ${t.token}` }, body: { lab: 'baseline' } })).json.id as string;
    const forgotten = await start('wrong-eku');
    // The operator's socket follows all three; it is no page of ada's.
    for (const id of [watched, script, forgotten]) expect((await operator.call({ type: 'subscribe', sandbox: id })).ok).toBe(true);

    const idle = await operator.waitFor('the sandbox without a page to stop', stoppedOf(forgotten));
    expect(idle.reason).toBe('idle');
    // Started before it, with a page open all along: still running.
    expect((await t.api('GET', `/api/sandboxes/${watched}`)).json.status).toBe('running');

    await page.close();
    const later = await operator.waitFor('the sandbox whose page closed to stop', stoppedOf(watched));
    expect(later.reason).toBe('idle');
    expect((await t.pageApi(ada, 'GET', '/api/me')).json.sandboxes).toEqual([]);
    // Idle by then far longer than the idle time, the script's sandbox runs on.
    expect(t.app.sandboxes.list().map((s) => s.id)).toEqual([script]);
  });
});

describe('an interview', () => {
  let dataDir: string;
  let registry: SandboxRegistry | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-interview-'));
  });
  afterAll(async () => {
    await registry?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts down on the server and ends the lab when its time is up; a practice run has no deadline', async () => {
    const logger = { error: (message: string, error?: unknown) => void expect.fail(`${message}: ${String(error)}`) };
    registry = new SandboxRegistry(new LabCatalogue(labsDir, logger), { maxSandboxes: 2, sandboxOptions: {}, progress: await ProgressStore.open(dataDir, logger), verifyRequests: 1, trafficBudget: new TrafficBudget(defaultTrafficRps()), logger, interviewMs: 1500 });
    const practice = await registry.start('baseline');
    expect(practice.view().deadline).toBeNull();
    const interview = await registry.start('baseline', { interview: true, owner: newLearnerId() });
    const statuses: ServerMessage[] = [];
    interview.events.on('message', (m: ServerMessage) => statuses.push(m));
    const { deadline } = interview.view();
    expect(deadline!.leftMs).toBeGreaterThan(0);
    expect(deadline!.leftMs).toBeLessThanOrEqual(1500);
    expect(Date.parse(deadline!.at) - Date.parse(interview.view().startedAt)).toBe(1500);

    const stopped = await new Promise<string>((resolve) => registry!.changes.on('stopped', resolve));
    expect(stopped).toBe(interview.id);
    expect(statuses.at(-1)).toMatchObject({ type: 'status', status: 'stopped', reason: 'time-up' });
    expect(registry.list().map((s) => s.id)).toEqual([practice.id]);
  });
});
