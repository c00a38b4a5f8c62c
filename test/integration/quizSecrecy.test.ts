/**
 * The quiz keeps its secrets, over the real API and WebSocket: before the diagnosis a page of
 * the learner gets the choices as ids and titles in its sandbox's own order, and nothing that
 * gives the answer away — no reveal, no explanation, no distractor's reason, no explainer's
 * finding, no service policy; level `advanced` labs and interviews get no notes at all. A
 * correct diagnosis brings each of them. Sandboxes of one lab show their choices in orders of
 * their own (the run's quiz seed is fixed, so which orders is deterministic).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provesAnswer, rootCauseSummary, rootCauseTitle } from '../../server/app/grading.js';
import { newLearnerId } from '../../server/app/learners.js';
import type { CertificatesResponse, SandboxView, ServerMessage, TraceEvent, TraceResponse } from '../../server/app/protocol.js';
import { loadLabs } from '../../server/lab/index.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { labsDir, openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';

const docs = new Map((await loadLabs(labsDir)).map((doc) => [doc.spec.id, doc.spec]));
const lab = docs.get('expired-client-cert')!;
const { answer, distractors, explain } = lab.scenario;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ quizSeed: 20261202 });
});
afterAll(async () => {
  await t?.stop();
});

type TraceMessage = Extract<ServerMessage, { type: 'trace' }>;
const isTrace = (id: string) => (m: ServerMessage): m is TraceMessage => m.type === 'trace' && m.sandbox === id;

/** Where a text gives the answer away: its id outside the choices, its explanation, a distractor's reason, a finding. */
function giveaways(text: string): string[] {
  const found: string[] = [];
  if (text.includes(explain.trim().slice(0, 60))) found.push('the explanation');
  for (const why of Object.values(distractors)) if (text.includes(why)) found.push(`a reason: ${why}`);
  const key = /"(reveal|explanation|distractors|finding|answer)":/.exec(text);
  if (key) found.push(key[0]);
  if (/"(clientAuth|mode)":/.test(text)) found.push('a service policy');
  return found;
}

const session = (id: string) => t.app.sandboxes.list().find((each) => each.id === id)!;

/** The trace as a page reads it, once the sandbox built an event the test waits for. */
async function pageTrace(learner: string, id: string, match: (event: TraceEvent) => boolean): Promise<TraceEvent[]> {
  await traceEvent(session(id), match);
  return ((await t.pageApi(learner, 'GET', `/api/sandboxes/${id}/trace`)).json as TraceResponse).events;
}

describe('the quiz before the diagnosis', () => {
  const ada = newLearnerId();
  let id: string;
  let socket: LabSocket;

  beforeAll(async () => {
    socket = await openPageSocket(t, ada);
    const started = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: lab.id });
    expect(started.status).toBe(201);
    id = (started.json as SandboxView).id;
    expect(await socket.call({ type: 'subscribe', sandbox: id })).toMatchObject({ ok: true });
    await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/traffic`, { requests: 2 });
  });
  afterAll(async () => {
    await socket?.close();
  });

  it('sends the choices as ids and titles only, the answer once among them, and nothing that gives it away', async () => {
    const res = await t.pageApi(ada, 'GET', `/api/sandboxes/${id}`);
    const view = res.json as SandboxView;
    expect(view.scenario.choices.map((choice) => Object.keys(choice).sort())).toEqual(view.scenario.choices.map(() => ['id', 'title']));
    expect(view.scenario.choices.map((choice) => choice.id).sort()).toEqual([answer, ...Object.keys(distractors)].sort());
    expect(res.text.split(`"${answer}"`)).toHaveLength(2);
    expect(giveaways(res.text)).toEqual([]);
  });

  it('sends a trace of facts: the certificate that expired, with no finding about it', async () => {
    // The client's Certificate, decrypted: its leaf expired before the connection.
    const events = await pageTrace(ada, id, (e) => e.type === 'Certificate' && e.side === 'client');
    expect(events.filter((e) => 'finding' in e)).toEqual([]);
    expect(events.find((e) => e.type === 'Certificate' && e.side === 'client')!.note).toContain('presents CN=payments-client');
    const certificates = await t.pageApi(ada, 'GET', `/api/sandboxes/${id}/certificates`);
    expect((certificates.json as CertificatesResponse).holders.flatMap((h) => h.sends?.certificates ?? []).some((c) => 'validity' in c)).toBe(false);
  });

  it('sends nothing over the socket that gives the answer away, until the diagnosis brings the conclusions', async () => {
    const before = JSON.stringify(socket.messages);
    expect(socket.messages.filter(isTrace(id)).length).toBeGreaterThan(0);
    expect(giveaways(before)).toEqual([]);
    // The answer's id only in the subscribe reply's choices.
    expect(before.split(`"${answer}"`)).toHaveLength(2);

    const proof = await traceEvent(session(id), (event) => provesAnswer(lab.scenario, event));
    const sent = socket.messages.length;
    const graded = await t.pageApi(ada, 'POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: answer, evidence: { conn: proof.conn, seq: proof.seq } });
    expect(graded.json).toMatchObject({ correct: true, reveal: { rootCause: { id: answer }, explanation: explain } });
    expect(graded.json.reveal.distractors.map((d: { id: string }) => d.id)).toEqual((await t.pageApi(ada, 'GET', `/api/sandboxes/${id}`)).json.scenario.choices.map((c: { id: string }) => c.id).filter((c: string) => c !== answer));
    expect(graded.json.reveal.distractors.map((d: { why: string }) => d.why).sort()).toEqual(Object.values(distractors).sort());

    const concluded = await socket.waitFor('the trace again, with findings', (m): m is TraceMessage => isTrace(id)(m) && socket.messages.indexOf(m) >= sent && m.events.some((e) => e.finding?.startsWith('EXPIRED')));
    expect(concluded.events.find((e) => e.finding)!.type).toBe('Certificate');
    const view = (await t.pageApi(ada, 'GET', `/api/sandboxes/${id}`)).json as SandboxView;
    expect(view.description!.services.auth).toMatchObject({ clientAuth: 'require', mode: 'strict' });
  });
});

describe('an interview before the diagnosis', () => {
  it('gets no notes at all: the automatic analysis is held back, and a correct diagnosis brings it', async () => {
    const bob = newLearnerId();
    const started = await t.pageApi(bob, 'POST', '/api/sandboxes', { lab: lab.id, interview: true });
    const id = (started.json as SandboxView).id;
    await t.pageApi(bob, 'POST', `/api/sandboxes/${id}/traffic`, { requests: 2 });
    const refused = (e: TraceEvent): boolean => e.layer === 'alert' && provesAnswer(lab.scenario, e);
    const events = await pageTrace(bob, id, refused);
    expect(events.map((e) => e.note).filter(Boolean)).toEqual([]);
    // The wire's own facts keep their weight: a fatal alert is still an error.
    const proof = events.find(refused)!;
    expect(proof.severity).toBe('error');

    await t.pageApi(bob, 'POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: answer, evidence: { conn: proof.conn, seq: proof.seq } });
    const after = (await t.pageApi(bob, 'GET', `/api/sandboxes/${id}/trace`)).json as TraceResponse;
    expect(after.events.find((e) => e.conn === proof.conn && e.seq === proof.seq)!.note).toMatch(/rejected/);
  });
});

describe('every lab', () => {
  it("words its title, summary, symptom and question without its answer's title or summary", () => {
    const named = [...docs.values()].filter((spec) => {
      const page = [spec.title, spec.summary ?? '', spec.scenario.symptom, spec.scenario.question].join(' ').toLowerCase();
      return page.includes(rootCauseTitle(spec.scenario.answer).toLowerCase()) || page.includes(rootCauseSummary(spec.scenario.answer).toLowerCase() || '\0');
    });
    expect(named.map((spec) => spec.id)).toEqual([]);
  });
});

describe('the order of the choices', () => {
  it('differs between sandboxes of the same lab', async () => {
    const orders: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const view = (await t.api('POST', '/api/sandboxes', { lab: lab.id })).json as SandboxView;
      orders.push(view.scenario.choices.map((choice) => choice.id));
      await t.api('DELETE', `/api/sandboxes/${view.id}`);
    }
    for (const order of orders) expect([...order].sort()).toEqual([answer, ...Object.keys(distractors)].sort());
    expect(new Set(orders.map((order) => order.join())).size).toBeGreaterThan(1);
  });
});
