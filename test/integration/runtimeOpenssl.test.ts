/**
 * Services on `openssl s_server` (stack openssl): the real alerts a bad client certificate
 * gets, as openssl s_client and the lab's own Node client see them.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../server/runtime/index.js';
import { healthyLab, processGone, sClient, sandboxStarter } from './runtimeHelpers.js';

const start = sandboxStarter();

const expiredClient = { 'payments-client': { issuer: 'corp-root', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'], validity: { notBefore: '-30d', notAfter: '-1d' } } };

describe('stack openssl', () => {
  it('serves a valid client and shows the certificate it got', async () => {
    const sandbox = await start(healthyLab({ id: 'openssl-healthy', service: { stack: 'openssl' } }));
    const { services, clients } = sandbox.describe();
    expect(services.auth!.opensslPid).toBeGreaterThan(0);
    const [edge] = await sandbox.runTraffic({ requests: 3 });
    expect(edge).toMatchObject({ ok: 3, clientErrors: {}, serverErrors: {} });
    expect(edge!.sample).toContain('Client certificate');
    expect(edge!.sample).toContain('CN=payments-client');
    const openssl = await sClient(services.auth!, clients.payments!);
    expect(openssl.output).toContain('Verify return code: 0 (ok)');
    expect(openssl.output).toContain('HTTP/1.0 200 ok');
    // s_server's own key log, tailed into the sandbox's.
    expect(sandbox.keylog.length).toBeGreaterThanOrEqual(10);
  });

  it('answers an expired client certificate with the real alert certificate_expired (45)', async () => {
    const sandbox = await start(healthyLab({ id: 'openssl-expired', service: { stack: 'openssl' }, pki: expiredClient }));
    const { services, clients } = sandbox.describe();
    const openssl = await sClient(services.auth!, clients.payments!);
    expect(openssl.output).toContain('alert certificate expired');
    expect(openssl.output).toContain('SSL alert number 45');

    const [edge] = await sandbox.runTraffic({ requests: 2 });
    expect(edge!.ok).toBe(0);
    expect(Object.keys(edge!.clientErrors)).toEqual(['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED']);
    expect(edge!.alertsReceived).toEqual(['certificate_expired (45)']);
    expect(edge!.serverErrors.CERT_HAS_EXPIRED?.message).toBe('certificate has expired');
  });

  it('answers a missing client certificate with certificate_required (116)', async () => {
    const sandbox = await start(healthyLab({ id: 'openssl-no-cert', service: { stack: 'openssl' }, client: { cert: undefined } }));
    const [edge] = await sandbox.runTraffic({ requests: 1 });
    expect(edge!.alertsReceived).toEqual(['certificate_required (116)']);
    expect(Object.keys(edge!.serverErrors)).toEqual(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE']);
  });

  it('stop() takes s_server down with its service process', async () => {
    const sandbox = await startSandbox(healthyLab({ id: 'openssl-stop', service: { stack: 'openssl' } }));
    const { pids, services } = sandbox.describe();
    expect(pids).toContain(services.auth!.opensslPid);
    await sandbox.stop();
    for (const pid of pids) expect(processGone(pid)).toBe(true);
  });

  it("keeps the secrets s_server logged as the stop began, which its service process could no longer pass on", async () => {
    const sandbox = await startSandbox(healthyLab({ id: 'openssl-late-keys', service: { stack: 'openssl' } }));
    const line = `CLIENT_TRAFFIC_SECRET_0 ${'ab'.repeat(32)} ${'cd'.repeat(32)}`;
    const stopping = sandbox.stop();
    // The stop has closed every service's channel by now: this line reaches the sandbox only from the file.
    appendFileSync(join(sandbox.describe().dir, 'service-auth.keylog'), `${line}\n`);
    await stopping;
    expect(sandbox.keylog).toContain(line);
    expect(sandbox.keylog.filter((each) => each === line)).toHaveLength(1);
  });
});
