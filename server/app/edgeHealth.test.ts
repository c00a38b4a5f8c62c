import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../runtime/index.js';
import type { RequestResult } from '../runtime/messages.js';
import { EdgeHealthMeter } from './edgeHealth.js';
import type { EdgeRate } from './protocol.js';

/** Only what the meter reads of a sandbox: its topology and its events. */
function sandboxWith(clients: Record<string, string>): Sandbox & { events: EventEmitter } {
  const events = new EventEmitter();
  const described = { clients: Object.fromEntries(Object.entries(clients).map(([name, calls]) => [name, { calls }])) };
  return { events, describe: () => described } as unknown as Sandbox & { events: EventEmitter };
}

/** The scanner, a plaintext caller, must be refused; the rest answered. */
const expectationOf = (client: string) =>
  client === 'scanner' ? { expect: 'refused' as const, why: 'a plaintext caller must be refused: payments requires mTLS' } : { expect: 'ok' as const, why: 'every request must be answered' };

const result = (overrides: Partial<RequestResult>): RequestResult => ({ runId: 1, seq: 0, ok: true, latencyMs: 10, timedOut: false, tls: 'full', queueDepth: 0, ...overrides });

describe('EdgeHealthMeter', () => {
  it('sends the run\'s totals per edge when it stops, beside what the edge must do: outcomes, how each request got its connection, queueing, median latency', () => {
    const sandbox = sandboxWith({ checkout: 'payments', scanner: 'payments' });
    const sent: Array<{ edges: EdgeRate[]; final: boolean }> = [];
    const meter = new EdgeHealthMeter(sandbox, expectationOf, (edges, final) => sent.push({ edges, final }), 60_000);
    meter.start();
    sandbox.events.emit('request-result', 'checkout', result({ tls: 'full', latencyMs: 30, queueDepth: 3 }));
    sandbox.events.emit('request-result', 'checkout', result({ tls: 'reused', latencyMs: 10 }));
    sandbox.events.emit('request-result', 'checkout', result({ tls: 'resumed', latencyMs: 20, queueDepth: 1 }));
    sandbox.events.emit('request-result', 'checkout', result({ ok: false, timedOut: true, tls: 'none', latencyMs: 2000, queueDepth: 7 }));
    sandbox.events.emit('request-result', 'nobody', result({}));
    meter.stop();
    expect(sent).toEqual([
      {
        final: true,
        edges: [
          { client: 'checkout', service: 'payments', expect: 'ok', why: 'every request must be answered', ok: 3, failed: 1, timeouts: 1, handshakes: 1, resumed: 1, reused: 1, maxQueueDepth: 7, p50Ms: 20 },
          { client: 'scanner', service: 'payments', expect: 'refused', why: 'a plaintext caller must be refused: payments requires mTLS', ok: 0, failed: 0, timeouts: 0, handshakes: 0, resumed: 0, reused: 0, maxQueueDepth: 0, p50Ms: null },
        ],
      },
    ]);
  });

  it('counts nothing once stopped', () => {
    const sandbox = sandboxWith({ checkout: 'payments' });
    const sent: EdgeRate[][] = [];
    const meter = new EdgeHealthMeter(sandbox, expectationOf, (edges) => sent.push(edges), 60_000);
    meter.start();
    meter.stop();
    sandbox.events.emit('request-result', 'checkout', result({}));
    expect(sandbox.events.listenerCount('request-result')).toBe(0);
    expect(sent).toHaveLength(1);
  });
});
