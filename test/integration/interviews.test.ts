/**
 * An interview through the real HTTP API and WebSocket: the host creates it, the interviewer
 * and the candidate join by their links, the candidate works the lab (an event opened, a
 * certificate inspected, a command typed in the real terminal, answers), and the interviewer
 * sees each as it happens; the report holds it all. The candidate's credential reaches none of
 * the interviewer's routes, and no answer it gets holds a model answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { participantCookieName } from '../../server/app/credentials.js';
import { gradeDiagnosis } from '../../server/app/grading.js';
import { questionBank } from '../../server/app/interviews/questionBank.js';
import type { ActivityEntry, InterviewView, ServerMessage } from '../../server/app/protocol.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { connectWs, startTestApp, type LabSocket, type Response, type TestApp } from './appHarness.js';

let t: TestApp;
let interviewId: string;
let candidateCookie: string;
let interviewerCookie: string;
let sandbox: string;
let watcher: LabSocket;
let candidateSocket: LabSocket;
/** Every response body and socket message the candidate's credential received. */
const candidateSaw: string[] = [];

const join = (path: string, name: string): Promise<Response> => t.request('/api/join', { method: 'POST', headers: { origin: t.origin }, body: { code: path.replace('/join/', ''), name } });
const cookieOf = (joined: Response): string => (joined.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
const as = (cookie: string, method: string, target: string, body?: unknown): Promise<Response> =>
  t.request(target, { method, headers: { origin: t.origin, cookie }, ...(body === undefined ? {} : { body }) });
async function asCandidate(method: string, target: string, body?: unknown): Promise<Response> {
  const response = await as(candidateCookie, method, target, body);
  candidateSaw.push(response.text);
  return response;
}

async function socketOf(cookie: string): Promise<LabSocket> {
  const outcome = await connectWs(t.port, { origin: t.origin, cookie });
  if (!outcome.open) throw new Error(`WebSocket refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

/** The first `interview` push whose activity holds an entry matching `match`. */
function pushed(what: string, match: (entry: ActivityEntry) => boolean): Promise<ActivityEntry> {
  return watcher
    .waitFor(what, (m): m is Extract<ServerMessage, { type: 'interview' }> => m.type === 'interview' && m.interview.activity.some(match), 60_000)
    .then((m) => m.interview.activity.find(match)!);
}

const session = () => t.app.sandboxes.list().find((s) => s.id === sandbox)!;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await watcher?.close();
  await candidateSocket?.close();
  await t?.stop();
});

describe('an interview, created, joined, worked and watched', () => {
  it('is created by the host with two links, and refused to a bad request', async () => {
    expect((await t.api('POST', '/api/interviews', { labs: [], minutes: 30 })).json.error.code).toBe('BAD_REQUEST');
    expect((await t.api('POST', '/api/interviews', { level: 'expert', minutes: 30 })).json.error.code).toBe('BAD_REQUEST');
    expect((await t.api('POST', '/api/interviews', { labs: ['nope'], minutes: 30 })).json.error.code).toBe('LAB_NOT_FOUND');
    expect((await t.api('POST', '/api/interviews', { labs: ['wrong-ca'], minutes: 0 })).json.error.code).toBe('BAD_REQUEST');
    const created = await t.api('POST', '/api/interviews', { labs: ['wrong-ca'], minutes: 30, hints: false, seed: 11 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ state: 'waiting', minutes: 30, hints: false, seed: 11, candidatePath: expect.stringMatching(/^\/join\/[A-Za-z0-9_-]{24}$/), interviewerPath: expect.stringMatching(/^\/join\/[A-Za-z0-9_-]{24}$/) });
    expect(created.json.candidatePath).not.toBe(created.json.interviewerPath);
    expect(created.json.labs).toEqual([expect.objectContaining({ lab: 'wrong-ca', variant: expect.any(String), answer: expect.objectContaining({ rootCause: 'wrong-ca' }) })]);
    interviewId = created.json.id;

    const interviewer = await join(created.json.interviewerPath, 'Grace');
    expect(interviewer.json).toMatchObject({ role: 'interviewer', scope: interviewId });
    interviewerCookie = cookieOf(interviewer);
    watcher = await socketOf(interviewerCookie);
    const subscribed = await watcher.call({ type: 'interview-subscribe', interview: interviewId });
    expect(subscribed).toMatchObject({ ok: true, result: { id: interviewId, state: 'waiting', interviewers: [{ name: 'Grace' }] } });

    // A host-only route, to the interviewer's credential.
    expect((await as(interviewerCookie, 'POST', '/api/interviews', { labs: ['wrong-ca'], minutes: 5 })).json.error.code).toBe('HOST_ONLY');

    const candidate = await join(created.json.candidatePath, 'Ada');
    expect(candidate.json).toMatchObject({ role: 'candidate', scope: interviewId });
    candidateCookie = `${cookieOf(candidate)}`;
    expect(candidateCookie.startsWith(`${participantCookieName(t.port)}=`)).toBe(true);
    candidateSaw.push(candidate.text);
    // A link is one person's: spent by its first join.
    expect((await join(created.json.candidatePath, 'Mallory')).json.error.code).toBe('INVITE_NOT_FOUND');
  });

  it('starts the candidate\'s lab in interview mode, and the interviewer sees it start', async () => {
    const mine = await asCandidate('GET', '/api/interview');
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ id: interviewId, state: 'running', step: 0, labs: 1, lab: 'wrong-ca', hints: false, deadline: expect.any(String) });
    sandbox = mine.json.sandbox;
    const view = await asCandidate('GET', `/api/sandboxes/${sandbox}`);
    expect(view.json).toMatchObject({ interview: true, deadline: expect.objectContaining({ at: expect.any(String) }), scenario: { hints: { total: 0 } } });
    // The lab's countdown is the interview's own clock.
    expect(view.json.deadline.at).toBe(mine.json.deadline);
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/hints`)).json.error.code).toBe('HINTS_DISABLED');
    const started = await pushed('the lab started', (e) => e.kind === 'lab-started');
    expect(started).toMatchObject({ kind: 'lab-started', sandbox, lab: 'wrong-ca', step: 0 });
  });

  it('records an event the candidate opened and a certificate they inspected, and refuses a bad report', async () => {
    const { scenario } = session().doc.spec;
    const proofFound = traceEvent(session(), (event) => gradeDiagnosis(scenario, scenario.answer, event).correct);
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/traffic`, { requests: 3 })).status).toBe(200);
    const proof = await proofFound;
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/activity`, { kind: 'event-opened', conn: proof.conn, seq: proof.seq })).status).toBe(204);
    const opened = await pushed('the event opened', (e) => e.kind === 'event-opened');
    expect(opened).toMatchObject({ conn: proof.conn, seq: proof.seq, label: expect.stringContaining(proof.type) });

    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/activity`, { kind: 'certificate-inspected', subject: 'CN=Corp Issuing CA 1', source: 'wire' })).status).toBe(204);
    expect(await pushed('the certificate inspected', (e) => e.kind === 'certificate-inspected')).toMatchObject({ subject: 'CN=Corp Issuing CA 1', source: 'wire' });

    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/activity`, { kind: 'event-opened', conn: 9999, seq: 0 })).json.error.code).toBe('TRACE_EVENT_NOT_FOUND');
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/activity`, { kind: 'typed', line: 'x' })).json.error.code).toBe('BAD_REQUEST');
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/activity`, { kind: 'certificate-inspected', subject: 'x', source: 'disk' })).json.error.code).toBe('BAD_REQUEST');
  });

  it('records a command typed in the candidate\'s terminal, read from its input at Enter', async () => {
    candidateSocket = await socketOf(candidateCookie);
    const open = await candidateSocket.call({ type: 'terminal-open', sandbox, cols: 120, rows: 30 });
    candidateSaw.push(JSON.stringify(open));
    expect(open.ok, JSON.stringify(open)).toBe(true);
    for (const data of ['openssl x509 -in ', 'certs/x.pem -noout -issuerr', '\x7f', '\r']) candidateSocket.ws.send(JSON.stringify({ type: 'terminal-input', sandbox, data }));
    expect(await pushed('the command typed', (e) => e.kind === 'command')).toMatchObject({ line: 'openssl x509 -in certs/x.pem -noout -issuer', lab: 'wrong-ca' });
  });

  it('records each answer as graded, with the time to the first hypothesis', async () => {
    const { scenario } = session().doc.spec;
    const proof = await traceEvent(session(), (event) => gradeDiagnosis(scenario, scenario.answer, event).correct);
    const wrong = Object.keys(scenario.distractors)[0]!;
    const evidence = { conn: proof.conn, seq: proof.seq };
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/diagnosis`, { rootCause: wrong, evidence })).json.correct).toBe(false);
    expect(await pushed('the wrong diagnosis', (e) => e.kind === 'diagnosis' && !e.correct)).toMatchObject({ rootCause: wrong });
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/diagnosis`, { rootCause: scenario.answer, evidence })).json.correct).toBe(true);
    await pushed('the right diagnosis', (e) => e.kind === 'diagnosis' && e.correct);
    for (const fix of scenario.fix) expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/fix`, fix)).status).toBe(200);
    await pushed('the fix', (e) => e.kind === 'fix' && !e.wrong);
    expect((await asCandidate('POST', `/api/sandboxes/${sandbox}/verify`)).json.green).toBe(true);
    await pushed('the green verify', (e) => e.kind === 'verify' && e.green);

    const view = (await as(interviewerCookie, 'GET', `/api/interviews/${interviewId}`)).json as InterviewView;
    const [lab] = view.labs;
    expect(lab).toMatchObject({ diagnosis: { rootCause: 'wrong-ca', correct: true }, wrongDiagnoses: 1, verified: true, fixes: [expect.objectContaining({ wrong: false })] });
    // The key names the lab as the candidate met it: wrong-ca's only variant renames its edge, the fix's target with it.
    expect(lab!.title).toBe(session().doc.spec.title);
    expect(lab!.answer.fix).toEqual(scenario.fix.map((fix) => `${fix.action} on ${fix.target}`));
    expect(lab!.answer.fix).not.toEqual(['trust-issuer on ledger']);
    const started = view.activity.find((e) => e.kind === 'lab-started')!;
    const first = view.activity.find((e) => e.kind === 'diagnosis')!;
    expect(view.firstHypothesisMs).toBe(first.sinceStartMs - started.sinceStartMs);
    // Its clock as of this answer: past the last thing the candidate did, within the interview's time.
    expect(view.elapsedMs).toBeGreaterThanOrEqual(view.activity.at(-1)!.sinceStartMs);
    expect(view.elapsedMs).toBeLessThan(view.minutes * 60_000);
    // In order, as they happened.
    expect(view.activity.map((e) => e.kind)).toEqual(['lab-started', 'event-opened', 'certificate-inspected', 'command', 'diagnosis', 'diagnosis', 'fix', 'verify']);
  });

  it('gives the candidate none of the interviewer\'s routes, as if the interview did not exist', async () => {
    for (const path of ['', '/report', '/report.md', '/questions']) {
      const refused = await asCandidate('GET', `/api/interviews/${interviewId}${path}`);
      expect(refused.status, path).toBe(404);
      expect(refused.json.error.code).toBe('INTERVIEW_NOT_FOUND');
    }
    expect((await asCandidate('POST', `/api/interviews/${interviewId}/end`)).status).toBe(404);
    expect((await asCandidate('GET', '/api/interviews')).json.error.code).toBe('HOST_ONLY');
    const refused = await candidateSocket.call({ type: 'interview-subscribe', interview: interviewId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INTERVIEW_NOT_FOUND' } });
    expect(await candidateSocket.call({ type: 'interview-subscribe' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('needs "interview"') } });
    // The interviewer's credential reaches their own interview only.
    expect((await as(interviewerCookie, 'GET', '/api/interviews/iv-000000000000')).json.error.code).toBe('INTERVIEW_NOT_FOUND');
    expect((await as(interviewerCookie, 'GET', '/api/interview')).json.error.code).toBe('INTERVIEW_NOT_FOUND');
  });

  it('refuses activity for a sandbox that is no interview\'s', async () => {
    const own = await t.api('POST', '/api/sandboxes', { lab: 'baseline' });
    expect((await t.api('POST', `/api/sandboxes/${own.json.id}/activity`, { kind: 'event-opened', conn: 1, seq: 0 })).json.error.code).toBe('NOT_AN_INTERVIEW');
    await t.api('DELETE', `/api/sandboxes/${own.json.id}`);
  });

  it('reports the timeline, the steps, the rubric and the fitting questions to the interviewer, JSON and Markdown', async () => {
    const report = await as(interviewerCookie, 'GET', `/api/interviews/${interviewId}/report`);
    expect(report.status).toBe(200);
    expect(report.json.interview.activity).toHaveLength(8);
    expect(report.json.rubric.map((c: { id: string }) => c.id)).toEqual(['evidence-first', 'root-cause', 'clean-fix', 'terminal-tools', 'time']);
    expect(report.json.rubric.find((c: { id: string }) => c.id === 'root-cause').score).toBe(2);
    expect(report.json.steps[0].timeline.find((s: { step: string }) => s.step === 'verified green').atMs).toEqual(expect.any(Number));
    expect(report.json.questions.map((q: { id: string }) => q.id)).toContain('issuer-not-in-ca-list');
    expect(report.json.questions[0].modelAnswer.length).toBeGreaterThan(100);
    const questions = await as(interviewerCookie, 'GET', `/api/interviews/${interviewId}/questions`);
    expect(questions.json.questions).toEqual(report.json.questions);

    const markdown = await t.api('GET', `/api/interviews/${interviewId}/report.md`);
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers['content-disposition']).toBe(`attachment; filename="interview-${interviewId}.md"`);
    expect(markdown.text).toContain('## Rubric');
    expect(markdown.text).toContain('typed `openssl x509 -in certs/x.pem -noout -issuer`');
    expect(markdown.text).toContain('Model answer:');
  });

  it('ends when the candidate moves on past the last lab: the sandbox stops, the report is kept', async () => {
    const next = await asCandidate('POST', '/api/interview/next');
    expect(next.json).toMatchObject({ state: 'ended', sandbox: null });
    expect((await asCandidate('GET', `/api/sandboxes/${sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
    expect((await asCandidate('POST', '/api/interview/next')).json.error.code).toBe('INTERVIEW_ENDED');
    const ended = await pushed('the lab ended', (e) => e.kind === 'lab-ended');
    expect(ended).toMatchObject({ reason: 'completed' });
    expect((await as(interviewerCookie, 'GET', `/api/interviews/${interviewId}/report`)).json.interview.state).toBe('ended');
  });

  it('sent the candidate no model answer and no follow-up in any response or message', () => {
    const seen = [...candidateSaw, ...candidateSocket.messages.map((m) => JSON.stringify(m))].join('\n');
    expect(seen.length).toBeGreaterThan(1000);
    for (const question of questionBank) {
      expect(seen).not.toContain(JSON.stringify(question.modelAnswer.slice(0, 60)).slice(1, -1));
      for (const followUp of question.followUps) expect(seen).not.toContain(JSON.stringify(followUp).slice(1, -1));
    }
  });
});

describe('an interview of a random set with hints allowed', () => {
  it('draws the labs by level, lets the candidate take a hint (recorded), moves on lab by lab, and ends at the host\'s word', async () => {
    const created = await t.api('POST', '/api/interviews', { level: 'beginner', count: 2, minutes: 10, hints: true });
    expect(created.status).toBe(201);
    expect(created.json.labs).toHaveLength(2);
    expect(created.json.labs.every((lab: { level: string }) => lab.level === 'beginner')).toBe(true);
    const id = created.json.id as string;
    const cookie = cookieOf(await join(created.json.candidatePath, 'Bo'));
    const first = (await as(cookie, 'GET', '/api/interview')).json;
    expect(first).toMatchObject({ state: 'running', step: 0, labs: 2, hints: true, lab: created.json.labs[0].lab });
    const view = (await as(cookie, 'GET', `/api/sandboxes/${first.sandbox}`)).json;
    expect(view).toMatchObject({ interview: true, scenario: { hints: { total: expect.any(Number) } } });
    expect(view.scenario.hints.total).toBeGreaterThan(0);
    expect((await as(cookie, 'POST', `/api/sandboxes/${first.sandbox}/hints`)).json).toMatchObject({ index: 1 });

    const second = (await as(cookie, 'POST', '/api/interview/next')).json;
    expect(second).toMatchObject({ state: 'running', step: 1, lab: created.json.labs[1].lab });
    expect(second.sandbox).not.toBe(first.sandbox);
    expect((await as(cookie, 'GET', `/api/sandboxes/${first.sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');

    const ended = await t.api('POST', `/api/interviews/${id}/end`);
    expect(ended.json.state).toBe('ended');
    expect(ended.json.activity.map((e: ActivityEntry) => [e.step, e.kind])).toEqual([
      [0, 'lab-started'],
      [0, 'hint'],
      [0, 'lab-ended'],
      [1, 'lab-started'],
      [1, 'lab-ended'],
    ]);
    expect(ended.json.labs.map((lab: { ended: string }) => lab.ended)).toEqual(['stopped', 'ended']);
    expect(ended.json.labs[0].hintsUsed).toBe(1);
    expect((await as(cookie, 'GET', `/api/sandboxes/${second.sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
    expect((await as(cookie, 'GET', '/api/interview')).json).toMatchObject({ state: 'ended', sandbox: null });
  });
});

describe('an interview ended before its candidate came', () => {
  it('lets the late candidate in to a page that says it is over, and starts no lab', async () => {
    const created = await t.api('POST', '/api/interviews', { labs: ['baseline'], minutes: 10 });
    expect((await t.api('POST', `/api/interviews/${created.json.id}/end`)).json.state).toBe('ended');
    const before = t.app.sandboxes.list().length;
    const logged = t.logged.length;
    const joined = await join(created.json.candidatePath, 'Late');
    expect(joined.status).toBe(201);
    expect((await as(cookieOf(joined), 'GET', '/api/interview')).json).toMatchObject({ state: 'ended', sandbox: null });
    expect(t.app.sandboxes.list()).toHaveLength(before);
    expect(t.logged.slice(logged)).toEqual([]);
  });
});

describe('an interview whose time runs out', () => {
  it('ends at its deadline on the server\'s clock: the lab stops with time-up and the interviewer hears it', { timeout: 150_000 }, async () => {
    const created = await t.api('POST', '/api/interviews', { labs: ['expired-client-cert'], minutes: 1 });
    const interviewer = await socketOf(cookieOf(await join(created.json.interviewerPath, 'Lin')));
    await interviewer.call({ type: 'interview-subscribe', interview: created.json.id });
    const cookie = cookieOf(await join(created.json.candidatePath, 'Cy'));
    const mine = (await as(cookie, 'GET', '/api/interview')).json;
    const candidate = await socketOf(cookie);
    await candidate.call({ type: 'subscribe', sandbox: mine.sandbox });
    const ended = await interviewer.waitFor('the interview ended', (m) => m.type === 'interview' && m.interview.state === 'ended', 120_000);
    expect(ended.type === 'interview' && ended.interview.labs[0]!.ended).toBe('time-up');
    await candidate.waitFor('the sandbox stopped at time-up', (m) => m.type === 'status' && m.status === 'stopped' && m.reason === 'time-up');
    await interviewer.close();
    await candidate.close();
  });
});
