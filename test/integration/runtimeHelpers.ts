/**
 * Labs for the runtime's tests, written as in a lab file and run through the real schema so
 * every default is the one labs get; and the real peers (openssl, curl) pointed at them.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import * as v from 'valibot';
import { LabSchema, type LabSpec } from '../../server/lab/schema.js';
import { afterEach } from 'vitest';
import { startSandbox, type ClientDescription, type Sandbox, type ServiceDescription } from '../../server/runtime/index.js';
import { runPeer, type PeerResult } from '../helpers/peers.js';
import { waitFor } from '../helpers/waitFor.js';

export function labSpec(lab: { id?: string; pki: Record<string, unknown>; services: Record<string, unknown>; clients?: Record<string, unknown> }): LabSpec {
  return v.parse(LabSchema, {
    id: lab.id ?? 'runtime-test',
    title: 'runtime test',
    level: 'beginner',
    minutes: 1,
    pki: lab.pki,
    services: lab.services,
    clients: lab.clients ?? {},
    scenario: { symptom: '-', question: '-', answer: 'none', distractors: { 'expired-cert': 'every date is good' }, explain: '-' },
  });
}

/** root → auth-server, payments-client; service `auth` requires a client certificate. */
export function healthyLab(overrides: { id?: string; service?: Record<string, unknown>; client?: Record<string, unknown>; pki?: Record<string, unknown> } = {}): LabSpec {
  return labSpec({
    id: overrides.id ?? 'healthy',
    pki: {
      'corp-root': { ca: true, validity: { notAfter: '+10y' } },
      'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
      'payments-client': { issuer: 'corp-root', san: ['uri:spiffe://corp.test/ns/pay/sa/payments'], eku: ['clientAuth'] },
      ...overrides.pki,
    },
    services: { auth: { host: 'auth.corp.test', cert: 'auth-server', clientAuth: 'require', trust: ['corp-root'], ...overrides.service } },
    clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'], rps: 50, ...overrides.client } },
  });
}

/** `openssl s_client` sending one HTTP/1.0 request; -ign_eof keeps it reading until the server closes, so a TLS 1.3 alert that follows the handshake is read and printed. */
export function sClient(service: ServiceDescription, client: Partial<ClientDescription> = {}): Promise<PeerResult> {
  const args = ['s_client', '-connect', `${service.address}:${service.port}`, '-servername', service.host, '-ign_eof'];
  if (client.trust) args.push('-CAfile', client.trust);
  if (client.cert && client.key) args.push('-cert', client.cert, '-key', client.key);
  if (client.chain) args.push('-cert_chain', client.chain);
  return runPeer('openssl', args, `GET / HTTP/1.0\r\nHost: ${service.host}\r\n\r\n`);
}

export function curl(service: ServiceDescription, client: Partial<ClientDescription> = {}, scheme: 'https' | 'http' = 'https'): Promise<PeerResult> {
  const args = ['-sS', '--max-time', '10', '--resolve', service.resolve, `${scheme}://${service.host}:${service.port}/`];
  if (client.trust) args.push('--cacert', client.trust);
  if (client.cert && client.key) args.push('--cert', client.cert, '--key', client.key);
  return runPeer('curl', args);
}

/** True when nothing accepts connections on address:port any more. */
export function refuses(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/**
 * True when the process is gone. A zombie counts as gone: it has exited and holds nothing;
 * reaping an orphan is PID 1's job, and this machine's PID 1 does it only every second or so.
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Polls real state (see waitFor) until `check` holds, for at most `limitMs`; says whether it did. */
export function eventually(check: () => boolean | Promise<boolean>, limitMs = 5000): Promise<boolean> {
  return waitFor('a state change', check, limitMs).then(() => true, () => false);
}

/** `start(spec)` for a test file: each sandbox it starts is stopped after the test that started it. */
export function sandboxStarter(): (spec: LabSpec) => Promise<Sandbox> {
  const running: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.stop()));
  });
  return async (spec) => {
    const sandbox = await startSandbox(spec);
    running.push(sandbox);
    return sandbox;
  };
}

/** This process's children started as warm processes: running a service or client entry with no config on their command line. */
export function warmChildren(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (/(serviceMain|clientMain)\.[jt]s$/.test(argv.at(-1) ?? '')) pids.push(Number(pid));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}
