/**
 * A run of traffic ends: stopped by its signal it sends nothing more and reports what it
 * sent; a request the pool never gives a socket still ends at its timeout; a lab session's
 * run stops at its time limit and says so; a run beyond the machine's traffic budget waits its
 * turn. Real sandboxes; every wait is for a real event (a request's result, the run's end).
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/app/errors.js';
import { LabCatalogue } from '../../server/app/labCatalogue.js';
import { ProgressStore } from '../../server/app/progressStore.js';
import type { ServerMessage } from '../../server/app/protocol.js';
import { SandboxRegistry } from '../../server/app/sandboxRegistry.js';
import { defaultTrafficRps, TrafficBudget } from '../../server/app/trafficBudget.js';
import type { RequestResult } from '../../server/runtime/messages.js';
import { labsDir } from './appHarness.js';
import { healthyLab, sandboxStarter } from './runtimeHelpers.js';

const start = sandboxStarter();

describe('a run of traffic stopped by its signal', () => {
  it('sends no request after the abort, finishes what is in flight and reports what it sent', async () => {
    // 5 rps: 1000 requests would take over three minutes.
    const sandbox = await start(healthyLab({ client: { rps: 5 } }));
    const controller = new AbortController();
    const results: RequestResult[] = [];
    sandbox.events.on('request-result', (_client: string, result: RequestResult) => results.push(result));
    const run = sandbox.runTraffic({ requests: 1000, signal: controller.signal });
    await once(sandbox.events, 'request-result');
    controller.abort();
    const [edge] = await run;
    expect(edge!.requests).toBeGreaterThanOrEqual(1);
    expect(edge!.requests).toBeLessThan(10);
    expect(edge).toMatchObject({ ok: edge!.requests, failed: 0 });
    expect(results).toHaveLength(edge!.requests);

    // The sandbox is free: the next run is whole.
    const [next] = await sandbox.runTraffic({ requests: 2 });
    expect(next).toMatchObject({ requests: 2, ok: 2 });
  });

  it('sends nothing when the signal has already aborted', async () => {
    const sandbox = await start(healthyLab());
    const [edge] = await sandbox.runTraffic({ requests: 5, signal: AbortSignal.abort() });
    expect(edge).toMatchObject({ requests: 0, ok: 0 });
    expect(sandbox.tap.connections).toHaveLength(0);
  });
});

describe('a request the pool never gives a socket', () => {
  it('ends at the pool timeout instead of holding the run forever', async () => {
    // The schema refuses this pool; the runtime must not hang on one that slips through.
    const spec = healthyLab({ client: { pool: { timeoutMs: 300 } } });
    spec.clients.payments!.pool.maxSockets = -5;
    const sandbox = await start(spec);
    const [edge] = await sandbox.runTraffic({ requests: 2 });
    expect(edge).toMatchObject({ requests: 2, ok: 0, timeouts: 2 });
    expect(edge!.clientErrors.ETIMEDOUT?.message).toMatch(/no response within 300 ms/);
  });
});

describe("a lab session's traffic run", () => {
  it('stops sending at its time limit, reports what it sent and says it was cut short', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-traffic-data-'));
    const logger = { error: (message: string, error?: unknown) => void expect.fail(`${message}: ${String(error)}`) };
    const registry = new SandboxRegistry(new LabCatalogue(labsDir, logger), {
      maxSandboxes: 1,
      sandboxOptions: {},
      progress: await ProgressStore.open(dataDir, logger),
      verifyRequests: 1,
      trafficBudget: new TrafficBudget(defaultTrafficRps()),
      logger,
      maxTrafficMs: 1500,
    });
    try {
      const session = await registry.start('baseline');
      // baseline's clients send 5 requests a second: 1000 would take over three minutes.
      const run = session.runTraffic(1000);
      const refused = await session.runTraffic(1).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ApiError);
      // Refused as soon as the first is accepted, before it has even started.
      expect(refused).toMatchObject({ code: 'TRAFFIC_RUNNING', message: expect.stringMatching(/a run just accepted takes 5 s at most once it starts/) });

      const { edges, stopped } = await run;
      expect(stopped).toEqual({ reason: 'time-limit', limitMs: 1500, requested: 1000 });
      for (const edge of edges) {
        expect(edge.requests).toBeGreaterThan(0);
        expect(edge.requests).toBeLessThan(20);
        expect(edge.ok).toBe(edge.requests);
      }

      const next = await session.runTraffic(2);
      expect(next.stopped).toBeUndefined();
      expect(next.edges.map((edge) => edge.requests)).toEqual([2, 2]);
    } finally {
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("a run beyond this machine's traffic budget", () => {
  it('sends each client\'s first request at once, then waits in line until the run ahead of it ends, and sends the rest', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-traffic-data-'));
    const logger = { error: (message: string, error?: unknown) => void expect.fail(`${message}: ${String(error)}`) };
    // baseline's two clients send 5 requests a second each: one run fills a budget of 10.
    const budget = new TrafficBudget(10);
    const registry = new SandboxRegistry(new LabCatalogue(labsDir, logger), {
      maxSandboxes: 2,
      sandboxOptions: {},
      progress: await ProgressStore.open(dataDir, logger),
      verifyRequests: 1,
      trafficBudget: budget,
      logger,
    });
    try {
      const ahead = await registry.start('baseline');
      const waiting = await registry.start('baseline', { owner: 'learner-2' });
      const messages: ServerMessage[] = [];
      const heard = new Promise<void>((resolve) => {
        const conns = new Set<number>();
        waiting.events.on('message', (message: ServerMessage) => {
          messages.push(message);
          if (message.type === 'trace') conns.add(message.conn);
          // Each client's first request has crossed the wire, and the run was told where it stands.
          if (conns.size === 2 && messages.some((each) => each.type === 'traffic')) resolve();
        });
      });
      const stopAhead = new AbortController();
      const first = ahead.runTraffic(1000, stopAhead.signal);
      let secondDone = false;
      const second = waiting.runTraffic(3).finally(() => (secondDone = true));
      await heard;
      expect(messages.filter((message) => message.type === 'traffic')).toEqual([{ type: 'traffic', sandbox: waiting.id, waiting: 0 }]);
      expect(budget.load).toEqual({ running: 1, waiting: 1, inUseRps: 10 });
      expect(secondDone).toBe(false);

      stopAhead.abort();
      await first;
      const { edges } = await second;
      expect(edges.map((edge) => [edge.requests, edge.ok])).toEqual([[3, 3], [3, 3]]);
      expect(messages.filter((message) => message.type === 'traffic').at(-1)).toEqual({ type: 'traffic', sandbox: waiting.id, waiting: null });
      expect(budget.load).toEqual({ running: 0, waiting: 0, inUseRps: 0 });
    } finally {
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
