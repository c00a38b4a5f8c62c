/**
 * What a drill's learner can reach with their participant token, through the real HTTP API
 * and WebSocket: their own sandbox and their own room's learner view — never another learner's
 * sandbox (by any route or message), never the room's console, faults or postmortem, never a
 * sandbox of their own making, and never another room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomConsole } from '../../server/app/protocol.js';
import { startTestApp, type LabSocket, type TestApp } from './appHarness.js';
import { asLearner, joinRoom, learnerSocket, type Joined } from './roomParticipants.js';

let t: TestApp;
let roomA: RoomConsole;
let roomB: RoomConsole;
let ada: Joined;
let bob: Joined;
let cy: Joined;
/** Sandbox ids by learner name, as the host's console shows them. */
const sandboxOf: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  const open = async (title: string): Promise<RoomConsole> => (await t.api('POST', '/api/rooms', { title, scenario: { labs: ['baseline'] }, minutes: 30, mode: 'isolated', terminal: true })).json;
  roomA = await open('Room A');
  roomB = await open('Room B');
  ada = await joinRoom(t, roomA.code, 'Ada');
  bob = await joinRoom(t, roomA.code, 'Bob');
  cy = await joinRoom(t, roomB.code, 'Cy');
  for (const room of [roomA, roomB]) {
    const started: RoomConsole = (await t.api('POST', `/api/rooms/${room.id}/start`)).json;
    for (const row of started.learners) sandboxOf[row.name] = row.sandbox!;
  }
  // An incident in Bob's sandbox, for the routes that name one.
  expect((await t.api('POST', `/api/rooms/${roomA.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: bob.id })).status).toBe(201);
});
afterAll(() => t?.stop());

describe('a learner of room A', () => {
  it('reaches their own sandbox', async () => {
    expect((await asLearner(t, ada, 'GET', `/api/sandboxes/${sandboxOf.Ada}`)).status).toBe(200);
    expect((await asLearner(t, ada, 'GET', `/api/sandboxes/${sandboxOf.Ada}/trace`)).status).toBe(200);
  });

  it('cannot read or act on another learner\'s sandbox by any route', async () => {
    const bobs = `/api/sandboxes/${sandboxOf.Bob}`;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', bobs],
      ['GET', `${bobs}/trace`],
      ['GET', `${bobs}/certificates`],
      ['GET', `${bobs}/capture.pcapng`],
      ['GET', `${bobs}/keys.log`],
      ['POST', `${bobs}/traffic`, { requests: 1 }],
      ['POST', `${bobs}/hints`],
      ['POST', `${bobs}/diagnosis`, { rootCause: 'expired-cert', evidence: { conn: 1, seq: 0 }, incident: 'i1' }],
      ['POST', `${bobs}/fix`, { action: 'reissue', target: 'auth-server' }],
      ['POST', `${bobs}/verify`],
      ['GET', `${bobs}/faults`],
      ['POST', `${bobs}/faults`, { kind: 'expired-cert', target: 'auth-server' }],
      ['DELETE', `${bobs}/faults/1`],
      ['PUT', `${bobs}/faults`, { faults: [] }],
      ['DELETE', bobs],
    ];
    for (const [method, path, body] of routes) {
      const res = await asLearner(t, ada, method, path, body);
      expect({ method, path, code: res.json?.error?.code }).toEqual({ method, path, code: expect.stringMatching(/^(SANDBOX_NOT_FOUND|HOST_ONLY)$/) });
    }
    // Bob's sandbox is as it was: running, its incident in effect, undiagnosed.
    const bobView = (await asLearner(t, bob, 'GET', bobs)).json;
    expect(bobView).toMatchObject({ status: 'running', incidents: [{ id: 'i1', diagnosis: 'none', fixed: false }], wrongDiagnoses: 0, fixesApplied: [] });
  });

  it('cannot follow or attach to another learner\'s sandbox over the socket', async () => {
    const socket: LabSocket = await learnerSocket(t, ada);
    try {
      expect(await socket.call({ type: 'subscribe', sandbox: sandboxOf.Bob })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
      expect(await socket.call({ type: 'terminal-open', sandbox: sandboxOf.Bob, cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
      expect(await socket.call({ type: 'room-subscribe', room: roomB.id })).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } });
      const own = await socket.call({ type: 'room-subscribe', room: roomA.id });
      expect(own).toMatchObject({ ok: true, result: { room: { id: roomA.id, sandbox: sandboxOf.Ada } } });
      expect(JSON.stringify(own)).not.toContain(sandboxOf.Bob);
      expect(JSON.stringify(own)).not.toContain(roomA.code);
    } finally {
      await socket.close();
    }
  });

  it('sees only their own view of the room: no console, no faults, no postmortem, no starting sandboxes', async () => {
    const view = await asLearner(t, ada, 'GET', `/api/rooms/${roomA.id}`);
    expect(view.status).toBe(200);
    expect(view.json.learners).toBeUndefined();
    expect(view.json.incidents).toBeUndefined();
    expect(view.text).not.toContain(sandboxOf.Bob);
    expect(view.text).not.toContain(roomA.code);
    // The clock moves between the two answers; everything else is the same view.
    expect({ ...(await asLearner(t, ada, 'GET', '/api/room')).json, elapsedMs: 0 }).toEqual({ ...view.json, elapsedMs: 0 });
    const hostOnly: Array<[string, string, unknown?]> = [
      ['GET', '/api/rooms'],
      ['POST', '/api/rooms', { scenario: { labs: ['baseline'] }, minutes: 5 }],
      ['POST', `/api/rooms/${roomA.id}/start`],
      ['POST', `/api/rooms/${roomA.id}/pause`],
      ['POST', `/api/rooms/${roomA.id}/resume`],
      ['POST', `/api/rooms/${roomA.id}/end`],
      ['POST', `/api/rooms/${roomA.id}/faults`, { kind: 'expired-cert', target: 'auth-server', who: 'all' }],
      ['DELETE', `/api/rooms/${roomA.id}/faults/i1`],
      ['POST', `/api/rooms/${roomA.id}/terminal`, { allowed: true }],
      ['GET', `/api/rooms/${roomA.id}/postmortem`],
      ['GET', `/api/rooms/${roomA.id}/postmortem.md`],
      ['POST', '/api/sandboxes', { lab: 'baseline' }],
    ];
    for (const [method, path, body] of hostOnly) {
      const res = await asLearner(t, ada, method, path, body);
      expect({ method, path, status: res.status, code: res.json?.error?.code }).toEqual({ method, path, status: 403, code: 'HOST_ONLY' });
    }
    const hosted: RoomConsole = (await t.api('GET', `/api/rooms/${roomA.id}`)).json;
    expect(hosted.state).toBe('running');
    expect(hosted.incidents.map((incident) => incident.id)).toEqual(['i1']);
    expect(hosted.learners.map((row) => row.name).sort()).toEqual(['Ada', 'Bob']);
  });

  it('cannot read room B, nor can room B\'s learner read room A', async () => {
    for (const [who, room] of [[ada, roomB], [cy, roomA]] as const) {
      const res = await asLearner(t, who, 'GET', `/api/rooms/${room.id}`);
      expect({ status: res.status, code: res.json.error?.code }).toEqual({ status: 404, code: 'ROOM_NOT_FOUND' });
    }
    expect((await asLearner(t, cy, 'GET', `/api/sandboxes/${sandboxOf.Ada}`)).json.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});
