/**
 * Joining by code or link: the participant token a join buys reaches its holder's own sandbox
 * and nothing of the host's — through the real HTTP API and WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { participantCookieName } from '../../server/app/credentials.js';
import type { Participant } from '../../server/app/participants.js';
import { connectWs, startTestApp, type Response, type TestApp } from './appHarness.js';

let t: TestApp;
let roomCode: string;

beforeAll(async () => {
  t = await startTestApp();
  roomCode = t.app.participants.invite({ role: 'learner', scope: 'room-a', short: true });
});
afterAll(() => t?.stop());

/** A join as a browser on the join page sends it: own Origin, no token. */
const join = (code: string, name: string): Promise<Response> => t.request('/api/join', { method: 'POST', headers: { origin: t.origin }, body: { code, name } });

/** The participant cookie a join's answer set, as the browser sends it back. */
function cookieOf(joined: Response): string {
  const cookie = joined.headers['set-cookie']?.[0] ?? '';
  expect(cookie).toMatch(new RegExp(`^${participantCookieName(t.port)}=[A-Za-z0-9_-]{32}; HttpOnly; SameSite=Strict; Path=/$`));
  return cookie.split(';')[0]!;
}

const as = (cookie: string, method: string, target: string, body?: unknown): Promise<Response> =>
  t.request(target, { method, headers: { origin: t.origin, cookie }, ...(body === undefined ? {} : { body }) });

async function joinedWithSandbox(name: string): Promise<{ cookie: string; participant: Participant; sandbox: string }> {
  const joined = await join(roomCode, name);
  expect(joined.status).toBe(201);
  const participant = t.app.participants.get(joined.json.id)!;
  const session = await t.app.sandboxes.start('baseline', { owner: participant.learner, learner: participant.name });
  return { cookie: cookieOf(joined), participant, sandbox: session.id };
}

describe('the way in', () => {
  it('serves the join page and says what a code invites to, without the run token', async () => {
    expect((await t.request(`/join/${roomCode}`)).status).toBe(200);
    const invitation = await t.request(`/api/join/${roomCode.toLowerCase()}`);
    expect(invitation.status).toBe(200);
    expect(invitation.json).toEqual({ role: 'learner' });
    expect((await t.request('/api/labs')).json.error.code).toBe('TOKEN_REQUIRED');
    expect((await t.request('/join/a/b')).json.error.code).toBe('TOKEN_REQUIRED');
  });

  it('answers a join with the participant, its token only in an HttpOnly cookie', async () => {
    const joined = await join(` ${roomCode.slice(0, 3).toLowerCase()}-${roomCode.slice(3)} `, 'Ada');
    expect(joined.status).toBe(201);
    expect(joined.json).toEqual({ id: expect.any(String), role: 'learner', scope: 'room-a', name: 'Ada' });
    const cookie = cookieOf(joined);
    expect(joined.text).not.toContain(cookie.split('=')[1]);
    expect(joined.text).not.toContain(t.app.participants.get(joined.json.id)!.learner);
    expect((await as(cookie, 'GET', '/api/me')).json).toEqual({ name: 'Ada', role: 'learner', sandboxes: [] });
  });

  it('refuses a code nobody issued, a name that is no name, and a spent interview link', async () => {
    expect((await join('ZZZZZZ', 'Ada')).json.error.code).toBe('INVITE_NOT_FOUND');
    expect((await join(roomCode, '  ')).json.error.code).toBe('BAD_REQUEST');
    expect((await join(roomCode, 'two\nlines')).json.error.code).toBe('BAD_REQUEST');
    const link = t.app.participants.invite({ role: 'candidate', scope: 'interview-1' });
    expect((await join(link, 'Cleo')).status).toBe(201);
    expect((await join(link, 'Mallory')).json.error.code).toBe('INVITE_NOT_FOUND');
  });
});

describe('a participant', () => {
  it('reaches their own sandbox, and no other learner’s', async () => {
    const ada = await joinedWithSandbox('Ada');
    const bob = await joinedWithSandbox('Bob');
    expect((await as(ada.cookie, 'GET', `/api/sandboxes/${ada.sandbox}`)).status).toBe(200);
    expect((await as(ada.cookie, 'GET', '/api/sandboxes')).json.sandboxes.map((s: { id: string }) => s.id)).toEqual([ada.sandbox]);
    for (const [method, path, body] of [
      ['GET', `/api/sandboxes/${bob.sandbox}`],
      ['GET', `/api/sandboxes/${bob.sandbox}/trace`],
      ['GET', `/api/sandboxes/${bob.sandbox}/certificates`],
      ['GET', `/api/sandboxes/${bob.sandbox}/capture.pcapng`],
      ['POST', `/api/sandboxes/${bob.sandbox}/hints`],
      ['POST', `/api/sandboxes/${bob.sandbox}/diagnosis`, { rootCause: 'none', evidence: { conn: 1, seq: 1 } }],
      ['POST', `/api/sandboxes/${bob.sandbox}/verify`],
    ] as const) {
      const res = await as(ada.cookie, method, path, body);
      expect({ path, code: res.json?.error?.code }).toEqual({ path, code: 'SANDBOX_NOT_FOUND' });
    }
  });

  it('may not do what is the host’s: start or stop labs, set or read faults, read the server’s scoreboard', async () => {
    const ada = await joinedWithSandbox('Ada');
    for (const [method, path, body] of [
      ['POST', '/api/sandboxes', { lab: 'baseline' }],
      ['DELETE', `/api/sandboxes/${ada.sandbox}`],
      ['GET', `/api/sandboxes/${ada.sandbox}/faults`],
      ['POST', `/api/sandboxes/${ada.sandbox}/faults`, { kind: 'expired-cert' }],
      ['PUT', `/api/sandboxes/${ada.sandbox}/faults`, { faults: [] }],
      ['GET', `/api/sandboxes/${ada.sandbox}/wire-faults`],
      ['PUT', `/api/sandboxes/${ada.sandbox}/wire-faults`, { faults: [] }],
      ['GET', '/api/scoreboard'],
    ] as const) {
      const res = await as(ada.cookie, method, path, body);
      expect({ path, method, status: res.status, code: res.json?.error?.code }).toEqual({ path, method, status: 403, code: 'HOST_ONLY' });
    }
    expect(t.app.sandboxes.list().some((s) => s.id === ada.sandbox)).toBe(true);
  });

  it('opens the socket for their own sandbox only, and no terminal until the facilitator allows it', async () => {
    const ada = await joinedWithSandbox('Ada');
    const bob = await joinedWithSandbox('Bob');
    const refused = await connectWs(t.port, { origin: t.origin });
    expect(refused.open ? 0 : refused.status).toBe(401);
    const outcome = await connectWs(t.port, { origin: t.origin, cookie: ada.cookie });
    if (!outcome.open) throw new Error(`refused: ${outcome.status}`);
    const socket = outcome.client;
    try {
      expect((await socket.call({ type: 'subscribe', sandbox: ada.sandbox })).ok).toBe(true);
      expect(await socket.call({ type: 'subscribe', sandbox: bob.sandbox })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
      expect(await socket.call({ type: 'terminal-open', sandbox: bob.sandbox, cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'SANDBOX_NOT_FOUND' } });
      expect(await socket.call({ type: 'terminal-open', sandbox: ada.sandbox, cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'TERMINAL_NOT_ALLOWED' } });
      expect(await socket.call({ type: 'scoreboard-subscribe' })).toMatchObject({ ok: false, error: { code: 'HOST_ONLY' } });
    } finally {
      await socket.close();
    }
  });

  it('holds nothing once the room ends: the token opens nothing and the code invites nobody', async () => {
    const code = t.app.participants.invite({ role: 'learner', scope: 'room-b', short: true });
    const cookie = cookieOf(await join(code, 'Eve'));
    expect((await as(cookie, 'GET', '/api/me')).status).toBe(200);
    t.app.participants.revoke('room-b');
    expect((await as(cookie, 'GET', '/api/me')).json.error.code).toBe('TOKEN_REQUIRED');
    expect((await join(code, 'Eve')).json.error.code).toBe('INVITE_NOT_FOUND');
    expect((await as(`mtls_lab_token_${t.port}=${cookie.split('=')[1]}`, 'GET', '/api/me')).json.error.code).toBe('TOKEN_REQUIRED');
  });
});

// Last: it spends this address's allowance of wrong codes (the tests above spent some of it).
describe('guessing codes', () => {
  it('stops an address after ten wrong codes, a right one included', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) answers.push((await join(`WRONG${i}`, 'Mallory')).json.error.code);
    const wrong = answers.indexOf('TOO_MANY_ATTEMPTS');
    expect(wrong).toBeGreaterThan(0);
    expect(answers.slice(0, wrong).every((code) => code === 'INVITE_NOT_FOUND')).toBe(true);
    expect(answers.slice(wrong).every((code) => code === 'TOO_MANY_ATTEMPTS')).toBe(true);
    expect((await join(roomCode, 'Mallory')).json.error.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await t.request(`/api/join/${roomCode}`)).status).toBe(429);
  });
});
