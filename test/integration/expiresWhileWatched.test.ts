/**
 * Certificates over time: a running service's certificate is re-issued live with `notAfter:
 * +6s` and expires while its caller keeps calling. Every handshake that presents it up to that
 * second is served; from then on the caller refuses it, and the trace's verdict says
 * expired-cert. Each request is a fresh handshake (no keep-alive, no resumption): an open
 * connection or a resumed session is not checked again, which is why real outages start at the
 * next full handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrace, verdictsForSandbox } from '../../server/explain/index.js';
import { fieldValue, type TraceEvent } from '../../server/explain/traceEvent.js';
import { startSandbox, type ProcessEvent, type Sandbox } from '../../server/runtime/index.js';
import { healthyLab } from './runtimeHelpers.js';

const lab = healthyLab({ id: 'expires-while-watched', client: { rps: 10, pool: { keepAlive: false, sessionResumption: false } } });
const shortLived = structuredClone(lab);
shortLived.pki['auth-server']!.validity = { notBefore: '-1h', notAfter: '+6s' };

let sandbox: Sandbox;
const processEvents: ProcessEvent[] = [];
beforeAll(async () => {
  sandbox = await startSandbox(lab);
  sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
});
afterAll(() => sandbox?.stop());

describe('a certificate that expires while its caller watches', () => {
  it('serves every handshake up to its notAfter and refuses each one after it', { timeout: 90_000 }, async () => {
    await sandbox.reconfigure(shortLived);
    // Bounded: 5 requests a round for at most 60 rounds, far past a 6 s certificate.
    let refusedOnce = false;
    for (let round = 0; round < 60 && !refusedOnce; round++) {
      const [edge] = await sandbox.runTraffic({ requests: 5 });
      refusedOnce = (edge!.clientErrors.CERT_HAS_EXPIRED?.count ?? 0) > 0;
    }
    expect(refusedOnce, 'no handshake was refused within 60 rounds of a 6 s certificate').toBe(true);
    await sandbox.stop();

    const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents });
    const eventsOf = (conn: number): TraceEvent[] => trace.filter((e) => e.conn === conn);
    const notAfterOf = (conn: number): string | undefined => fieldValue(eventsOf(conn).find((e) => e.type === 'Certificate' && e.dir === 's2c')?.fields, 'notAfter');
    const openedAt = (conn: number): number => Date.parse(fieldValue(eventsOf(conn).find((e) => e.type === 'tcp-open')?.fields, 'openedAt') ?? '');
    const verdicts = verdictsForSandbox(trace).verdicts;

    // The connections that met the short-lived certificate: the latest notAfter on the wire is the old one's, the earliest the new one's.
    const conns = [...new Set(trace.filter((e) => e.conn > 0).map((e) => e.conn))];
    const notAfter = conns.map(notAfterOf).filter((value) => value !== undefined).sort()[0]!;
    const met = conns.filter((conn) => notAfterOf(conn) === notAfter);
    const refused = met.filter((conn) => verdicts.some((v) => v.conn === conn));
    const served = met.filter((conn) => !refused.includes(conn));
    expect(served.length, 'no handshake presented the new certificate before it expired').toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // notAfter is whole seconds; a connection's open time is the tap's, a moment before its handshake.
    for (const conn of served) expect(openedAt(conn)).toBeLessThan(Date.parse(notAfter) + 1000);
    for (const conn of refused) {
      expect(openedAt(conn)).toBeGreaterThan(Date.parse(notAfter) - 1000);
      expect(verdicts.find((v) => v.conn === conn)).toMatchObject({ rootCause: 'expired-cert', detectedBy: 'client' });
    }
  });
});
