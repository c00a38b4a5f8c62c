/**
 * PUT /api/sandboxes/:id/wire-faults on a running sandbox: bad input is a 400 naming the
 * field, the value and the range, and changes nothing; good input sets the faults live — the
 * same generation, the same processes — and the next connection meets them, in the trace too.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../server/explain/index.js';
import { appWithBaselineSandbox } from './appHarness.js';
import { waitFor } from '../helpers/waitFor.js';

const running = appWithBaselineSandbox();
const path = () => `/api/sandboxes/${running.id}/wire-faults`;

const fault = (over: Record<string, unknown> = {}) => ({ kind: 'latency', edge: 'www', ...over });

describe('PUT wire-faults refuses what does not fit', () => {
  it.each([
    ['no faults', {}, 'BAD_REQUEST', 'faults: required'],
    ['faults not a list', { faults: 'x' }, 'BAD_REQUEST', 'faults: expected a list of at most 32 wire faults but found "x"'],
    ['too many', { faults: Array.from({ length: 33 }, () => fault()) }, 'BAD_REQUEST', 'faults: expected a list of at most 32 wire faults'],
    ['a toxicity above 1', { faults: [fault({ toxicity: 1.5 })] }, 'BAD_REQUEST', "faults[0].toxicity: expected a number from 0 to 1 (the share of the edge's connections hit) but found 1.5"],
    ['a seed with a fraction', { faults: [fault({ seed: 1.5 })] }, 'BAD_REQUEST', 'faults[0].seed: expected a whole number from 0 to 4294967295 but found 1.5'],
    ['a direction of neither', { faults: [fault({ direction: 'sideways' })] }, 'BAD_REQUEST', 'faults[0].direction: expected "upstream" (client → server) or "downstream" (server → client) but found "sideways"'],
    ['an unknown field', { faults: [fault({ ttl: 5 })] }, 'BAD_REQUEST', 'faults[0].ttl: unknown field (known: kind, edge, direction, toxicity, seed, params)'],
    ['an unknown kind', { faults: [fault({ kind: 'lag' })] }, 'BAD_REQUEST', 'faults[0].kind: "lag" is not a wire fault (known: latency, bandwidth'],
    ['an edge the lab lacks', { faults: [fault({ edge: 'ledger' })] }, 'BAD_REQUEST', 'faults[0].edge: "ledger" is not a service of this sandbox (known: www, auth)'],
    ['a param out of range', { faults: [fault(), fault({ params: { latencyMs: -5 } })] }, 'BAD_PARAMS', 'faults[1]: latency params.latencyMs: expected a whole number from 0 to 3600000 but found -5'],
    ['an unknown param', { faults: [fault({ kind: 'mtu-blackhole', params: { mtu: 500 } })] }, 'BAD_PARAMS', 'unknown param "mtu" (known: maxRecordBytes)'],
  ])('%s', async (_name, body, code, message) => {
    const response = await running.t.api('PUT', path(), body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe(code);
    expect(response.json.error.message).toContain(message);
    expect((await running.t.api('GET', path())).json).toEqual({ faults: [] });
  });
});

async function curlWww(): Promise<string> {
  const description = (await running.t.api('GET', `/api/sandboxes/${running.id}`)).json.description;
  const www = description.services.www;
  const child = spawn('curl', ['-sS', '--max-time', '10', '--resolve', www.resolve, www.url, '--cacert', description.clients.browser.trust], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await once(child, 'close');
  return output;
}

describe('PUT wire-faults on a running sandbox', () => {
  it('sets them live: the same generation and processes, the next connection meets them, the trace names them; [] clears them', async () => {
    const before = (await running.t.api('GET', `/api/sandboxes/${running.id}`)).json;
    const put = await running.t.api('PUT', path(), { faults: [{ kind: 'plaintext-answer', edge: 'www', seed: 4 }] });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ faults: [{ kind: 'plaintext-answer', edge: 'www', direction: 'downstream', toxicity: 1, seed: 4, params: { status: 403 } }] });
    expect((await running.t.api('GET', path())).json).toEqual(put.json);

    expect(await curlWww()).toMatch(/curl: \(35\) OpenSSL\/[\d.]+: error:0A00010B:SSL routines::wrong version number/);
    const after = (await running.t.api('GET', `/api/sandboxes/${running.id}`)).json;
    expect(after.generation).toBe(before.generation);
    expect(after.description.pids).toEqual(before.description.pids);

    let marked: TraceEvent | undefined;
    await waitFor('the trace to show the wire fault', async () => {
      const events = (await running.t.api('GET', `/api/sandboxes/${running.id}/trace`)).json.events as TraceEvent[];
      marked = events.find((e) => e.type === 'wire-fault' && e.fields?.some((f) => f.name === 'did' && f.value === 'injected'));
      return marked !== undefined;
    });
    expect(marked!.note).toContain('made up in flight by the tap');

    expect((await running.t.api('PUT', path(), { faults: [] })).json).toEqual({ faults: [] });
    expect(await curlWww()).not.toMatch(/curl: \(/);
  });
});
