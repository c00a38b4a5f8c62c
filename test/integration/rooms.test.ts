/**
 * A team incident drill through the real HTTP API and WebSocket: three learners join by code,
 * each gets their own baseline sandbox, a fault injected on everyone mid-drill reaches every
 * sandbox and is graded as an incident of each, one learner's fix repairs only their own, the
 * scripted timeline fires on the room's clock, and the end stops every sandbox and leaves a
 * postmortem with every injection and every learner's finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../server/explain/index.js';
import type { RoomConsole, RoomLearnerView, ServerMessage } from '../../server/app/protocol.js';
import { waitFor } from '../helpers/waitFor.js';
import { startTestApp, type LabSocket, type TestApp } from './appHarness.js';
import { asLearner, hostSocket, joinRoom, learnerSocket, type Joined } from './roomParticipants.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const roomPush = (match: (room: RoomConsole & RoomLearnerView) => boolean) => (message: ServerMessage): boolean =>
  message.type === 'room' && match(message.room as RoomConsole & RoomLearnerView);

/** The learner's trace, once it shows a failed connection after the incident went in: what said it failed (not a close_notify of a healthy edge). */
async function failingAlert(learner: Joined, sandbox: string): Promise<TraceEvent> {
  let alert: TraceEvent | undefined;
  await waitFor(`a failing connection in ${learner.name}'s trace`, async () => {
    const events: TraceEvent[] = (await asLearner(t, learner, 'GET', `/api/sandboxes/${sandbox}/trace`)).json.events;
    const injectedAt = events.find((event) => event.type === 'fault-injected')?.t;
    alert = injectedAt === undefined ? undefined : events.find((event) => event.conn > 0 && event.severity === 'error' && event.t > injectedAt);
    return alert !== undefined;
  });
  return alert!;
}

describe('a drill of three learners', () => {
  let room: RoomConsole;
  const learners: Joined[] = [];
  const sandboxes = new Map<string, string>();
  let host: LabSocket;
  let adaSocket: LabSocket;

  afterAll(async () => {
    await host?.close();
    await adaSocket?.close();
  });

  it('opens a room, three learners join by its code, and each gets a sandbox of their own at the start', async () => {
    const created = await t.api('POST', '/api/rooms', { title: 'Friday drill', scenario: { labs: ['baseline'] }, minutes: 30, mode: 'isolated', terminal: false });
    expect(created.status).toBe(201);
    room = created.json;
    expect(room).toMatchObject({ title: 'Friday drill', state: 'open', mode: 'isolated', learners: [], incidents: [] });
    expect(room.joinPath).toBe(`/join/${room.code}`);
    // The inject form's choices: the lab's own names, by what a fault targets.
    expect(room.targets).toEqual({
      certificate: ['corp-root', 'corp-issuing', 'www-server', 'auth-server', 'payments-client'],
      service: ['www', 'auth'],
      client: ['browser', 'payments'],
      endpoint: ['www', 'auth', 'browser', 'payments'],
    });
    host = await hostSocket(t);
    expect((await host.call({ type: 'room-subscribe', room: room.id })).ok).toBe(true);

    for (const name of ['Ada', 'Bob', 'Cy']) learners.push(await joinRoom(t, room.code, name));
    await host.waitFor('the console with three learners', roomPush((r) => r.learners?.length === 3));
    adaSocket = await learnerSocket(t, learners[0]!);
    const reply = await adaSocket.call({ type: 'room-subscribe', room: room.id });
    expect(reply).toMatchObject({ ok: true, result: { room: { id: room.id, state: 'open', lab: 'baseline' } } });

    const started = await t.api('POST', `/api/rooms/${room.id}/start`);
    expect(started.status).toBe(200);
    expect(started.json.state).toBe('running');
    const views: RoomLearnerView[] = [];
    for (const learner of learners) {
      const view: RoomLearnerView = (await asLearner(t, learner, 'GET', '/api/room')).json;
      expect(view.sandbox).toEqual(expect.any(String));
      expect(view.scoreboard.map((line) => line.name).sort()).toEqual(['Ada', 'Bob', 'Cy']);
      sandboxes.set(learner.id, view.sandbox!);
      views.push(view);
    }
    expect(new Set(sandboxes.values()).size).toBe(3);
    // Each one's room view names no one else's sandbox.
    for (const view of views) for (const other of sandboxes.values()) if (other !== view.sandbox) expect(JSON.stringify(view)).not.toContain(other);
    await adaSocket.waitFor('Ada\'s view with her sandbox', roomPush((r) => r.sandbox === sandboxes.get(learners[0]!.id)));
  });

  it('injects a fault on everyone mid-drill: it reaches every sandbox, unnamed until diagnosed', async () => {
    const injected = await t.api('POST', `/api/rooms/${room.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: 'all' });
    expect(injected.status).toBe(201);
    expect(injected.json).toMatchObject({ id: 'i1', kind: 'expired-cert', target: 'auth-server', who: 'all', byTimeline: false });
    for (const learner of learners) {
      const sandbox = sandboxes.get(learner.id)!;
      const view = await asLearner(t, learner, 'GET', `/api/sandboxes/${sandbox}`);
      expect(view.json.incidents).toEqual([{ id: 'i1', injectedMs: expect.any(Number), diagnosis: 'none', fixed: false }]);
      expect(view.json.extraFaults).toEqual([]);
      const traffic = await asLearner(t, learner, 'POST', `/api/sandboxes/${sandbox}/traffic`, { requests: 1 });
      expect(traffic.json.edges.find((edge: { client: string }) => edge.client === 'payments').failed).toBe(1);
      await failingAlert(learner, sandbox);
      // The trace says an incident went in, not which.
      const events: TraceEvent[] = (await asLearner(t, learner, 'GET', `/api/sandboxes/${sandbox}/trace`)).json.events;
      expect(events.filter((event) => event.type === 'fault-injected').map((event) => event.note)).toEqual(['fault injected: incident i1']);
    }
    await host.waitFor('the console with the incident', roomPush((r) => r.incidents?.length === 1));
  });

  it('starts a sandbox at once for a learner who joins mid-drill, with the incident on everyone in it', async () => {
    const dan = await joinRoom(t, room.code, 'Dan');
    const row = (await host.waitFor('Dan\'s sandbox', roomPush((r) => r.learners?.some((each) => each.name === 'Dan' && each.started)))) as { room: RoomConsole };
    const sandbox = row.room.learners.find((each) => each.name === 'Dan')!.sandbox!;
    sandboxes.set(dan.id, sandbox);
    expect((await asLearner(t, dan, 'GET', `/api/sandboxes/${sandbox}`)).json.incidents).toEqual([{ id: 'i1', injectedMs: expect.any(Number), diagnosis: 'none', fixed: false }]);
  });

  it('grades a wrong diagnosis of the incident wrong and a right one right, and offers the fixes that undo it', async () => {
    const [ada, bob] = learners as [Joined, Joined];
    const alert = await failingAlert(ada, sandboxes.get(ada.id)!);
    const evidence = { conn: alert.conn, seq: alert.seq };
    const wrong = await asLearner(t, ada, 'POST', `/api/sandboxes/${sandboxes.get(ada.id)}/diagnosis`, { rootCause: 'wrong-ca', evidence, incident: 'i1' });
    expect(wrong.json).toMatchObject({ correct: false });
    expect(wrong.json.reason).not.toMatch(/expired/i);
    expect(wrong.json.incident).toBeUndefined();
    const right = await asLearner(t, ada, 'POST', `/api/sandboxes/${sandboxes.get(ada.id)}/diagnosis`, { rootCause: 'expired-cert', evidence, incident: 'i1' });
    expect(right.json).toMatchObject({ correct: true, incident: { id: 'i1', kind: 'expired-cert', target: 'auth-server', diagnosis: 'correct', fixed: false } });
    expect(right.json.incident.fixes).toContain('reissue');
    expect(right.json.score).toBe(90);

    const bobAlert = await failingAlert(bob, sandboxes.get(bob.id)!);
    const bobRight = await asLearner(t, bob, 'POST', `/api/sandboxes/${sandboxes.get(bob.id)}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: bobAlert.conn, seq: bobAlert.seq }, incident: 'i1' });
    expect(bobRight.json.correct).toBe(true);
  });

  it('marks the incident fixed on a green verify, and one learner\'s fix repairs no one else\'s sandbox', async () => {
    const [ada, bob] = learners as [Joined, Joined];
    const fixed = await asLearner(t, ada, 'POST', `/api/sandboxes/${sandboxes.get(ada.id)}/fix`, { action: 'reissue', target: 'auth-server' });
    expect(fixed.status).toBe(200);
    const adaVerify = await asLearner(t, ada, 'POST', `/api/sandboxes/${sandboxes.get(ada.id)}/verify`);
    expect(adaVerify.json.green).toBe(true);
    expect((await asLearner(t, ada, 'GET', `/api/sandboxes/${sandboxes.get(ada.id)}`)).json.incidents[0]).toMatchObject({ id: 'i1', fixed: true });

    const bobVerify = await asLearner(t, bob, 'POST', `/api/sandboxes/${sandboxes.get(bob.id)}/verify`);
    expect(bobVerify.json.green).toBe(false);
    expect((await asLearner(t, bob, 'GET', `/api/sandboxes/${sandboxes.get(bob.id)}`)).json.incidents[0]).toMatchObject({ id: 'i1', fixed: false });

    const pushed = (await host.waitFor('Ada verified on the console', roomPush((r) => r.learners?.some((row) => row.name === 'Ada' && row.verified)))) as { room: RoomConsole };
    const rows = Object.fromEntries(pushed.room.learners.map((row) => [row.name, row]));
    expect(rows.Ada!.incidents).toEqual([{ incident: 'i1', detectedMs: expect.any(Number), fixedMs: expect.any(Number) }]);
    expect(rows.Ada!.incidents[0]!.fixedMs!).toBeGreaterThanOrEqual(rows.Ada!.incidents[0]!.detectedMs!);
    expect(rows.Ada).toMatchObject({ wrongAnswers: 1, fixed: true, verified: true, score: 90 });
    expect((await asLearner(t, ada, 'GET', '/api/room')).json.scoreboard.find((line: { name: string }) => line.name === 'Ada')).toEqual({ name: 'Ada', score: 90, diagnosed: true, verified: true });
    await adaSocket.waitFor('Ada\'s scoreboard with her verify', roomPush((r) => r.scoreboard?.some((line) => line.name === 'Ada' && line.verified)));
  });

  it('ends: every sandbox stops, the code and tokens stop working, the postmortem lists every injection and every finding', async () => {
    const ended = await t.api('POST', `/api/rooms/${room.id}/end`);
    expect(ended.json.state).toBe('ended');
    for (const sandbox of sandboxes.values()) expect((await t.api('GET', `/api/sandboxes/${sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
    expect((await asLearner(t, learners[0]!, 'GET', '/api/room')).json.error.code).toBe('TOKEN_REQUIRED');
    expect((await t.request('/api/join', { method: 'POST', headers: { origin: t.origin }, body: { code: room.code, name: 'Late' } })).json.error.code).toBe('INVITE_NOT_FOUND');
    expect((await t.api('POST', `/api/rooms/${room.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: 'all' })).json.error.code).toBe('ROOM_ENDED');

    const postmortem = (await t.api('GET', `/api/rooms/${room.id}/postmortem`)).json;
    expect(postmortem.room).toMatchObject({ id: room.id, state: 'ended', endedAt: expect.any(String) });
    expect(postmortem.incidents).toHaveLength(1);
    const byName = Object.fromEntries(postmortem.incidents[0].learners.map((each: { name: string }) => [each.name, each]));
    expect(Object.keys(byName).sort()).toEqual(['Ada', 'Bob', 'Cy', 'Dan']);
    expect(byName.Ada).toMatchObject({ diagnosis: 'correct', wrongDiagnoses: 1, timeToDetectMs: expect.any(Number), timeToFixMs: expect.any(Number) });
    expect(byName.Bob).toMatchObject({ diagnosis: 'correct', timeToDetectMs: expect.any(Number) });
    expect(byName.Bob.timeToFixMs).toBeUndefined();
    expect(byName.Cy).toMatchObject({ diagnosis: 'none' });
    const timeline = postmortem.timeline.map((entry: { what: string; learner?: string }) => `${entry.what}${entry.learner ? ` ${learners.find((l) => l.id === entry.learner)!.name}` : ''}`);
    expect(timeline).toEqual(expect.arrayContaining(['injected', 'wrong-diagnosis Ada', 'detected Ada', 'fixed Ada', 'detected Bob']));
    expect(timeline.indexOf('injected')).toBe(0);
    // Those who ran traffic after the injection: their traces showed the expired certificate.
    for (const learner of postmortem.learners.filter((each: { name: string }) => each.name !== 'Dan')) expect(learner.findings.map((finding: { rootCause: string }) => finding.rootCause)).toContain('expired-cert');
    expect(postmortem.labs[0]).toMatchObject({ lab: 'baseline', rootCause: { id: 'none' }, explanation: expect.any(String) });

    const markdown = await t.api('GET', `/api/rooms/${room.id}/postmortem.md`);
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers['content-disposition']).toBe(`attachment; filename="postmortem-${room.id}.md"`);
    expect(markdown.text).toContain('# Postmortem: Friday drill');
    expect(markdown.text).toContain('### i1: Expired certificate on auth-server');
    expect(markdown.text).toMatch(/\| Ada \| correct \| 1 \| \d+ s \| \d+ s \|/);
    expect(markdown.text).toMatch(/\| Bob \| correct \| 0 \| \d+ s \| — \|/);
    expect(markdown.text).toMatch(/\| Cy \| none \| 0 \| — \| — \|/);
    for (const name of ['Ada', 'Bob', 'Cy', 'Dan']) expect(markdown.text).toContain(`### ${name}`);
    expect(markdown.text).toMatch(/T\+\d+:\d\d Ada diagnosed i1: Expired certificate/);
  });
});

describe('the scripted timeline', () => {
  it('fires on the room\'s clock, held by a pause, and reaches a learner who joined meanwhile', async () => {
    const timeline = [
      { atS: 1, action: 'inject', kind: 'expired-cert', target: 'payments-client', who: 'all' },
      { atS: 2, action: 'clear', incident: 's1', who: 'all' },
    ];
    const created = await t.api('POST', '/api/rooms', { scenario: { labs: ['baseline'] }, minutes: 5, mode: 'isolated', terminal: false, timeline });
    expect(created.status).toBe(201);
    const room: RoomConsole = created.json;
    expect(room.timeline.map((step) => step.id)).toEqual(['s1', 's2']);
    const host = await hostSocket(t);
    try {
      await host.call({ type: 'room-subscribe', room: room.id });
      expect((await t.api('POST', `/api/rooms/${room.id}/start`)).status).toBe(200);
      const paused: RoomConsole = (await t.api('POST', `/api/rooms/${room.id}/pause`)).json;
      expect(paused.state).toBe('paused');
      expect(paused.elapsedMs).toBeLessThan(1000);
      expect(paused.timeline[0]!.firedMs).toBeUndefined();

      const dee = await joinRoom(t, room.code, 'Dee');
      await host.waitFor('Dee\'s sandbox', roomPush((r) => r.learners?.some((row) => row.name === 'Dee' && row.started)));
      // Dee's sandbox took real time to start; the clock stood still meanwhile.
      const still: RoomConsole = (await t.api('GET', `/api/rooms/${room.id}`)).json;
      expect(still.elapsedMs).toBe(paused.elapsedMs);
      expect(still.timeline.every((step) => step.firedMs === undefined)).toBe(true);
      expect(still.incidents).toEqual([]);

      expect((await t.api('POST', `/api/rooms/${room.id}/resume`)).json.state).toBe('running');
      const done = (await host.waitFor('both steps fired', roomPush((r) => r.timeline?.every((step) => step.firedMs !== undefined)), 30_000)) as { room: RoomConsole };
      const [inject, clear] = done.room.timeline as [RoomConsole['timeline'][number], RoomConsole['timeline'][number]];
      expect(inject).toMatchObject({ firedIncident: 'i1' });
      expect(inject.error).toBeUndefined();
      expect(inject.firedMs!).toBeGreaterThanOrEqual(1000);
      expect(clear).toMatchObject({ firedIncident: 'i1' });
      expect(clear.firedMs!).toBeGreaterThanOrEqual(2000);
      await host.waitFor('the incident cleared by the timeline', roomPush((r) => r.incidents?.[0]?.clearedMs !== undefined));
      const incident = (await t.api('GET', `/api/rooms/${room.id}`)).json.incidents[0];
      expect(incident).toMatchObject({ id: 'i1', kind: 'expired-cert', byTimeline: true, injectedMs: inject.firedMs, clearedMs: clear.firedMs });

      const sandbox = (await asLearner(t, dee, 'GET', '/api/room')).json.sandbox;
      const events: TraceEvent[] = (await asLearner(t, dee, 'GET', `/api/sandboxes/${sandbox}/trace`)).json.events;
      expect(events.filter((event) => event.type === 'fault-injected' || event.type === 'fault-cleared').map((event) => event.note)).toEqual(['fault injected: incident i1', 'fault cleared: incident i1']);
      await t.api('POST', `/api/rooms/${room.id}/end`);
    } finally {
      await host.close();
    }
  });
});

describe('a shared room', () => {
  it('gives every learner the room\'s one sandbox, which an incident reaches once, and no one outside it', async () => {
    const room: RoomConsole = (await t.api('POST', '/api/rooms', { scenario: { labs: ['baseline'] }, minutes: 5, mode: 'shared', terminal: false })).json;
    const eve = await joinRoom(t, room.code, 'Eve');
    const fay = await joinRoom(t, room.code, 'Fay');
    const started: RoomConsole = (await t.api('POST', `/api/rooms/${room.id}/start`)).json;
    const [sandbox, ...rest] = started.learners.map((row) => row.sandbox);
    expect(sandbox).toEqual(expect.any(String));
    expect(rest).toEqual([sandbox]);
    for (const learner of [eve, fay]) {
      expect((await asLearner(t, learner, 'GET', '/api/room')).json.sandbox).toBe(sandbox);
      expect((await asLearner(t, learner, 'GET', `/api/sandboxes/${sandbox}`)).status).toBe(200);
    }
    expect((await t.api('POST', `/api/rooms/${room.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: 'all' })).status).toBe(201);
    expect((await asLearner(t, eve, 'GET', `/api/sandboxes/${sandbox}`)).json.incidents).toEqual([{ id: 'i1', injectedMs: expect.any(Number), diagnosis: 'none', fixed: false }]);
    const outsider = await joinRoom(t, (await t.api('POST', '/api/rooms', { scenario: { labs: ['baseline'] }, minutes: 5 })).json.code, 'Gus');
    expect((await asLearner(t, outsider, 'GET', `/api/sandboxes/${sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
    await t.api('POST', `/api/rooms/${room.id}/end`);
    expect((await t.api('GET', `/api/sandboxes/${sandbox}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});

describe('a room of two labs', () => {
  it('moves a learner who solved the first on to the second, in a fresh sandbox, and the postmortem keeps both', async () => {
    const room: RoomConsole = (await t.api('POST', '/api/rooms', { scenario: { labs: ['baseline', 'expired-client-cert'] }, minutes: 10 })).json;
    const gil = await joinRoom(t, room.code, 'Gil');
    await t.api('POST', `/api/rooms/${room.id}/start`);
    const first: string = (await asLearner(t, gil, 'GET', '/api/room')).json.sandbox;
    expect((await asLearner(t, gil, 'POST', `/api/sandboxes/${first}/traffic`, { requests: 1 })).status).toBe(200);
    let request: TraceEvent | undefined;
    await waitFor('auth\'s CertificateRequest in the trace', async () => {
      request = ((await asLearner(t, gil, 'GET', `/api/sandboxes/${first}/trace`)).json.events as TraceEvent[]).find((event) => event.type === 'CertificateRequest');
      return request !== undefined;
    });
    const host = await hostSocket(t);
    try {
      await host.call({ type: 'room-subscribe', room: room.id });
      expect((await asLearner(t, gil, 'POST', `/api/sandboxes/${first}/diagnosis`, { rootCause: 'none', evidence: { conn: request!.conn, seq: request!.seq } })).json.correct).toBe(true);
      expect((await asLearner(t, gil, 'POST', `/api/sandboxes/${first}/verify`)).json).toMatchObject({ green: true, completed: true });
      const moved = (await host.waitFor('Gil on the second lab', roomPush((r) => r.learners?.[0]?.lab === 'expired-client-cert' && r.learners[0].started))) as { room: RoomConsole };
      const second = moved.room.learners[0]!.sandbox!;
      expect(second).not.toBe(first);
      expect((await asLearner(t, gil, 'GET', '/api/room')).json).toMatchObject({ lab: 'expired-client-cert', sandbox: second });
      expect((await asLearner(t, gil, 'GET', `/api/sandboxes/${second}`)).json).toMatchObject({ lab: 'expired-client-cert', diagnosed: false, completed: false });
      await waitFor('the solved sandbox stopped', async () => (await t.api('GET', `/api/sandboxes/${first}`)).json.error?.code === 'SANDBOX_NOT_FOUND');
      const postmortem = (await t.api('GET', `/api/rooms/${room.id}/postmortem`)).json;
      expect(postmortem.learners.map((each: { name: string; lab: string; diagnosis: string; verified: boolean }) => [each.name, each.lab, each.diagnosis, each.verified])).toEqual([
        ['Gil', 'baseline', 'correct', true],
        ['Gil', 'expired-client-cert', 'none', false],
      ]);
      expect(postmortem.labs.map((each: { lab: string }) => each.lab)).toEqual(['baseline', 'expired-client-cert']);
      await t.api('POST', `/api/rooms/${room.id}/end`);
    } finally {
      await host.close();
    }
  });
});

describe('a chaos scenario', () => {
  it('draws its timeline from the seed: the same seed, the same steps, an inject and its clear per slot', async () => {
    const open = async (seed: number): Promise<RoomConsole> => (await t.api('POST', '/api/rooms', { scenario: { chaos: { lab: 'baseline', seed, durationS: 60 } }, minutes: 2 })).json;
    const [first, again, other] = [await open(7), await open(7), await open(8)];
    expect(first.timeline).toEqual(again.timeline);
    expect(first.timeline).not.toEqual(other.timeline);
    expect(first.timeline).toHaveLength(12);
    for (let i = 0; i < first.timeline.length; i += 2) {
      const [inject, clear] = [first.timeline[i]!, first.timeline[i + 1]!];
      expect(inject).toMatchObject({ action: 'inject', who: 'all', kind: expect.any(String) });
      expect(clear).toMatchObject({ action: 'clear', incident: inject.id });
      expect(clear.atS).toBeGreaterThan(inject.atS);
    }
    const both = await t.api('POST', '/api/rooms', { scenario: { chaos: { lab: 'baseline', seed: 7, durationS: 60 } }, minutes: 2, timeline: [] });
    expect(both.json.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"timeline"') });
  });
});

describe('bad requests', () => {
  it('names the field and keeps to stable codes', async () => {
    const base = { scenario: { labs: ['baseline'] }, minutes: 5, mode: 'isolated', terminal: false };
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...base, minutes: 0 }, 'BAD_REQUEST', /"minutes"/],
      [{ ...base, mode: 'solo' }, 'BAD_REQUEST', /"mode"/],
      [{ ...base, scenario: { labs: [] } }, 'BAD_REQUEST', /"scenario"/],
      [{ ...base, scenario: { labs: ['no-such-lab'] } }, 'LAB_NOT_FOUND', /no-such-lab/],
      [{ ...base, timeline: [{ atS: 9999, action: 'inject', kind: 'expired-cert', who: 'all' }] }, 'BAD_REQUEST', /timeline\[0\]\.atS/],
      [{ ...base, timeline: [{ atS: 1, action: 'inject', kind: 'no-such-fault', who: 'all' }] }, 'UNKNOWN_FAULT', /timeline\[0\]\.kind/],
      [{ ...base, timeline: [{ atS: 1, action: 'clear', incident: 's1', who: 'all' }] }, 'BAD_REQUEST', /timeline\[0\]\.incident/],
    ];
    for (const [body, code, message] of cases) {
      const res = await t.api('POST', '/api/rooms', body);
      expect({ code: res.json.error?.code, message: message.test(res.json.error?.message ?? '') }).toEqual({ code, message: true });
    }
    expect((await t.api('GET', '/api/rooms/no-such-room')).json.error.code).toBe('ROOM_NOT_FOUND');
    const open: RoomConsole = (await t.api('POST', '/api/rooms', base)).json;
    expect((await t.api('POST', `/api/rooms/${open.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: 'all' })).json.error.code).toBe('ROOM_NOT_STARTED');
    expect((await t.api('POST', `/api/rooms/${open.id}/faults`, { kind: 'expired-cert' })).json.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"who"') });
    expect((await t.api('DELETE', `/api/rooms/${open.id}/faults/i9`)).json.error.code).toBe('INCIDENT_NOT_FOUND');
    expect((await t.api('POST', `/api/rooms/${open.id}/terminal`, { allowed: 'yes' })).json.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"allowed"') });
    await t.api('POST', `/api/rooms/${open.id}/end`);
    expect((await t.api('POST', `/api/rooms/${open.id}/start`)).json.error.code).toBe('ROOM_ENDED');
  });
});
