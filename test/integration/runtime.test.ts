/**
 * Sandboxes on Node's TLS stack, checked with real peers: the lab's own client processes,
 * `openssl s_client` and `curl`, all through the tap.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../server/runtime/index.js';
import { curl, healthyLab, labSpec, processGone, refuses, sClient, sandboxStarter } from './runtimeHelpers.js';

const start = sandboxStarter();

describe('a healthy lab (root → auth-server, payments-client; clientAuth require)', () => {
  it('serves every request of the lab client, and the service names the client it saw', async () => {
    const sandbox = await start(healthyLab());
    const [edge] = await sandbox.runTraffic({ requests: 5 });
    expect(edge).toMatchObject({ client: 'payments', service: 'auth', requests: 5, ok: 5, failed: 0, timeouts: 0, clientErrors: {}, serverErrors: {} });
    expect(edge!.statusCodes).toEqual({ 200: 5 });
    expect(edge!.sample).toBe('hello from auth; you are CN=payments-client, URI:spiffe://corp.test/ns/pay/sa/payments\n');
    expect(edge!.handshakes + edge!.resumed).toBeGreaterThanOrEqual(1);
    expect(sandbox.tap.connections.length).toBe(edge!.handshakes + edge!.resumed);
    // TLS 1.3 secrets from both ends: client and server each log 5 lines per connection.
    expect(sandbox.keylog.filter((line) => line.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET')).length).toBe(2 * sandbox.tap.connections.length);
  });

  it('lets openssl s_client and curl in through the described port with the client material', async () => {
    const sandbox = await start(healthyLab());
    const { services, clients } = sandbox.describe();
    const service = services.auth!;
    const client = clients.payments!;
    expect(service.url).toBe(`https://auth.corp.test:${service.port}/`);
    expect(service.resolve).toBe(`auth.corp.test:${service.port}:${sandbox.address}`);

    const openssl = await sClient(service, client);
    expect(openssl.output).toContain('Verify return code: 0 (ok)');
    expect(openssl.output).toContain('hello from auth; you are CN=payments-client, URI:spiffe://corp.test/ns/pay/sa/payments');

    const viaCurl = await curl(service, client);
    expect(viaCurl.code).toBe(0);
    expect(viaCurl.output).toBe('hello from auth; you are CN=payments-client, URI:spiffe://corp.test/ns/pay/sa/payments\n');
    expect(sandbox.tap.connections.length).toBe(2);
  });
});

describe('clientAuth require', () => {
  it('answers a missing client certificate with the real alert certificate_required (116)', async () => {
    const sandbox = await start(
      labSpec({
        id: 'no-client-cert',
        pki: {
          'corp-root': { ca: true },
          'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'] },
        },
        services: { auth: { host: 'auth.corp.test', cert: 'auth-server', clientAuth: 'require', trust: ['corp-root'] } },
        clients: { payments: { calls: 'auth', trust: ['corp-root'], rps: 50 } },
      }),
    );
    const [edge] = await sandbox.runTraffic({ requests: 3 });
    expect(edge!.ok).toBe(0);
    expect(Object.keys(edge!.clientErrors)).toEqual(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);
    expect(edge!.clientErrors.ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED!.count).toBe(3);
    expect(edge!.alertsReceived).toEqual(['certificate_required (116)']);
    expect(edge!.serverErrors.ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE?.count).toBe(3);

    const { services, clients } = sandbox.describe();
    const viaCurl = await curl(services.auth!, { trust: clients.payments!.trust });
    expect(viaCurl.code).toBe(56);
    expect(viaCurl.output).toContain('alert certificate required');
  });

  it("reports Node's real reason for a certificate from an unknown CA", async () => {
    const sandbox = await start(
      healthyLab({
        id: 'unknown-ca',
        pki: {
          'rogue-root': { ca: true },
          'payments-client': { issuer: 'rogue-root', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'] },
        },
      }),
    );
    const [edge] = await sandbox.runTraffic({ requests: 2 });
    expect(edge!.ok).toBe(0);
    // Node closes the connection without an alert: the client sees only a reset…
    expect(Object.keys(edge!.clientErrors)).toEqual(['ECONNRESET']);
    expect(edge!.alertsReceived).toEqual([]);
    // …but the service logs why.
    expect(edge!.serverErrors).toEqual({ UNABLE_TO_VERIFY_LEAF_SIGNATURE: { count: 2, message: 'unable to verify the first certificate' } });
  });
});

describe('clientAuth optional', () => {
  it('lets a caller without a certificate in and says so', async () => {
    const sandbox = await start(healthyLab({ id: 'optional', service: { clientAuth: 'optional' }, client: { cert: undefined } }));
    const [edge] = await sandbox.runTraffic({ requests: 2 });
    expect(edge).toMatchObject({ ok: 2, clientErrors: {}, serverErrors: {} });
    expect(edge!.sample).toBe('hello from auth; no client certificate\n');
  });

  it('still rejects a certificate that does not verify', async () => {
    const sandbox = await start(
      healthyLab({
        id: 'optional-bad',
        service: { clientAuth: 'optional' },
        pki: { 'payments-client': { issuer: 'corp-root', validity: { notBefore: '-30d', notAfter: '-1d' } } },
      }),
    );
    const [edge] = await sandbox.runTraffic({ requests: 1 });
    expect(edge!.ok).toBe(0);
    expect(Object.keys(edge!.serverErrors)).toEqual(['CERT_HAS_EXPIRED']);
  });
});

describe('mode permissive', () => {
  it('serves plaintext and mTLS on one port, while the strict twin refuses plaintext', async () => {
    const permissive = await start(healthyLab({ id: 'permissive', service: { mode: 'permissive' } }));
    const strict = await start(healthyLab({ id: 'strict' }));
    const plain = await curl(permissive.describe().services.auth!, {}, 'http');
    expect(plain.code).toBe(0);
    expect(plain.output).toBe('hello from auth; no client certificate (plaintext HTTP)\n');
    const [edge] = await permissive.runTraffic({ requests: 2 });
    expect(edge!.ok).toBe(2);
    expect(edge!.sample).toContain('you are CN=payments-client');

    const refused = await curl(strict.describe().services.auth!, {}, 'http');
    expect(refused.code).not.toBe(0);
    expect(refused.output).not.toContain('hello');
  });

  it('a plaintext client of a strict service fails, and the service logs the plaintext it got', async () => {
    const sandbox = await start(healthyLab({ id: 'plaintext-client', client: { protocol: 'plaintext', cert: undefined } }));
    const [edge] = await sandbox.runTraffic({ requests: 1 });
    expect(edge!.ok).toBe(0);
    expect(Object.keys(edge!.serverErrors)).toEqual(['ERR_SSL_HTTP_REQUEST']);
  });
});

describe('the client pool', () => {
  it('resumes TLS sessions on new connections, unless session resumption is off', async () => {
    const pool = { keepAlive: false, maxSockets: 1 };
    const resuming = await start(healthyLab({ id: 'resumption', client: { rps: 20, pool: { ...pool, sessionResumption: true } } }));
    const [resumed] = await resuming.runTraffic({ requests: 4 });
    expect(resumed).toMatchObject({ ok: 4, handshakes: 1, resumed: 3, handshakesPerRequest: 0.25 });

    const fresh = await start(healthyLab({ id: 'no-resumption', client: { rps: 20, pool: { ...pool, sessionResumption: false } } }));
    const [full] = await fresh.runTraffic({ requests: 4 });
    expect(full).toMatchObject({ ok: 4, handshakes: 4, resumed: 0, handshakesPerRequest: 1 });
  });

  it('counts requests that wait longer than timeoutMs as timeouts, and how deep the queue got', async () => {
    const sandbox = await start(
      healthyLab({ id: 'slow', service: { latencyMs: 400 }, client: { rps: 100, pool: { maxSockets: 1, timeoutMs: 200 } } }),
    );
    const [edge] = await sandbox.runTraffic({ requests: 3 });
    expect(edge).toMatchObject({ requests: 3, ok: 0, failed: 0, timeouts: 3 });
    expect(Object.keys(edge!.clientErrors)).toEqual(['ETIMEDOUT']);
    expect(edge!.maxQueueDepth).toBeGreaterThanOrEqual(1);
    expect(edge!.latencyMs.max).toBeGreaterThanOrEqual(200);
  });
});

describe('sandboxes', () => {
  it('run side by side: two of the same lab on their own address and ports', async () => {
    const [a, b] = await Promise.all([start(healthyLab()), start(healthyLab())]);
    const da = a.describe();
    const db = b.describe();
    expect(da.dir).not.toBe(db.dir);
    expect(`${da.address}:${da.services.auth!.port}`).not.toBe(`${db.address}:${db.services.auth!.port}`);
    const [ra, rb] = await Promise.all([a.runTraffic({ requests: 3 }), b.runTraffic({ requests: 3 })]);
    expect(ra[0]!.ok).toBe(3);
    expect(rb[0]!.ok).toBe(3);
  });

  it('stop() leaves no process, no listening port and no directory, and can be called again', async () => {
    const sandbox = await startSandbox(healthyLab());
    const description = sandbox.describe();
    await sandbox.runTraffic({ requests: 2 });
    await sandbox.stop();
    for (const pid of description.pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const pid of description.pids) expect(processGone(pid)).toBe(true);
    const service = description.services.auth!;
    expect(await refuses(description.address, service.port)).toBe(true);
    expect(await refuses(description.address, service.internalPort)).toBe(true);
    expect(existsSync(description.dir)).toBe(false);
    await sandbox.stop();
  });
});
