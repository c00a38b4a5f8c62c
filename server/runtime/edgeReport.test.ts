import { describe, expect, it } from 'vitest';
import { buildEdgeReport } from './edgeReport.js';
import type { RequestResult } from './messages.js';

const result = (overrides: Partial<RequestResult>): RequestResult => ({
  runId: 1,
  seq: 0,
  ok: true,
  status: 200,
  latencyMs: 1,
  timedOut: false,
  tls: 'reused',
  queueDepth: 0,
  ...overrides,
});

describe('buildEdgeReport', () => {
  it('counts outcomes, handshakes, alerts and latency over the run', () => {
    const alert = { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: '… SSL alert number 116' };
    const report = buildEdgeReport({
      client: 'payments',
      service: 'auth',
      durationMs: 2000,
      serverErrors: [{ code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', message: 'peer did not return a certificate' }],
      results: [
        result({ tls: 'full', latencyMs: 10, body: 'hello' }),
        result({ tls: 'resumed', latencyMs: 2, queueDepth: 3 }),
        result({ ok: false, status: undefined, tls: 'full', latencyMs: 4, error: alert }),
        result({ ok: false, status: undefined, latencyMs: 300, timedOut: true, error: { code: 'ETIMEDOUT', message: 'no response' } }),
      ],
    });
    expect(report).toEqual({
      client: 'payments',
      service: 'auth',
      requests: 4,
      ok: 2,
      failed: 1,
      timeouts: 1,
      clientErrors: { ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: { count: 1, message: alert.message }, ETIMEDOUT: { count: 1, message: 'no response' } },
      serverErrors: { ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: { count: 1, message: 'peer did not return a certificate' } },
      alertsReceived: ['certificate_required (116)'],
      statusCodes: { 200: 2 },
      handshakes: 2,
      resumed: 1,
      handshakesPerRequest: 0.5,
      handshakesPerSecond: 1,
      latencyMs: { p50: 4, p99: 300, max: 300 },
      maxQueueDepth: 3,
      durationMs: 2000,
      sample: 'hello',
    });
  });

  it('reports an empty run as zeros', () => {
    const report = buildEdgeReport({ client: 'c', service: 's', durationMs: 0, serverErrors: [], results: [] });
    expect(report).toMatchObject({ requests: 0, handshakesPerRequest: 0, handshakesPerSecond: 0, latencyMs: { p50: 0, p99: 0, max: 0 } });
    expect(report).not.toHaveProperty('sample');
  });
});
