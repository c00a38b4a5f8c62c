/**
 * Live changes on a running sandbox (Sandbox.reconfigure), with real peers: a certificate
 * re-issued and hot-swapped while a caller holds a keep-alive connection open, an s_server
 * restarted inside its own service process, a client's certificate broken and mended — and
 * every process the change does not touch keeps its pid.
 *
 *   test's https.Agent (keep-alive) ─┐
 *   openssl s_client, curl ──────────┼─▶ tap ⇄ auth (node | s_server)
 *   sandbox client payments ─────────┘
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { buildTrace, type TraceEvent } from '../../server/explain/index.js';
import { certificateChain } from '../../server/explain/certificateFacts.js';
import { applyFaults } from '../../server/faults/index.js';
import type { LabSpec } from '../../server/lab/schema.js';
import type { ProcessEvent, Sandbox } from '../../server/runtime/index.js';
import { waitFor } from '../helpers/waitFor.js';
import { curl, healthyLab, labSpec, refuses, sandboxStarter, sClient } from './runtimeHelpers.js';

const start = sandboxStarter();

/** The lab with one certificate renewed: a new notAfter, so a new certificate with a new serial. */
function renewed(spec: LabSpec, cert: string): LabSpec {
  const next = structuredClone(spec);
  next.pki[cert]!.validity = { ...next.pki[cert]!.validity, notAfter: '+45d' };
  return next;
}

/** Hex digits only, lower-case, no leading zeros: Node's `serialNumber` and the decoder's `aa:bb` alike. */
const serial = (value: string | undefined): string => (value ?? '').replaceAll(':', '').toLowerCase().replace(/^0+/, '');

/** A GET on `agent`; resolves with the socket it went over and the body. */
async function get(sandbox: Sandbox, agent: https.Agent): Promise<{ socket: TLSSocket; body: string; reused: boolean }> {
  const auth = sandbox.describe().services.auth!;
  const req = https.request({ agent, host: auth.address, port: auth.port, servername: auth.host, headers: { host: auth.host } });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.setEncoding('utf8');
  let body = '';
  res.on('data', (chunk: string) => (body += chunk));
  await once(res, 'end');
  return { socket: req.socket as TLSSocket, body, reused: req.reusedSocket };
}

function payments(sandbox: Sandbox): https.Agent {
  const client = sandbox.describe().clients.payments!;
  return new https.Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(client.trust!), cert: readFileSync(client.cert!), key: readFileSync(client.key!) });
}

/** Each connection's server certificate serial, as the trace decoded it from the bytes. */
function servedSerials(sandbox: Sandbox, processEvents: readonly ProcessEvent[]): Map<number, string> {
  const trace: TraceEvent[] = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents });
  const serials = new Map<number, string>();
  for (const event of trace) {
    if (event.type === 'Certificate' && event.dir === 's2c') serials.set(event.conn, serial(certificateChain(event.fields)[0]?.serialNumber));
  }
  return serials;
}

/** The first PEM block of a file: a service's leaf. */
const leafPem = (file: string): string => /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(readFileSync(file, 'utf8'))![0];

async function closed(sandbox: Sandbox): Promise<void> {
  await waitFor('every connection through the tap to close', () => sandbox.tap.connections.every((conn) => conn.closedAt !== undefined));
}

describe('a live certificate rotation', () => {
  it('keeps an open keep-alive connection on the old certificate, gives each new handshake the new one, and keeps the service pid', async () => {
    const spec = healthyLab({ id: 'live-rotation' });
    const sandbox = await start(spec);
    const processEvents: ProcessEvent[] = [];
    sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
    const before = sandbox.describe();
    const agent = payments(sandbox);

    const first = await get(sandbox, agent);
    expect(first.body).toMatch(/^hello from auth; you are CN=payments-client/);
    const oldSerial = serial(first.socket.getPeerCertificate().serialNumber);

    const change = await sandbox.reconfigure(renewed(spec, 'auth-server'));
    expect(change).toEqual({ reissued: ['auth-server'], services: { auth: 'reloaded' }, clients: [] });

    // The pooled connection carries on, on the identity it was made with.
    const again = await get(sandbox, agent);
    expect(again.reused).toBe(true);
    expect(again.socket.localPort).toBe(first.socket.localPort);
    expect(again.body).toMatch(/^hello from auth/);
    expect(serial(again.socket.getPeerCertificate().serialNumber)).toBe(oldSerial);

    // New handshakes: a fresh Node agent and openssl s_client both meet the new certificate.
    const fresh = payments(sandbox);
    const third = await get(sandbox, fresh);
    expect(third.reused).toBe(false);
    const newSerial = serial(third.socket.getPeerCertificate().serialNumber);
    expect(newSerial).not.toBe(oldSerial);
    const description = sandbox.describe();
    const byHand = await sClient(description.services.auth!, description.clients.payments);
    expect(byHand.output).toContain('Verify return code: 0 (ok)');
    expect(byHand.output).toContain('hello from auth');

    agent.destroy();
    fresh.destroy();
    await closed(sandbox);
    const serials = [...servedSerials(sandbox, processEvents).values()];
    expect(serials).toEqual([oldSerial, newSerial, newSerial]);
    expect(description.pids).toEqual(before.pids);
  });

  it('restarts only s_server inside its service process for an openssl service, and leaves the other service alone', async () => {
    const spec = labSpec({
      id: 'live-openssl',
      pki: {
        'corp-root': { ca: true },
        'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
        'www-server': { issuer: 'corp-root', san: ['dns:www.corp.test'], eku: ['serverAuth'] },
        'payments-client': { issuer: 'corp-root', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'], eku: ['clientAuth'] },
      },
      services: {
        auth: { host: 'auth.corp.test', stack: 'openssl', cert: 'auth-server', trust: ['corp-root'] },
        www: { host: 'www.corp.test', cert: 'www-server', clientAuth: 'none' },
      },
      clients: {
        payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'] },
        browser: { calls: 'www', trust: ['corp-root'] },
      },
    });
    const sandbox = await start(spec);
    const before = sandbox.describe();
    const oldLeaf = leafPem(before.services.auth!.cert);

    const change = await sandbox.reconfigure(renewed(spec, 'auth-server'));
    expect(change).toEqual({ reissued: ['auth-server'], services: { auth: 'reloaded' }, clients: [] });
    const after = sandbox.describe();
    expect(after.services.auth!.pid).toBe(before.services.auth!.pid);
    expect(after.services.auth!.opensslPid).not.toBe(before.services.auth!.opensslPid);
    expect(after.services.www!.pid).toBe(before.services.www!.pid);
    expect(after.clients).toEqual(before.clients);

    const peer = await sClient(after.services.auth!, after.clients.payments);
    expect(peer.output).toContain('Verify return code: 0 (ok)');
    // s_client prints the certificate it was served: the file rewritten in place, not the one before.
    const newLeaf = leafPem(after.services.auth!.cert);
    expect(newLeaf).not.toBe(oldLeaf);
    expect(peer.output).toContain(newLeaf);
    const edges = await sandbox.runTraffic({ requests: 2 });
    expect(edges.map((edge) => `${edge.client} ${edge.ok}/${edge.requests}`)).toEqual(['payments 2/2', 'browser 2/2']);
  });

  it('breaks a client certificate live and mends it: only that client takes a new context, the services keep their pids', async () => {
    const spec = healthyLab({ id: 'live-client' });
    const sandbox = await start(spec);
    const before = sandbox.describe();

    const broken = await sandbox.reconfigure(applyFaults(spec, [{ kind: 'expired-cert', target: 'payments-client', params: {} }]));
    expect(broken).toEqual({ reissued: ['payments-client'], services: {}, clients: ['payments'] });
    const [failing] = await sandbox.runTraffic({ requests: 1 });
    expect(failing!.ok).toBe(0);
    expect(Object.keys(failing!.serverErrors)).toEqual(['CERT_HAS_EXPIRED']);

    const mended = await sandbox.reconfigure(spec);
    expect(mended).toEqual({ reissued: ['payments-client'], services: {}, clients: ['payments'] });
    const [healed] = await sandbox.runTraffic({ requests: 1 });
    expect(healed!.ok).toBe(1);
    expect(sandbox.describe().pids).toEqual(before.pids);
  });

  it('replaces only the service whose mode changes: a new process behind the same tap port', async () => {
    const spec = healthyLab({ id: 'live-mode' });
    const sandbox = await start(spec);
    const before = sandbox.describe();
    const change = await sandbox.reconfigure(applyFaults(spec, [{ kind: 'permissive-mode', target: 'auth', params: {} }]));
    expect(change).toEqual({ reissued: [], services: { auth: 'restarted' }, clients: [] });
    const after = sandbox.describe();
    expect(after.services.auth!.pid).not.toBe(before.services.auth!.pid);
    expect(after.services.auth!.port).toBe(before.services.auth!.port);
    expect(after.clients.payments!.pid).toBe(before.clients.payments!.pid);
    expect((await curl(after.services.auth!, {}, 'http')).output).toBe('hello from auth; no client certificate (plaintext HTTP)\n');
  });

  it('takes a service whose TLS stack refuses its new key off its address, and starts it again when the key is mended', async () => {
    const spec = healthyLab({ id: 'live-key' });
    const sandbox = await start(spec);
    const before = sandbox.describe();
    const broken = await sandbox.reconfigure(applyFaults(spec, [{ kind: 'key-mismatch', target: 'auth', params: {} }]));
    expect(broken.services).toEqual({ auth: 'reloaded' });
    const refused = sandbox.describe().services.auth!;
    expect(refused.startError).toMatch(/^ERR_OSSL_X509_KEY_VALUES_MISMATCH: /);
    expect(await refuses(refused.address, refused.port)).toBe(true);

    const mended = await sandbox.reconfigure(spec);
    expect(mended.services).toEqual({ auth: 'restarted' });
    const after = sandbox.describe();
    expect(after.services.auth!.startError).toBeUndefined();
    expect(after.services.auth!.port).toBe(before.services.auth!.port);
    expect(after.clients.payments!.pid).toBe(before.clients.payments!.pid);
    const [edge] = await sandbox.runTraffic({ requests: 1 });
    expect(edge!.ok).toBe(1);
  });

  it('drains the connections a stricter policy no longer admits: an anonymous keep-alive caller is closed, then refused at its next handshake', async () => {
    const spec = healthyLab({ id: 'live-drain', service: { clientAuth: 'optional' } });
    const sandbox = await start(spec);
    const pid = sandbox.describe().services.auth!.pid;
    const anonymous = new https.Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(sandbox.describe().clients.payments!.trust!) });
    const served = await get(sandbox, anonymous);
    expect(served.body).toMatch(/no client certificate/);

    const closedByService = once(served.socket, 'close');
    const strict = structuredClone(spec);
    strict.services.auth!.clientAuth = 'require';
    await sandbox.reconfigure(strict);
    // At once, well inside Node's 5 s keep-alive: undrained, the agent would reuse the socket and be served.
    await expect(get(sandbox, anonymous)).rejects.toThrow(/certificate required|socket hang up|ECONNRESET/);
    // Idle when the policy changed: the service closed it, as a proxy drains a listener.
    await closedByService;
    expect(sandbox.describe().services.auth!.pid).toBe(pid);
    anonymous.destroy();
  });

  it('refuses a change of the lab\'s services or edges, and changes nothing', async () => {
    const spec = healthyLab({ id: 'live-topology' });
    const sandbox = await start(spec);
    const fewer = structuredClone(spec);
    delete fewer.clients.payments;
    await expect(sandbox.reconfigure(fewer)).rejects.toThrow('clients: a running sandbox keeps its clients (payments), got (none)');
    const [edge] = await sandbox.runTraffic({ requests: 1 });
    expect(edge!.ok).toBe(1);
  });
});
