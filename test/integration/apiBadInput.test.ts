/**
 * Every bad input to the JSON API gets a 4xx with a stable code and a message that names the
 * field, the value and what is allowed — and leaves nothing broken: the sandbox it was aimed
 * at keeps running as before. Traffic runs one at a time, and stop when their caller goes
 * away. Real app, real sandboxes; every wait is for a real event.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../server/app/protocol.js';
import { openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';

let t: TestApp;
let socket: LabSocket;
/** A running baseline sandbox (clients browser and payments): what the bad calls aim at. */
let id = '';

beforeAll(async () => {
  t = await startTestApp();
  socket = await openPageSocket(t);
  const start = await t.api('POST', '/api/sandboxes', { lab: 'baseline' });
  expect(start.status).toBe(201);
  id = start.json.id;
});

afterAll(async () => {
  await socket?.close();
  await t?.stop();
});

interface Row {
  name: string;
  method: string;
  path: () => string;
  body: unknown;
  status: number;
  code: string;
  /** A part of the message: the field, the value found and what is allowed. */
  message: string;
}

const fix = (params: unknown, action = 'tune-pool', target = 'payments') => ({ action, target, params });
const faults = (...list: unknown[]) => ({ faults: list });
const sandbox = () => `/api/sandboxes/${id}`;

const rows: Row[] = [
  {
    name: 'a negative pool size in a fix',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix({ maxSockets: -5 }),
    status: 400, code: 'BAD_PARAMS', message: 'tune-pool params.maxSockets: expected a whole number from 1 to 256 but found -5',
  },
  {
    name: 'a pool size as text in a fix',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix({ maxSockets: '16' }),
    status: 400, code: 'BAD_PARAMS', message: 'params.maxSockets: expected a whole number from 1 to 256 but found "16"',
  },
  {
    name: 'a timeout past 2^31 ms in a fix',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix({ timeoutMs: 2 ** 31 }),
    status: 400, code: 'BAD_PARAMS', message: 'params.timeoutMs: expected a whole number from 1 to 300000 but found 2147483648',
  },
  {
    name: 'an unknown param key in a fix',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix({ maxSocket: 16 }),
    status: 400, code: 'BAD_PARAMS', message: 'params.maxSocket: unknown param "maxSocket" (known: maxSockets, timeoutMs); did you mean "maxSockets"?',
  },
  {
    name: 'a fix without the param it needs',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix({}, 'present-client-cert', 'browser'),
    status: 400, code: 'BAD_PARAMS', message: 'present-client-cert params.cert: expected the name of a client certificate in the lab',
  },
  {
    name: 'params that are not an object',
    method: 'POST', path: () => `${sandbox()}/fix`, body: fix(5),
    status: 400, code: 'BAD_REQUEST', message: '"params" must be an object',
  },
  {
    name: 'a param out of range for a fault on PUT faults',
    method: 'PUT', path: () => `${sandbox()}/faults`, body: faults({ kind: 'exhausted-pool', target: 'payments', params: { maxSockets: 1000 } }),
    status: 400, code: 'BAD_PARAMS', message: 'exhausted-pool params.maxSockets: expected a whole number from 1 to 256 but found 1000',
  },
  {
    name: 'an unknown param key for a fault on PUT faults',
    method: 'PUT', path: () => `${sandbox()}/faults`, body: faults({ kind: 'expired-cert', target: 'payments-client', params: { days: 3 } }),
    status: 400, code: 'BAD_PARAMS', message: 'expired-cert params.days: unknown param "days": expired-cert takes no params',
  },
  {
    name: 'a CA the lab does not have on PUT faults',
    method: 'PUT', path: () => `${sandbox()}/faults`, body: faults({ kind: 'wrong-ca', target: 'auth', params: { trust: 'partner-root' } }),
    status: 400, code: 'BAD_REQUEST', message: 'wrong-ca params.trust: "partner-root" is not a CA in lab baseline (known: corp-root, corp-issuing, stray-root)',
  },
  {
    name: 'a param out of range for a fault on POST sandboxes',
    method: 'POST', path: () => '/api/sandboxes', body: { lab: 'baseline', ...faults({ kind: 'exhausted-pool', target: 'payments', params: { maxSockets: 0 } }) },
    status: 400, code: 'BAD_PARAMS', message: 'exhausted-pool params.maxSockets: expected a whole number from 1 to 256 but found 0',
  },
  {
    name: 'a param of the wrong type for a fault on POST sandboxes',
    method: 'POST', path: () => '/api/sandboxes', body: { lab: 'baseline', ...faults({ kind: 'wrong-san', target: 'auth-server', params: { san: 'dns:other.test' } }) },
    status: 400, code: 'BAD_PARAMS', message: 'wrong-san params.san: expected a list of 1 to 16 SANs like ["dns:auth.internal"] but found "dns:other.test"',
  },
  {
    name: 'a negative request count',
    method: 'POST', path: () => `${sandbox()}/traffic`, body: { requests: -1 },
    status: 400, code: 'BAD_REQUEST', message: '"requests" must be a whole number from 1 to 1000',
  },
  {
    name: 'a request count past the limit',
    method: 'POST', path: () => `${sandbox()}/traffic`, body: { requests: 1001 },
    status: 400, code: 'BAD_REQUEST', message: '"requests" must be a whole number from 1 to 1000',
  },
];

describe('bad input to the JSON API', () => {
  it.each(rows)('$name → $status $code', async (row) => {
    const res = await t.api(row.method, row.path(), row.body);
    expect(res.status).toBe(row.status);
    expect(res.json).toEqual({ error: { code: row.code, message: expect.any(String) } });
    expect(res.json.error.message).toContain(row.message);
  });

  it('leaves the sandbox as it was: same generation, no extra fault, traffic answered', async () => {
    expect(t.app.sandboxes.list().map((session) => session.id)).toEqual([id]);
    expect((await t.api('GET', sandbox())).json).toMatchObject({ status: 'running', generation: 1, extraFaults: [] });
    const traffic = await t.api('POST', `${sandbox()}/traffic`, { requests: 2 });
    expect(traffic.status).toBe(200);
    expect(traffic.json.edges).toEqual([expect.objectContaining({ requests: 2, ok: 2 }), expect.objectContaining({ requests: 2, ok: 2 })]);
  });
});

type HealthMessage = Extract<ServerMessage, { type: 'health' }>;

/** The first health message for `sandboxId` after the first `from` messages that `match` accepts. */
function health(sandboxId: string, from: number, match: (m: HealthMessage) => boolean): Promise<ServerMessage> {
  return socket.waitFor('a health message', (m) => m.type === 'health' && m.sandbox === sandboxId && socket.messages.indexOf(m) >= from && match(m));
}

/** A traffic call the test can walk away from, as a browser tab closed mid-run does. */
function trafficCall(path: string, requests: number, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify({ requests });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: t.port,
        path,
        method: 'POST',
        signal,
        headers: { host: `127.0.0.1:${t.port}`, origin: t.origin, authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'content-length': String(payload.length) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('traffic runs one at a time, and stop when their caller goes away', () => {
  it('refuses a second traffic call at once with 409, then frees the sandbox when the first caller leaves', async () => {
    await socket.call({ type: 'subscribe', sandbox: id });
    const from = socket.messages.length;
    const caller = new AbortController();
    // baseline's clients send 5 requests a second: 1000 would take minutes, and the cap is 30 s.
    const first = trafficCall(`${sandbox()}/traffic`, 1000, caller.signal);
    let firstSettled = false;
    const firstOutcome = first.then(
      () => (firstSettled = true),
      (error: Error) => ((firstSettled = true), error),
    );
    await health(id, from, (m) => !m.final && m.edges.some((edge) => edge.ok > 0));

    const second = await t.api('POST', `${sandbox()}/traffic`, { requests: 1 });
    expect(second.status).toBe(409);
    expect(second.json).toEqual({ error: { code: 'TRAFFIC_RUNNING', message: expect.stringMatching(/the run under way ends within \d+ s \(runs send for 30 s at most\)/) } });
    expect(firstSettled).toBe(false);

    caller.abort();
    expect(await firstOutcome).toMatchObject({ name: 'AbortError' });
    // The run's final totals go out when it ends: a few requests, not a whole run's.
    const end = (await health(id, from, (m) => m.final)) as HealthMessage;
    for (const edge of end.edges) expect(edge.ok + edge.failed).toBeLessThan(30);

    const next = await t.api('POST', `${sandbox()}/traffic`, { requests: 2 });
    expect(next.status).toBe(200);
    expect(next.json.edges).toEqual([expect.objectContaining({ requests: 2, ok: 2 }), expect.objectContaining({ requests: 2, ok: 2 })]);
    expect(next.json.stopped).toBeUndefined();
  });
});

describe('after the calls', () => {
  // Registered last: vitest runs describe blocks in order.
  it('logged no unexpected server error', () => {
    expect(t.logged).toEqual([]);
  });
});
