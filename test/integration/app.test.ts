/**
 * The web app's API and live channel against real sandboxes: a learner's whole path through
 * expired-client-cert — start, see the failure, be graded wrong, then right with the event
 * that proves it (picked from what the WebSocket streamed), fix, verify green — and the
 * progress file that remembers it. Real handshakes; every wait is for a real event.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage, TraceEvent } from '../../server/app/protocol.js';
import { loadLab } from '../../server/lab/index.js';
import { labsDir, openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';

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


type TraceMessage = Extract<ServerMessage, { type: 'trace' }>;
const isTrace = (m: ServerMessage): m is TraceMessage => m.type === 'trace';

describe('a learner solves expired-client-cert through the API', () => {
  let id = '';
  let alert: TraceEvent | undefined;

  it('starts the lab: the scenario comes without its answer, evidence, fix or explanation', async () => {
    const doc = await loadLab(path.join(labsDir, 'expired-client-cert.yaml'));
    const res = await t.api('POST', '/api/sandboxes', { lab: 'expired-client-cert' });
    expect(res.status).toBe(201);
    id = res.json.id;
    expect(res.headers.location).toBe(`/api/sandboxes/${id}`);
    expect(res.json).toMatchObject({ lab: 'expired-client-cert', status: 'running', generation: 1, diagnosed: false, completed: false, score: 100 });
    expect(Object.keys(res.json.scenario).sort()).toEqual(['choices', 'hints', 'question', 'symptom']);
    expect(res.json.scenario.hints).toEqual({ shown: [], total: 3, nextCost: 10 });
    expect(res.json.reveal).toBeUndefined();
    expect(res.json.description.services.auth.stack).toBe('openssl');
    const { scenario } = doc.spec;
    expect(res.text).not.toContain(scenario.explain.slice(0, 40));
    for (const hint of scenario.hints) expect(res.text).not.toContain(hint.slice(0, 40));
    expect(res.text).not.toContain('"answer"');
    expect(res.text).not.toContain('"evidence"');
    expect(res.text).not.toContain('reissue');
    expect(res.text).not.toContain('"faults"');
  });

  it('streams the trace over the WebSocket as the failing connections close', async () => {
    const reply = await socket.call({ type: 'subscribe', sandbox: id });
    expect(reply).toMatchObject({ ok: true, result: { sandbox: { id }, events: [] } });

    const traffic = await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 3 });
    expect(traffic.status).toBe(200);
    expect(traffic.json.edges).toHaveLength(1);
    expect(traffic.json.edges[0]).toMatchObject({ client: 'payments', service: 'auth', requests: 3, ok: 0, failed: 3 });

    const withAlert = await socket.waitFor('a trace with the server\'s certificate_expired alert', (m) =>
      isTrace(m) && m.events.some((e) => e.layer === 'alert' && e.type.startsWith('alert certificate_expired ')),
    );
    expect(isTrace(withAlert)).toBe(true);
    if (!isTrace(withAlert)) return;
    alert = withAlert.events.find((e) => e.type.startsWith('alert certificate_expired '));
    expect(alert).toMatchObject({ sandbox: id, conn: withAlert.conn, side: 'server', dir: 's2c', layer: 'alert' });
    expect(withAlert.events.map((e) => e.seq)).toEqual(withAlert.events.map((_, i) => i));
    expect(withAlert.events[0]).toMatchObject({ type: 'tcp-open' });

    const health = await socket.waitFor('the final edge health of the run', (m) => m.type === 'health' && m.final);
    expect(health).toMatchObject({ edges: [{ client: 'payments', service: 'auth', ok: 0, failed: 3 }] });

    // The same events, from the trace endpoint.
    const trace = await t.api('GET', `/api/sandboxes/${id}/trace`);
    expect(trace.json.events).toContainEqual(alert);
  });

  it('keeps fixes locked before a diagnosis', async () => {
    const res = await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'reissue', target: 'payments-client' });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('NOT_DIAGNOSED');
    expect((await t.api('POST', `/api/sandboxes/${id}/verify`)).json.error.code).toBe('NOT_DIAGNOSED');
  });

  it('gives hints one at a time, each dearer', async () => {
    const res = await t.api('POST', `/api/sandboxes/${id}/hints`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ index: 1, total: 3, cost: 10, score: 90 });
    expect(res.json.hint).toMatch(/alert travels/);
    const view = await t.api('GET', `/api/sandboxes/${id}`);
    expect(view.json.scenario.hints).toMatchObject({ total: 3, nextCost: 20 });
    expect(view.json.scenario.hints.shown).toHaveLength(1);
  });

  it('grades a wrong root cause wrong, and the right one with the wrong event wrong too', async () => {
    const wrongCause = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'wrong-ca', evidence: { conn: alert!.conn, seq: alert!.seq } });
    expect(wrongCause.status).toBe(200);
    expect(wrongCause.json).toMatchObject({ correct: false, score: 80 });
    expect(wrongCause.json.reveal).toBeUndefined();
    expect(wrongCause.text).not.toContain('expired-cert');

    const wrongEvent = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: alert!.conn, seq: 0 } });
    expect(wrongEvent.json).toMatchObject({ correct: false, score: 70 });
    expect(wrongEvent.json.reason).toMatch(/root cause is right, but the event/);
    expect(wrongEvent.json.reveal).toBeUndefined();
  });

  it('grades the right root cause with the alert as evidence correct, and reveals the explanation', async () => {
    const doc = await loadLab(path.join(labsDir, 'expired-client-cert.yaml'));
    const res = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: alert!.conn, seq: alert!.seq } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ correct: true, score: 70 });
    expect(res.json.reveal).toMatchObject({ rootCause: { id: 'expired-cert' }, explanation: doc.spec.scenario.explain });
    // The fix is the learner's decision: the lab's own comes with the solved lab, not before.
    expect(res.json.reveal.fix).toBeUndefined();
    expect(res.json.reveal.stackWording.openssl.detector).toMatch(/certificate has expired/);
    await socket.waitFor('the diagnosed status', (m) => m.type === 'status' && m.diagnosed);

    const again = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: alert!.conn, seq: alert!.seq } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('ALREADY_ANSWERED');
  });

  it('refuses an unknown fix action and a fix for a target the lab does not have', async () => {
    const unknown = await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'reboot' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('UNKNOWN_FIX');
    const target = await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'reissue', target: 'no-such-cert' });
    expect(target.status).toBe(400);
    expect(target.json.error.code).toBe('FIX_NOT_APPLICABLE');
  });

  it('applies reissue live under the same id: the failing connections stay in the trace, the fix is an event after them, no process is replaced', async () => {
    const { description } = (await t.api('GET', `/api/sandboxes/${id}`)).json;
    const res = await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'reissue', target: 'payments-client' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'running', generation: 2, fixesApplied: [{ action: 'reissue', target: 'payments-client' }] });
    expect(res.json.description.pids).toEqual(description.pids);
    await socket.waitFor('running in generation 2', (m) => m.type === 'status' && m.status === 'running' && m.generation === 2);
    const fixed = await socket.waitFor('the fix in the trace', (m) => isTrace(m) && m.generation === 2 && m.events.some((e) => e.type === 'fix-applied'));
    const event = isTrace(fixed) ? fixed.events.find((e) => e.type === 'fix-applied') : undefined;
    expect(event).toMatchObject({ conn: 0, note: 'fix applied: reissue on payments-client', fields: [{ name: 'change', value: 'certificate payments-client issued again; client payments reloaded' }] });
    const trace = await t.api('GET', `/api/sandboxes/${id}/trace`);
    expect(trace.json.generation).toBe(2);
    expect(trace.json.events).toContainEqual(expect.objectContaining({ conn: alert!.conn, seq: alert!.seq, type: alert!.type }));
    expect(event!.t).toBeGreaterThan(alert!.t);
  });

  it('verifies with real traffic: green, and the lab is complete', async () => {
    const res = await t.api('POST', `/api/sandboxes/${id}/verify`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ green: true, completed: true, score: 70 });
    expect(res.json.checks).toEqual([
      { client: 'payments', service: 'auth', expect: 'ok', why: 'every request must be answered', requests: 5, ok: 5, failed: 0, handshakesPerRequest: expect.any(Number), pass: true },
    ]);
    await socket.waitFor('a generation 2 trace with a completed handshake', (m) =>
      isTrace(m) && m.generation === 2 && m.events.some((e) => e.type === 'Finished' && e.side === 'client'),
    );
  });

  it('records the completion atomically in progress.json, and lists it with the labs', async () => {
    const file = JSON.parse(await readFile(path.join(t.dataDir, 'progress.json'), 'utf8'));
    expect(file).toMatchObject({
      version: 2,
      learners: { [t.learner]: { labs: { 'expired-client-cert': { completed: true, bestScore: 70, hintsUsed: 1, wrongDiagnoses: 2, completions: 1 } } } },
    });
    expect(file.learners[t.learner].labs['expired-client-cert'].timeMs).toBeGreaterThan(0);
    const labs = await t.api('GET', '/api/labs');
    const listed = labs.json.labs.find((lab: { id: string }) => lab.id === 'expired-client-cert');
    expect(listed.progress).toMatchObject({ completed: true, bestScore: 70 });
    expect(labs.json.progress).toEqual({ completed: 1, totalScore: 70 });
    expect(labs.text).not.toContain('"answer"');
  });

  it('downloads the capture and the key log', async () => {
    const pcap = await t.api('GET', `/api/sandboxes/${id}/capture.pcapng`);
    expect(pcap.status).toBe(200);
    expect(pcap.headers['content-disposition']).toMatch(/attachment; filename=".*\.pcapng"/);
    // pcapng Section Header Block type (0x0A0D0D0A), RFC draft-ietf-opsawg-pcapng §4.1.
    expect(pcap.body.readUInt32LE(0)).toBe(0x0a0d0d0a);
    const keys = await t.api('GET', `/api/sandboxes/${id}/keys.log`);
    expect(keys.status).toBe(200);
    expect(keys.text).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$/m);
  });

  it('stops the sandbox: the socket hears it, and the id is gone', async () => {
    const res = await t.api('DELETE', `/api/sandboxes/${id}`);
    expect(res.status).toBe(204);
    await socket.waitFor('the stopped status', (m) => m.type === 'status' && m.status === 'stopped');
    const gone = await t.api('GET', `/api/sandboxes/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('SANDBOX_NOT_FOUND');
  });

  it('resets progress', async () => {
    const res = await t.api('DELETE', '/api/progress');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ labs: {}, completed: 0, totalScore: 0 });
    expect(JSON.parse(await readFile(path.join(t.dataDir, 'progress.json'), 'utf8'))).toEqual({ version: 2, learners: {} });
  });
});

describe('permissive-mode: verify is green only once the plaintext caller is refused', () => {
  it('is not green with PERMISSIVE left on, and green after enforce-strict', async () => {
    const start = await t.api('POST', '/api/sandboxes', { lab: 'permissive-mode' });
    expect(start.status).toBe(201);
    const id: string = start.json.id;
    try {
      expect((await socket.call({ type: 'subscribe', sandbox: id })).ok).toBe(true);
      await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 2 });
      const plaintext = await socket.waitFor('the scanner\'s plaintext request', (m) =>
        isTrace(m) && m.sandbox === id && m.events.some((e) => e.layer === 'plaintext' && e.side === 'client'),
      );
      const event = isTrace(plaintext) ? plaintext.events.find((e) => e.layer === 'plaintext' && e.side === 'client')! : undefined;
      const graded = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'permissive-mode', evidence: { conn: event!.conn, seq: event!.seq } });
      expect(graded.json.correct).toBe(true);

      const open = await t.api('POST', `/api/sandboxes/${id}/verify`);
      expect(open.json.green).toBe(false);
      expect(open.json.checks).toContainEqual(expect.objectContaining({ client: 'scanner', expect: 'refused', pass: false }));

      expect((await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'enforce-strict', target: 'records' })).status).toBe(200);
      const strict = await t.api('POST', `/api/sandboxes/${id}/verify`);
      expect(strict.json.green).toBe(true);
      expect(strict.json.checks).toContainEqual(expect.objectContaining({ client: 'scanner', expect: 'refused', ok: 0, pass: true }));
      expect(strict.json.checks).toContainEqual(expect.objectContaining({ client: 'crm', expect: 'ok', pass: true }));
    } finally {
      await t.api('DELETE', `/api/sandboxes/${id}`);
    }
  });
});

describe('verify judges each edge by the lab as written, not by its faults', () => {
  it('is not green while reports sends no certificate, and green once it presents its own', async () => {
    const start = await t.api('POST', '/api/sandboxes', { lab: 'missing-client-cert' });
    expect(start.status).toBe(201);
    const id: string = start.json.id;
    try {
      expect((await socket.call({ type: 'subscribe', sandbox: id })).ok).toBe(true);
      await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 2 });
      const empty = await socket.waitFor("reports' empty Certificate", (m) =>
        isTrace(m) && m.sandbox === id && m.events.some((e) => e.type === 'Certificate' && e.side === 'client'),
      );
      const event = isTrace(empty) ? empty.events.find((e) => e.type === 'Certificate' && e.side === 'client')! : undefined;
      const graded = await t.api('POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'missing-client-cert', evidence: { conn: event!.conn, seq: event!.seq } });
      expect(graded.json.correct).toBe(true);

      const broken = await t.api('POST', `/api/sandboxes/${id}/verify`);
      expect(broken.json.green).toBe(false);
      expect(broken.json.checks).toContainEqual(expect.objectContaining({ client: 'reports', expect: 'ok', ok: 0, pass: false }));

      const wrongCert = await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'present-client-cert', target: 'reports', params: { cert: 'warehouse-server' } });
      expect(wrongCert).toMatchObject({ status: 400, json: { error: { code: 'FIX_NOT_APPLICABLE' } } });
      expect((await t.api('POST', `/api/sandboxes/${id}/fix`, { action: 'present-client-cert', target: 'reports', params: { cert: 'reports-client' } })).status).toBe(200);
      const fixed = await t.api('POST', `/api/sandboxes/${id}/verify`);
      expect(fixed.json.green).toBe(true);
    } finally {
      await t.api('DELETE', `/api/sandboxes/${id}`);
    }
  });
});

describe('a drill facilitator injects and clears a fault on a running sandbox', () => {
  it('breaks payments → auth for real with expired-cert, then mends it', async () => {
    const start = await t.api('POST', '/api/sandboxes', { lab: 'baseline' });
    const id: string = start.json.id;
    try {
      const edge = (res: { json: { edges: Array<{ client: string; ok: number; failed: number }> } }) => res.json.edges.find((e) => e.client === 'payments')!;
      expect(edge(await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 2 }))).toMatchObject({ ok: 2, failed: 0 });

      const broken = await t.api('PUT', `/api/sandboxes/${id}/faults`, { faults: [{ kind: 'expired-cert', target: 'payments-client' }] });
      expect(broken.status).toBe(200);
      expect(broken.json).toMatchObject({ generation: 2, status: 'running', extraFaults: [{ kind: 'expired-cert', target: 'payments-client' }] });
      const failing = edge(await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 2 }));
      expect(failing).toMatchObject({ ok: 0, failed: 2 });
      // auth is a Node service: its verifier names the real reason.
      expect(JSON.stringify(failing)).toMatch(/CERT_HAS_EXPIRED|certificate has expired/);

      const mended = await t.api('PUT', `/api/sandboxes/${id}/faults`, { faults: [] });
      expect(mended.json).toMatchObject({ generation: 3, extraFaults: [] });
      expect(edge(await t.api('POST', `/api/sandboxes/${id}/traffic`, { requests: 2 }))).toMatchObject({ ok: 2, failed: 0 });

      const unknown = await t.api('PUT', `/api/sandboxes/${id}/faults`, { faults: [{ kind: 'solar-flare' }] });
      expect(unknown.json).toEqual({ error: { code: 'UNKNOWN_FAULT', message: expect.any(String) } });
      expect((await t.api('GET', `/api/sandboxes/${id}`)).json.generation).toBe(3);
    } finally {
      await t.api('DELETE', `/api/sandboxes/${id}`);
    }
  });
});

describe('interview mode', () => {
  it('gives no hints: the view says none exist and asking for one is refused', async () => {
    const start = await t.api('POST', '/api/sandboxes', { lab: 'expired-client-cert', interview: true });
    const id: string = start.json.id;
    try {
      expect(start.json).toMatchObject({ interview: true, scenario: { hints: { shown: [], total: 0, nextCost: null } } });
      const hint = await t.api('POST', `/api/sandboxes/${id}/hints`);
      expect(hint.status).toBe(409);
      expect(hint.json.error.code).toBe('HINTS_DISABLED');
      expect((await t.api('GET', `/api/sandboxes/${id}`)).json.score).toBe(100);
    } finally {
      await t.api('DELETE', `/api/sandboxes/${id}`);
    }
  });
});

describe('stable error codes', () => {
  const cases: Array<{ name: string; method: string; path: string; body?: unknown; status: number; code: string }> = [
    { name: 'an unknown lab', method: 'POST', path: '/api/sandboxes', body: { lab: 'no-such-lab' }, status: 404, code: 'LAB_NOT_FOUND' },
    { name: 'an unknown sandbox', method: 'GET', path: '/api/sandboxes/no-such-sandbox', status: 404, code: 'SANDBOX_NOT_FOUND' },
    { name: 'traffic for an unknown sandbox', method: 'POST', path: '/api/sandboxes/nope/traffic', body: { requests: 1 }, status: 404, code: 'SANDBOX_NOT_FOUND' },
    { name: 'a start without a lab', method: 'POST', path: '/api/sandboxes', body: {}, status: 400, code: 'BAD_REQUEST' },
    { name: 'a start whose body is an array', method: 'POST', path: '/api/sandboxes', body: ['baseline'], status: 400, code: 'BAD_REQUEST' },
    { name: 'a body that is not JSON', method: 'POST', path: '/api/sandboxes', body: '{"lab":', status: 400, code: 'BAD_REQUEST' },
    { name: 'interview that is not a boolean', method: 'POST', path: '/api/sandboxes', body: { lab: 'baseline', interview: 'yes' }, status: 400, code: 'BAD_REQUEST' },
    { name: 'an unknown extra fault', method: 'POST', path: '/api/sandboxes', body: { lab: 'baseline', faults: [{ kind: 'solar-flare' }] }, status: 400, code: 'UNKNOWN_FAULT' },
    { name: 'an unknown endpoint', method: 'GET', path: '/api/nothing-here', status: 404, code: 'NOT_FOUND' },
    { name: 'a wrong method', method: 'POST', path: '/api/labs', body: {}, status: 405, code: 'METHOD_NOT_ALLOWED' },
  ];

  it.each(cases)('$name → $status $code', async (c) => {
    const res = await t.api(c.method, c.path, c.body);
    expect(res.status).toBe(c.status);
    expect(res.json).toEqual({ error: { code: c.code, message: expect.any(String) } });
  });

  it('starts nothing on a refused start', () => {
    expect(t.app.sandboxes.list()).toEqual([]);
  });
});

describe('after the flows', () => {
  // Registered last: vitest runs describe blocks in order.
  it('logged no unexpected server error', () => {
    expect(t.logged).toEqual([]);
  });
});
