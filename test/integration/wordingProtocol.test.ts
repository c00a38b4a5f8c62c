/**
 * The catalogue's wording of the port, version and cipher root causes, checked against the
 * real tools on this machine as wording.test.ts does for the certificate ones: a sandbox with
 * the fault (`mtls-lab up`), `openssl s_client`, curl, Node and Python's `ssl` run against it,
 * and what each printed matched against the root cause's entry. Then the same call by hand
 * with `up --capture`, decoded: the verdict comes from the bytes alone.
 *
 *   labs/<id>.yaml ──mtls-lab up──▶ sandbox ◀── s_client | curl | node | python ──▶ output ~ catalogue
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../server/faults/index.js';
import { runCli, upLab, type RunningLab } from '../helpers/cli.js';
import { curl, nodeClient, opensslClient, pythonClient, type PeerResult } from '../helpers/peers.js';
import { matchesWording, withLab, wordingOf, type Tool } from '../helpers/wording.js';

interface ToolCase {
  stack: Stack;
  tool: Tool;
  side: 'detector' | 'peer';
}

/** Each tool as `client` of `service` prints its catalogue entry for `kind`; curl exits `curlExit`. */
function checkTools(title: string, lab: string, at: { service: string; client: string }, kind: string, cases: ToolCase[], curlExit: number, args: string[] = []): void {
  describe(title, () => {
    const running = withLab(lab, args);
    it.each(cases.map((c) => [c.stack, c] as const))(`%s prints its wording of ${kind}`, async (stack, { tool, side }) => {
      const { services, clients } = running().description;
      const { code, output } = await tool(services[at.service]!, clients[at.client]);
      const text = wordingOf(kind, stack)[side];
      expect(text, `${kind}.${stack}.${side}`).toBeDefined();
      expect(matchesWording(output, text!), `${stack} printed:\n${output}\ncatalogue ${kind}.${stack}.${side}: ${text}`).toBe(true);
      if (stack === 'curl') expect(code).toBe(curlExit);
    });
  });
}

const asClient = (side: 'detector' | 'peer'): ToolCase[] => [
  { stack: 'openssl', tool: (service, client) => opensslClient(service, client), side },
  { stack: 'curl', tool: (service, client) => curl(service, client), side },
  { stack: 'node', tool: nodeClient, side },
  { stack: 'python', tool: pythonClient, side },
];

checkTools('a TLS client of a plaintext port (tls-to-plaintext-port)', 'tls-to-plaintext-port', { service: 'ledger', client: 'billing' }, 'tls-to-plaintext-port', asClient('detector'), 35);

/** A plaintext HTTP client of `service` on `stack`: prints the answer's status line, or the error as that stack words it. */
function plaintextClient(stack: 'node' | 'python'): Tool {
  return (service) => {
    const args = JSON.stringify({ address: service.address, port: service.port, host: service.host });
    if (stack === 'node') {
      const script = `const a = JSON.parse(process.argv[1]);
        require('node:http').get({ host: a.address, port: a.port, headers: { host: a.host } }, (res) => { console.log('HTTP ' + res.statusCode); res.resume(); })
          .on('error', (e) => console.log(e.code + ': ' + e.message));`;
      return runTool(process.execPath, ['-e', script, args]);
    }
    const script = [
      'import http.client, json, sys',
      'a = json.loads(sys.argv[1])',
      'try:',
      "    c = http.client.HTTPConnection(a['address'], a['port'], timeout=10)",
      "    c.request('GET', '/', headers={'Host': a['host']})",
      "    print('HTTP', c.getresponse().status)",
      'except Exception as e:',
      "    print(type(e).__name__ + ': ' + str(e))",
    ].join('\n');
    return runTool('python3', ['-c', script, args]);
  };
}

async function runTool(command: string, args: string[]): Promise<PeerResult> {
  const { spawn } = await import('node:child_process');
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output };
}

const plaintextCallers: ToolCase[] = [
  { stack: 'curl', tool: (service) => curl(service, undefined, 'http'), side: 'peer' },
  { stack: 'node', tool: plaintextClient('node'), side: 'peer' },
  { stack: 'python', tool: plaintextClient('python'), side: 'peer' },
];

checkTools('a plaintext caller of a STRICT port on Node (plaintext-to-strict-port)', 'plaintext-to-strict-port', { service: 'catalog', client: 'pricing' }, 'plaintext-to-strict-port', plaintextCallers, 52);
checkTools('a plaintext caller of a STRICT port on openssl s_server', 'wrong-ca', { service: 'ledger', client: 'billing' }, 'plaintext-to-strict-port', plaintextCallers, 52);

interface RunEdge {
  client: string;
  serverErrors: Record<string, { message: string }>;
  clientErrors: Record<string, { message: string }>;
}

/** The lab's own processes, as `run --json` reports them: what the server logged and the client threw. */
async function runEdge(args: string[], client?: string): Promise<RunEdge> {
  const result = await runCli(['run', ...args, '--requests', '1', '--json']);
  expect(result.code, result.stderr).toBe(0);
  const { edges } = JSON.parse(result.stdout) as { edges: RunEdge[] };
  return client === undefined ? edges[0]! : edges.find((edge) => edge.client === client)!;
}

describe('plaintext-to-strict-port: what the server and the lab caller report', () => {
  it("Node's TLS server reports ERR_SSL_HTTP_REQUEST and the lab caller socket hang up", async () => {
    const edge = await runEdge(['plaintext-to-strict-port']);
    expect(Object.keys(edge.serverErrors)).toEqual([wordingOf('plaintext-to-strict-port', 'node').detector]);
    expect(`ECONNRESET: ${edge.clientErrors.ECONNRESET?.message}`).toBe(wordingOf('plaintext-to-strict-port', 'node').peer);
  });

  it('openssl s_server logs http request', async () => {
    const edge = await runEdge(['wrong-ca', '--fix', '--fault', 'plaintext-to-strict-port:billing']);
    const logged = Object.values(edge.serverErrors).map((e) => e.message).join('\n');
    expect(matchesWording(`s_server: ${logged}`, wordingOf('plaintext-to-strict-port', 'openssl').detector!), logged).toBe(true);
  });
});

checkTools('a client that sends its leaf alone, refused by s_server (client-missing-intermediate)', 'client-missing-intermediate', { service: 'vault', client: 'deploy' }, 'client-missing-intermediate', asClient('peer'), 56);

describe('client-missing-intermediate: what the server that refuses it logs', () => {
  it('s_server logs verify error 20, the words of an unknown CA', async () => {
    const edge = await runEdge(['client-missing-intermediate']);
    const wording = wordingOf('client-missing-intermediate', 'openssl').detector!;
    expect(edge.serverErrors.UNABLE_TO_GET_ISSUER_CERT_LOCALLY?.message).toBe('unable to get local issuer certificate');
    expect(wording).toContain('verify error:num=20:unable to get local issuer certificate');
  });

  it('a Node server reports verify error 21 and sends no alert: the caller reads a reset', async () => {
    const edge = await runEdge(['baseline', '--fault', 'client-missing-intermediate:payments'], 'payments');
    expect(Object.keys(edge.serverErrors)).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(wordingOf('client-missing-intermediate', 'node').detector).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

/** Each tool limited to TLS 1.2, as the lab's legacy caller is. */
const asTls12Client: ToolCase[] = [
  { stack: 'openssl', tool: (service, client) => opensslClient(service, client, ['-tls1_2']), side: 'peer' },
  { stack: 'curl', tool: (service, client) => curl(service, client, 'https', ['--tls-max', '1.2']), side: 'peer' },
  { stack: 'node', tool: (service, client) => nodeClient(service, client, { tls12: true }), side: 'peer' },
  { stack: 'python', tool: (service, client) => pythonClient(service, client, { tls12: true }), side: 'peer' },
];

checkTools('a TLS 1.2-only caller of a TLS 1.3-only Node service (protocol-version-mismatch)', 'protocol-version-mismatch', { service: 'warehouse', client: 'reports' }, 'protocol-version-mismatch', asTls12Client, 35);
checkTools('a TLS 1.2-only caller of a TLS 1.3-only s_server (-min_protocol TLSv1.3)', 'wrong-ca', { service: 'ledger', client: 'billing' }, 'protocol-version-mismatch', asTls12Client, 35, ['--fix', '--fault', 'protocol-version-mismatch:ledger']);

describe('protocol-version-mismatch: what the server and the lab caller report', () => {
  it("Node's server reports ERR_SSL_UNSUPPORTED_PROTOCOL and the caller reads alert 70", async () => {
    const edge = await runEdge(['protocol-version-mismatch']);
    expect(Object.keys(edge.serverErrors)).toEqual([wordingOf('protocol-version-mismatch', 'node').detector]);
    expect(Object.values(edge.clientErrors).map((e) => e.message).join('')).toContain('tlsv1 alert protocol version');
  });

  it('a caller able to speak TLS 1.3 is served by the TLS 1.3-only service', async () => {
    const running = await upLab('protocol-version-mismatch');
    try {
      const { services, clients } = running.description;
      expect((await curl(services.warehouse!, clients.reports)).code).toBe(0);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });
});

/** The scanner appliance's offer: TLS 1.2 and ECDHE-ECDSA-AES128-GCM-SHA256 alone. */
const aesOnly = 'ECDHE-ECDSA-AES128-GCM-SHA256';

/** Node's tls.connect or Python's ssl at TLS 1.2 with one cipher: prints the error as each words it. */
function tls12CipherClient(stack: 'node' | 'python'): Tool {
  return (service, client) => {
    const args = JSON.stringify({ address: service.address, port: service.port, host: service.host, trust: client?.trust, cert: client?.cert, key: client?.key, ciphers: aesOnly });
    if (stack === 'node') {
      const script = `const tls = require('node:tls'); const fs = require('node:fs'); const a = JSON.parse(process.argv[1]);
        const s = tls.connect({ host: a.address, port: a.port, servername: a.host, maxVersion: 'TLSv1.2', ciphers: a.ciphers, ca: fs.readFileSync(a.trust), cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key) }, () => { console.log('connected'); s.destroy(); });
        s.on('error', (e) => console.log(e.code + ': ' + e.message));`;
      return runTool(process.execPath, ['-e', script, args]);
    }
    const script = [
      'import json, socket, ssl, sys',
      'a = json.loads(sys.argv[1])',
      "ctx = ssl.create_default_context(cafile=a['trust'])",
      "ctx.load_cert_chain(a['cert'], a['key'])",
      'ctx.maximum_version = ssl.TLSVersion.TLSv1_2',
      "ctx.set_ciphers(a['ciphers'])",
      'try:',
      "    with socket.create_connection((a['address'], a['port']), timeout=10) as raw:",
      "        with ctx.wrap_socket(raw, server_hostname=a['host']) as t:",
      "            print('connected')",
      'except Exception as e:',
      "    print(type(e).__name__ + ': ' + str(e))",
    ].join('\n');
    return runTool('python3', ['-c', script, args]);
  };
}

const asAesOnlyClient: ToolCase[] = [
  { stack: 'openssl', tool: (service, client) => opensslClient(service, client, ['-tls1_2', '-cipher', aesOnly]), side: 'peer' },
  { stack: 'curl', tool: (service, client) => curl(service, client, 'https', ['--tls-max', '1.2', '--ciphers', aesOnly]), side: 'peer' },
  { stack: 'node', tool: tls12CipherClient('node'), side: 'peer' },
  { stack: 'python', tool: tls12CipherClient('python'), side: 'peer' },
];

checkTools('an AES-GCM-only TLS 1.2 caller of a CHACHA20-only Node service (no-shared-cipher)', 'no-shared-cipher', { service: 'gateway', client: 'scanner' }, 'no-shared-cipher', asAesOnlyClient, 35);
checkTools('an AES-GCM-only TLS 1.2 caller of a CHACHA20-only s_server (-cipher)', 'wrong-ca', { service: 'ledger', client: 'billing' }, 'no-shared-cipher', asAesOnlyClient, 35, ['--fix', '--fault', 'no-shared-cipher:ledger']);

describe('no-shared-cipher: what the server reports', () => {
  it("Node's server reports ERR_SSL_NO_SHARED_CIPHER and the caller reads alert 40", async () => {
    const edge = await runEdge(['no-shared-cipher']);
    expect(Object.keys(edge.serverErrors)).toEqual([wordingOf('no-shared-cipher', 'node').detector]);
    expect(Object.values(edge.clientErrors).map((e) => e.message).join('')).toContain('sslv3 alert handshake failure');
  });
});

describe('run by hand against `up`: the verdict comes from the bytes alone', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-wording-protocol-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  type ByHand = { rootCause: string; detectedBy: string; severity: string; alternatives?: string[]; evidence: { message: string; field?: string } };

  async function verdictsByHand(lab: string, call: (description: RunningLab['description']) => Promise<PeerResult>): Promise<ByHand[]> {
    const capture = path.join(dir, `${lab}-${Math.random().toString(36).slice(2)}`);
    const running = await upLab(lab, ['--capture', capture]);
    await call(running.description);
    expect(await running.stop()).toBe(0);
    const decoded = await runCli(['decode', path.join(capture, 'capture.pcapng'), '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    return (JSON.parse(decoded.stdout) as { verdicts: ByHand[] }).verdicts;
  }

  it('curl https:// against a plaintext port: the plaintext answer to its ClientHello', async () => {
    const verdicts = await verdictsByHand('tls-to-plaintext-port', ({ services, clients }) => curl(services.ledger!, clients.billing));
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'tls-to-plaintext-port', detectedBy: 'client', evidence: expect.objectContaining({ message: 'plaintext', field: 'first_line' }) })]);
  });

  it('s_client with the leaf alone: one certificate in its Certificate and alert 48 make client-missing-intermediate, wrong-ca the alternative', async () => {
    const verdicts = await verdictsByHand('client-missing-intermediate', ({ services, clients }) => opensslClient(services.vault!, clients.deploy));
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'client-missing-intermediate', detectedBy: 'server', alternatives: ['wrong-ca'], evidence: expect.objectContaining({ message: 'Certificate', field: 'certificate_list' }) })]);
  });

  it('s_client at TLS 1.2 with a cipher the server lacks: alert 40 before any certificate makes no-shared-cipher', async () => {
    const verdicts = await verdictsByHand('no-shared-cipher', ({ services, clients }) => opensslClient(services.gateway!, clients.scanner, ['-tls1_2', '-cipher', aesOnly]));
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'no-shared-cipher', detectedBy: 'server', evidence: expect.objectContaining({ message: 'alert handshake_failure (40)' }) })]);
  });

  it('curl http:// against a STRICT port: the same bytes as a scanner refused, so without a caller to complain it is none', async () => {
    const verdicts = await verdictsByHand('plaintext-to-strict-port', ({ services }) => curl(services.catalog!, undefined, 'http'));
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'none', severity: 'info', evidence: expect.objectContaining({ message: 'plaintext', field: 'first_line' }) })]);
  });
});
