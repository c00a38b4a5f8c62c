/**
 * POST / GET / DELETE /api/sandboxes/:id/faults on a running sandbox, and PUT through the same
 * live path: real handshakes (curl) show each fault and its clearing, the processes the fault
 * does not touch keep their pids, the trace is one timeline with each change in it, a ttl
 * reverts by itself, and bad input is a stable code that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../server/explain/index.js';
import { curl } from '../helpers/peers.js';
import { waitFor } from '../helpers/waitFor.js';
import { appWithBaselineSandbox } from './appHarness.js';

const running = appWithBaselineSandbox();
const faults = () => `/api/sandboxes/${running.id}/faults`;

const view = async () => (await running.t.api('GET', `/api/sandboxes/${running.id}`)).json;
const trace = async (): Promise<TraceEvent[]> => (await running.t.api('GET', `/api/sandboxes/${running.id}/trace`)).json.events;

/** curl as payments → auth, with payments' own certificate: what a caller by hand sees now. */
async function callAuth(): Promise<string> {
  const { description } = await view();
  return (await curl(description.services.auth, description.clients.payments)).output;
}

async function changeInTrace(type: string, note: string): Promise<TraceEvent> {
  let found: TraceEvent | undefined;
  await waitFor(`the trace to show ${type}`, async () => (found = (await trace()).find((e) => e.type === type && e.note === note)) !== undefined);
  return found!;
}

describe('live faults through the API', () => {
  it('injects a fault into the running sandbox and clears it: real handshakes show both, the trace keeps every connection, untouched pids stay', async () => {
    const before = await view();
    expect(await callAuth()).toMatch(/^hello from auth; you are CN=payments-client/);
    let firstConnections = new Set<number>();
    await waitFor('the first call in the trace', async () => (firstConnections = new Set((await trace()).filter((e) => e.conn > 0).map((e) => e.conn))).size > 0);

    const injected = await running.t.api('POST', faults(), { kind: 'expired-cert', target: 'auth-server' });
    expect(injected.status).toBe(201);
    expect(injected.json).toMatchObject({ id: 1, kind: 'expired-cert', target: 'auth-server' });
    expect(injected.json.expiresAt).toBeUndefined();
    expect((await running.t.api('GET', faults())).json.faults).toEqual([injected.json]);

    expect(await callAuth()).toMatch(/curl: \(60\) SSL certificate problem: certificate has expired/);
    const broken = await view();
    expect(broken.description.pids).toEqual(before.description.pids);
    expect(broken.generation).toBe(before.generation + 1);
    expect(broken.extraFaults).toEqual([{ kind: 'expired-cert', target: 'auth-server', params: injected.json.params }]);
    const event = await changeInTrace('fault-injected', 'fault injected: expired-cert on auth-server (#1)');
    expect(event.fields?.find((f) => f.name === 'change')?.value).toBe('certificate auth-server issued again; service auth reloaded');
    const events = await trace();
    for (const conn of firstConnections) expect(events.some((e) => e.conn === conn), `connection ${conn} is still in the trace`).toBe(true);

    const cleared = await running.t.api('DELETE', `${faults()}/1`);
    expect(cleared.status).toBe(204);
    expect((await running.t.api('GET', faults())).json.faults).toEqual([]);
    expect(await callAuth()).toMatch(/^hello from auth/);
    await changeInTrace('fault-cleared', 'fault cleared: expired-cert on auth-server (#1)');
    expect((await view()).description.pids).toEqual(before.description.pids);

    const again = await running.t.api('DELETE', `${faults()}/1`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('FAULT_NOT_FOUND');
  });

  it('reverts a fault with a ttl by itself, and the sandbox\'s own client gets through again', async () => {
    const injected = await running.t.api('POST', faults(), { kind: 'expired-cert', target: 'payments-client', ttl: 1 });
    expect(injected.status).toBe(201);
    expect(Date.parse(injected.json.expiresAt) - Date.parse(injected.json.injectedAt)).toBe(1000);
    await waitFor('the fault to revert at the end of its ttl', async () => (await running.t.api('GET', faults())).json.faults.length === 0);
    await changeInTrace('fault-cleared', `fault cleared: expired-cert on payments-client (#${injected.json.id})`);
    const traffic = await running.t.api('POST', `/api/sandboxes/${running.id}/traffic`, { requests: 1 });
    expect(traffic.json.edges.map((edge: { client: string; ok: number }) => `${edge.client} ${edge.ok}`)).toEqual(['browser 1', 'payments 1']);
  });

  it('PUT replaces every injected fault through the same live path: ids, pids kept, [] clears', async () => {
    const before = await view();
    const put = await running.t.api('PUT', faults(), { faults: [{ kind: 'wrong-san', target: 'www-server' }] });
    expect(put.status).toBe(200);
    expect(put.json.description.pids).toEqual(before.description.pids);
    const [listed] = (await running.t.api('GET', faults())).json.faults;
    expect(listed).toMatchObject({ kind: 'wrong-san', target: 'www-server' });
    const { description } = put.json;
    expect((await curl(description.services.www, description.clients.browser)).output).toMatch(/curl: \(60\) SSL: no alternative certificate subject name matches target host name 'www.corp.test'/);
    expect((await running.t.api('PUT', faults(), { faults: [] })).status).toBe(200);
    expect((await running.t.api('GET', faults())).json.faults).toEqual([]);
    expect((await curl(description.services.www, description.clients.browser)).output).toMatch(/^hello from www/);
  });
});

describe('bad input for live faults changes nothing', () => {
  it.each([
    ['a kind not in the catalogue', 'POST', '', { kind: 'solar-flare' }, 400, 'UNKNOWN_FAULT'],
    ['no kind', 'POST', '', { target: 'auth-server' }, 400, 'BAD_REQUEST'],
    ['a target the lab lacks', 'POST', '', { kind: 'expired-cert', target: 'ledger-server' }, 400, 'BAD_REQUEST'],
    ['a param the fault does not take', 'POST', '', { kind: 'expired-cert', target: 'auth-server', params: { days: 3 } }, 400, 'BAD_PARAMS'],
    ['a ttl of 0', 'POST', '', { kind: 'expired-cert', target: 'auth-server', ttl: 0 }, 400, 'BAD_REQUEST'],
    ['a ttl past a day', 'POST', '', { kind: 'expired-cert', target: 'auth-server', ttl: 86_401 }, 400, 'BAD_REQUEST'],
    ['a ttl in words', 'POST', '', { kind: 'expired-cert', target: 'auth-server', ttl: '5m' }, 400, 'BAD_REQUEST'],
    ['a fault id that is not a number', 'DELETE', '/first', undefined, 400, 'BAD_REQUEST'],
    ['a fault id never given', 'DELETE', '/99', undefined, 404, 'FAULT_NOT_FOUND'],
  ])('%s', async (_name, method, suffix, body, status, code) => {
    const before = await view();
    const response = await running.t.api(method, faults() + suffix, body);
    expect(response.status).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect((await running.t.api('GET', faults())).json.faults).toEqual([]);
    expect((await view()).generation).toBe(before.generation);
  });

  it('answers a sandbox that does not exist with SANDBOX_NOT_FOUND', async () => {
    const response = await running.t.api('POST', '/api/sandboxes/nope-123456/faults', { kind: 'expired-cert', target: 'auth-server' });
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});

describe('the catalogue offers faults to inject', () => {
  it('names each fault with what it targets and each wire fault with its directions, both with their params and defaults', async () => {
    const { faults: kinds, wireFaults } = (await running.t.api('GET', '/api/catalogue')).json;
    expect(kinds).toContainEqual(expect.objectContaining({ kind: 'expired-cert', title: expect.any(String), target: 'certificate' }));
    expect(kinds).toContainEqual(expect.objectContaining({ kind: 'exhausted-pool', target: 'client' }));
    expect(wireFaults).toContainEqual({
      kind: 'latency',
      title: expect.any(String),
      params: [
        { name: 'latencyMs', type: 'number', expected: expect.any(String), required: false, default: 500 },
        { name: 'jitterMs', type: 'number', expected: expect.any(String), required: false, default: 0 },
      ],
    });
  });
});
