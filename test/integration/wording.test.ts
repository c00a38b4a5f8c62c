/**
 * The catalogue's wording, checked against the real tools on this machine: for each fault, a
 * sandbox with it (`mtls-lab up`), and `openssl s_client`, curl, Node and Python's `ssl` run
 * against it; what each printed must match the root cause's entry — the side that detects it
 * (`detector`) or the peer that reads its alert (`peer`). `s_server`'s own words come from
 * the sandbox's run report, where its log lands. `…` in an entry stands for what varies.
 *
 *   labs/<id>.yaml + --fault ──mtls-lab up──▶ sandbox ◀── s_client | curl | node | python ──▶ output ~ catalogue
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faults, type Stack } from '../../server/faults/index.js';
import { runCli, upLab, type ClientDescription, type ServiceDescription } from '../helpers/cli.js';
import { curl, nodeClient, opensslClient, pythonClient, runPeer, type PeerResult } from '../helpers/peers.js';
import { matchesWording, withLab, wordingOf, type Tool } from '../helpers/wording.js';

const tools: Array<[Stack, Tool]> = [
  ['openssl', (service, client) => opensslClient(service, client)],
  ['curl', (service, client) => curl(service, client)],
  ['node', nodeClient],
  ['python', pythonClient],
];

/**
 * One describe block per sandbox: each tool, as `client` of `service` (without its
 * certificate when `anonymous`), prints what the catalogue says `side` prints for `kind`.
 */
function checkTools(title: string, lab: string, args: string[], at: { service: string; client: string; anonymous?: boolean }, kind: string, side: 'detector' | 'peer', curlExit: number): void {
  describe(title, () => {
    const running = withLab(lab, args);
    it.each(tools)(`%s prints the ${side} wording of ${kind}`, async (stack, tool) => {
      const { services, clients } = running().description;
      const client = clients[at.client]!;
      const { code, output } = await tool(services[at.service]!, at.anonymous ? { trust: client.trust } : client);
      const text = wordingOf(kind, stack)[side];
      expect(text, `${kind}.${stack}.${side}`).toBeDefined();
      expect(matchesWording(output, text!), `${stack} printed:\n${output}\ncatalogue ${kind}.${stack}.${side}: ${text}`).toBe(true);
      if (stack === 'curl') expect(code).toBe(curlExit);
    });
  });
}

// The client detects: a verify error of its own.
checkTools('expired server certificate', 'baseline', ['--fault', 'expired-cert:auth-server'], { service: 'auth', client: 'payments' }, 'expired-cert', 'detector', 60);
checkTools('server certificate not yet valid (clock-skew)', 'clock-skew', [], { service: 'inventory', client: 'storefront' }, 'not-yet-valid', 'detector', 60);
checkTools('server chain without its intermediate (missing-intermediate)', 'missing-intermediate', [], { service: 'orders', client: 'checkout' }, 'missing-intermediate', 'detector', 60);
checkTools('server issued by a CA the client does not trust', 'baseline', ['--fault', 'wrong-ca:payments'], { service: 'auth', client: 'payments' }, 'wrong-ca', 'detector', 60);
checkTools('server certificate for another host (name-mismatch)', 'name-mismatch', [], { service: 'search', client: 'catalog' }, 'wrong-san', 'detector', 60);
checkTools('server certificate issued for the client role', 'baseline', ['--fault', 'wrong-eku:auth-server'], { service: 'auth', client: 'payments' }, 'wrong-eku', 'detector', 60);
checkTools('a Node service serving the certificate it read before its files were renewed (renewed-not-reloaded)', 'renewed-not-reloaded', [], { service: 'payments', client: 'checkout' }, 'renewed-not-reloaded', 'detector', 60);
checkTools('an s_server serving the certificate it read before its files were renewed', 'renewed-not-reloaded', ['--fault', 'renewed-not-reloaded:ledger'], { service: 'ledger', client: 'settlement' }, 'renewed-not-reloaded', 'detector', 60);
checkTools('server chain through an expired issuing CA (expired-intermediate)', 'expired-intermediate', [], { service: 'billing', client: 'checkout' }, 'expired-intermediate', 'detector', 60);

// s_server detects, and each tool reads its alert (curl on its first read: exit 56).
checkTools('expired client certificate (expired-client-cert)', 'expired-client-cert', [], { service: 'auth', client: 'payments' }, 'expired-cert', 'peer', 56);
checkTools('client certificate not yet valid, refused by s_server', 'wrong-eku', ['--fix', '--fault', 'not-yet-valid:payouts-client'], { service: 'ledger', client: 'payouts' }, 'not-yet-valid', 'peer', 56);
checkTools('client chain without its intermediate, refused by s_server', 'wrong-ca', ['--fix', '--fault', 'missing-intermediate:billing'], { service: 'ledger', client: 'billing' }, 'missing-intermediate', 'peer', 56);
checkTools('client issued by a CA the server does not trust (wrong-ca)', 'wrong-ca', [], { service: 'ledger', client: 'billing' }, 'wrong-ca', 'peer', 56);
checkTools('client certificate issued for the server role (wrong-eku)', 'wrong-eku', [], { service: 'ledger', client: 'payouts' }, 'wrong-eku', 'peer', 56);
checkTools('revoked client certificate (revoked-client-cert)', 'revoked-client-cert', [], { service: 'vault', client: 'deploy' }, 'revoked-cert', 'peer', 56);
checkTools('client certificate whose CA published no fresh CRL (stale-crl)', 'stale-crl', [], { service: 'artifacts', client: 'ci' }, 'stale-crl', 'peer', 56);
checkTools("fresh client certificate, s_server's clock behind (verifier-clock-behind)", 'verifier-clock-behind', [], { service: 'ledger', client: 'payouts' }, 'verifier-clock-behind', 'peer', 56);
checkTools('a TLS caller without a certificate', 'baseline', [], { service: 'auth', client: 'payments', anonymous: true }, 'missing-client-cert', 'peer', 56);

describe('a TLS 1.2 caller without a certificate: no certificate_required in TLS 1.2', () => {
  const running = withLab('baseline');
  const tls12Tools: Array<[Stack, Tool]> = [
    ['openssl', (service, client) => opensslClient(service, client, ['-tls1_2'])],
    ['curl', (service, client) => curl(service, client, 'https', ['--tls-max', '1.2'])],
    ['node', (service, client) => nodeClient(service, client, { tls12: true })],
    ['python', (service, client) => pythonClient(service, client, { tls12: true })],
  ];

  it.each(tls12Tools)('%s prints the tls12 wording of missing-client-cert', async (stack, tool) => {
    const { services, clients } = running().description;
    const { code, output } = await tool(services.auth!, { trust: clients.payments!.trust });
    const text = wordingOf('missing-client-cert', stack).tls12!;
    expect(matchesWording(output, text), `${stack} printed:\n${output}\ncatalogue: ${text}`).toBe(true);
    if (stack === 'curl') expect(code).toBe(35);
  });
});

interface RunEdge {
  serverErrors: Record<string, { message: string }>;
}

/** What s_server logged, as the sandbox's run report carries it: code → message. */
async function opensslServerErrors(args: string[]): Promise<RunEdge['serverErrors']> {
  const result = await runCli(['run', ...args, '--requests', '1', '--json']);
  expect(result.code, result.stderr).toBe(0);
  const [edge] = (JSON.parse(result.stdout) as { edges: RunEdge[] }).edges;
  return edge!.serverErrors;
}

describe('openssl s_server, the side that detects it', () => {
  it.each([
    ['expired-cert', ['expired-client-cert']],
    ['not-yet-valid', ['wrong-eku', '--fix', '--fault', 'not-yet-valid:payouts-client']],
    ['wrong-ca', ['wrong-ca']],
    ['wrong-eku', ['wrong-eku']],
    ['revoked-cert', ['revoked-client-cert']],
    ['stale-crl', ['stale-crl']],
    ['verifier-clock-behind', ['verifier-clock-behind']],
  ])('logs the verify error of %s as its catalogue entry', async (kind, args) => {
    const errors = await opensslServerErrors(args);
    const fault = faults.get(kind)!;
    const wanted = fault.signal!.verifyErrors[0]!;
    // s_server logs `verify error:num=N:text`; the runtime keys it by Node's name of N.
    expect(errors[wanted.code]?.message).toBe(wanted.text);
    if (kind !== 'wrong-ca') expect(fault.wording.openssl?.detector).toBe(`verify error:num=${wanted.num}:${wanted.text}`);
  });

  it('refuses a leaf-only client chain as it refuses an unknown CA: verify error 20', async () => {
    const errors = await opensslServerErrors(['wrong-ca', '--fix', '--fault', 'missing-intermediate:billing']);
    const localIssuer = faults.get('wrong-ca')!.signal!.verifyErrors[0]!;
    expect(errors[localIssuer.code]?.message).toBe(localIssuer.text);
  });

  it('logs a TLS caller without a certificate in the words of missing-client-cert', async () => {
    const errors = await opensslServerErrors(['expired-client-cert', '--fix', '--fault', 'missing-client-cert:payments']);
    expect(Object.keys(errors)).toContain('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(faults.get('missing-client-cert')!.wording.openssl?.detector).toBe('peer did not return a certificate');
    expect(errors.ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE!.message).toContain('peer did not return a certificate');
  });
});

describe('a plaintext caller of a STRICT port (permissive-mode, fixed)', () => {
  const running = withLab('permissive-mode', ['--fix']);

  it('gets the empty reply the permissive-mode entry names for curl', async () => {
    const { code, output } = await curl(running().description.services.records!, undefined, 'http');
    expect(code).toBe(52);
    expect(output.trim()).toBe('curl: (52) Empty reply from server');
    expect(wordingOf('permissive-mode', 'curl').detector).toContain(output.trim());
  });
});

describe('curl and s_client run by hand against `up`: the verdict comes from the bytes alone', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-wording-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  type ByHand = { rootCause: string; detectedBy: string; severity: string; alternatives?: string[] };

  /** `up --capture`, one call by hand, stop, then `decode` the capture: no process of the lab saw what the tool said. */
  async function verdictsByHand(lab: string, service: string, call: (service: ServiceDescription, client: ClientDescription) => Promise<PeerResult>, client: string): Promise<ByHand[]> {
    const capture = path.join(dir, `${lab}-${Math.random().toString(36).slice(2)}`);
    const running = await upLab(lab, ['--capture', capture]);
    const { services, clients } = running.description;
    await call(services[service]!, clients[client]!);
    expect(await running.stop()).toBe(0);
    const decoded = await runCli(['decode', path.join(capture, 'capture.pcapng'), '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    return (JSON.parse(decoded.stdout) as { verdicts: ByHand[] }).verdicts;
  }

  const withCert = (tool: 'curl' | 's_client') => (service: ServiceDescription, client: ClientDescription) =>
    tool === 'curl' ? curl(service, client) : opensslClient(service, client, ['-verify_return_error']);
  const withoutCert = (tool: 'curl' | 's_client') => (service: ServiceDescription, client: ClientDescription) =>
    tool === 'curl' ? curl(service, { trust: client.trust }) : opensslClient(service, { trust: client.trust }, ['-verify_return_error']);
  const atMostTls12 = (tool: 'curl' | 's_client') => (service: ServiceDescription, client: ClientDescription) =>
    tool === 'curl' ? curl(service, client, 'https', ['--tls-max', '1.2']) : opensslClient(service, client, ['-verify_return_error', '-tls1_2']);
  const calls = { cert: withCert, none: withoutCert, tls12: atMostTls12 };

  // [lab, service, client, call, the verdict]
  // Met by no hand-run tool: key-mismatch (the service never listens: connect refused, no bytes),
  // exhausted-pool (a load of concurrent callers, not one call), cn-without-san (curl and s_client fall
  // back to the CN and are served: no verdict). identity-not-allowed has its own by-hand test below.
  const cases: Array<[string, string, string, keyof typeof calls, Partial<ByHand>]> = [
    ['expired-client-cert', 'auth', 'payments', 'cert', { rootCause: 'expired-cert', detectedBy: 'server' }],
    ['clock-skew', 'inventory', 'storefront', 'cert', { rootCause: 'not-yet-valid', detectedBy: 'client' }],
    ['missing-intermediate', 'orders', 'checkout', 'cert', { rootCause: 'missing-intermediate', detectedBy: 'client', alternatives: ['wrong-ca'] }],
    ['wrong-ca', 'ledger', 'billing', 'cert', { rootCause: 'wrong-ca', detectedBy: 'server' }],
    ['name-mismatch', 'search', 'catalog', 'cert', { rootCause: 'wrong-san', detectedBy: 'client' }],
    ['revoked-client-cert', 'vault', 'deploy', 'cert', { rootCause: 'revoked-cert', detectedBy: 'server' }],
    ['wrong-eku', 'ledger', 'payouts', 'cert', { rootCause: 'wrong-eku', detectedBy: 'server' }],
    ['missing-client-cert', 'warehouse', 'reports', 'none', { rootCause: 'missing-client-cert', detectedBy: 'server' }],
    ['optional-client-auth', 'billing', 'invoices', 'none', { rootCause: 'optional-client-auth', severity: 'warning' }],
    // The renewal on disk is not in a capture: the bytes say an expired certificate, and no more.
    ['renewed-not-reloaded', 'payments', 'checkout', 'cert', { rootCause: 'expired-cert', detectedBy: 'client' }],
    ['expired-intermediate', 'billing', 'checkout', 'cert', { rootCause: 'expired-intermediate', detectedBy: 'client' }],
    ['verifier-clock-behind', 'ledger', 'payouts', 'cert', { rootCause: 'verifier-clock-behind', detectedBy: 'server' }],
    // No CRL crosses the wire: alert 45 against good dates.
    ['stale-crl', 'artifacts', 'ci', 'cert', { rootCause: 'expired-cert', detectedBy: 'server', alternatives: ['stale-crl'] }],
    ['protocol-version-mismatch', 'warehouse', 'reports', 'tls12', { rootCause: 'protocol-version-mismatch', detectedBy: 'server' }],
    // One connection cannot show the other callers that accept the same certificate: an unknown CA.
    ['ca-rotation-wrong-order', 'ledger', 'reports', 'cert', { rootCause: 'wrong-ca', detectedBy: 'client' }],
    ['over-broad-trust', 'billing', 'crawler', 'cert', { rootCause: 'over-broad-trust', detectedBy: 'server', severity: 'warning' }],
    ['client-cert-not-offered', 'ledger', 'batch', 'cert', { rootCause: 'client-cert-not-offered', detectedBy: 'client', alternatives: ['missing-client-cert'] }],
  ];

  for (const tool of ['curl', 's_client'] as const) {
    it.each(cases)(`${tool} against %s: the verdict the capture's bytes give`, async (lab, service, client, call, wanted) => {
      const verdicts = await verdictsByHand(lab, service, calls[call](tool), client);
      expect(verdicts, JSON.stringify(verdicts)).toEqual([expect.objectContaining(wanted)]);
    });
  }

  it('curl over plain http:// against permissive-mode: the capture shows the plaintext served', async () => {
    const verdicts = await verdictsByHand('permissive-mode', 'records', (service) => curl(service, undefined, 'http'), 'crm');
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'permissive-mode', severity: 'warning' })]);
  });
});

describe('optional-client-auth: what the catalogue says of curl and of Node', () => {
  const running = withLab('optional-client-auth');

  it('curl without --cert gets its answer where a required certificate would end in alert 116', async () => {
    const { services, clients } = running().description;
    const { code, output } = await curl(services.billing!, { trust: clients.invoices!.trust });
    expect(code).toBe(0);
    expect(output).toContain('no client certificate');
    expect(wordingOf('optional-client-auth', 'curl').detector).toContain('without --cert: HTTP 200');
  });

  it("Node's requestCert with rejectUnauthorized false serves a self-signed stranger, with authorized false", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-node-optional-'));
    try {
      const { execFileSync } = await import('node:child_process');
      const { readFileSync } = await import('node:fs');
      const tls = await import('node:tls');
      const selfSigned = (name: string): { key: Buffer; cert: Buffer } => {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.crt`)], { stdio: 'ignore' });
        return { key: readFileSync(path.join(dir, `${name}.key`)), cert: readFileSync(path.join(dir, `${name}.crt`)) };
      };
      const server = selfSigned('server');
      const stranger = selfSigned('forged-admin');
      const seen = new Promise<{ authorized: boolean; error: string; cn: string }>((resolve) => {
        // Verification off on purpose: this is the server optional-client-auth's wording describes,
        // run for real to show it serves a stranger with authorized === false.
        const listener = tls.createServer({ ...server, ca: server.cert, requestCert: true, rejectUnauthorized: false }, (socket) => {
          resolve({ authorized: socket.authorized, error: String(socket.authorizationError), cn: String(socket.getPeerCertificate().subject?.CN) });
          socket.end('served');
          listener.close();
        });
        listener.listen(0, '127.0.0.1', () => {
          const { port } = listener.address() as { port: number };
          // The stranger does not check the (self-signed) server either: only the server's side is under test.
          const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...stranger }, () => client.resume());
          client.on('error', () => {});
        });
      });
      expect(await seen).toEqual({ authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT', cn: 'forged-admin' });
      expect(wordingOf('optional-client-auth', 'node').detector).toContain('socket.authorized');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// Authorization after authentication: a clean handshake, then 403 from the Node service's allow list.
checkTools('a caller whose identity is not on the allow list (identity-not-allowed)', 'identity-not-allowed', [], { service: 'ledger', client: 'billing' }, 'identity-not-allowed', 'detector', 0);

describe('identity-not-allowed: the refusal is HTTP, after a handshake nothing complained about', () => {
  it('curl and s_client by hand: the capture names identity-not-allowed from the decrypted Certificate and the 403', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-identity-'));
    try {
      for (const [i, call] of [curl, (service: ServiceDescription, client?: Partial<ClientDescription>) => opensslClient(service, client, ['-verify_return_error'])].entries()) {
        const capture = path.join(dir, String(i));
        const running = await upLab('identity-not-allowed', ['--capture', capture]);
        const { services, clients } = running.description;
        const { output } = await call(services.ledger!, clients.billing!);
        expect(output).toContain("is not on ledger's allow list");
        expect(await running.stop()).toBe(0);
        const decoded = await runCli(['decode', path.join(capture, 'capture.pcapng'), '--json']);
        expect(decoded.code, decoded.stderr).toBe(0);
        const { verdicts } = JSON.parse(decoded.stdout) as { verdicts: Array<{ rootCause: string; detectedBy: string; evidence: { message: string; value?: string } }> };
        expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'identity-not-allowed', detectedBy: 'server', evidence: expect.objectContaining({ message: 'Certificate', value: 'url:spiffe://corp.test/ns/fin/sa/billing-api' }) })]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with the identity on the list, every tool is served', async () => {
    const running = await upLab('identity-not-allowed', ['--fix']);
    try {
      const { services, clients } = running.description;
      for (const [stack, tool] of tools) {
        const { output } = await tool(services.ledger!, clients.billing!);
        expect(output, stack).toMatch(/HTTP\/1\.1 200 OK|hello from ledger/);
      }
    } finally {
      expect(await running.stop()).toBe(0);
    }
  }, 60_000);
});

// A CA rotated before one caller's bundle held the new root: the words of an unknown CA, from that caller only.
checkTools('a caller whose bundle lacks the new root (ca-rotation-wrong-order)', 'ca-rotation-wrong-order', [], { service: 'ledger', client: 'reports' }, 'ca-rotation-wrong-order', 'detector', 60);

// Another tenant's certificate, served: each tool with the crawler's certificate prints the answer.
checkTools("another tenant's certificate, served (over-broad-trust)", 'over-broad-trust', [], { service: 'billing', client: 'crawler' }, 'over-broad-trust', 'detector', 0);

describe('key-mismatch: services that cannot start, in their own words, and callers refused', () => {
  // orders on Node (the lab's own fault), pricing on s_server (the same fault added).
  const running = withLab('key-mismatch', ['--fault', 'key-mismatch:pricing']);

  it.each(tools)('%s, calling either service, prints the peer wording of key-mismatch', async (stack, tool) => {
    const { services, clients } = running().description;
    for (const [service, client] of [['orders', 'checkout'], ['pricing', 'cart']] as const) {
      const { code, output } = await tool(services[service]!, clients[client]!);
      const text = wordingOf('key-mismatch', stack).peer!;
      expect(matchesWording(output, text), `${stack} → ${service} printed:\n${output}\ncatalogue: ${text}`).toBe(true);
      if (stack === 'curl') expect(code).toBe(7);
    }
  });

  it("describes each service down in its stack's words: Node's error, s_server's stderr", () => {
    const { services } = running().description;
    for (const [service, stack] of [['orders', 'node'], ['pricing', 'openssl']] as const) {
      const said = services[service]!.startError!;
      expect(matchesWording(said, wordingOf('key-mismatch', stack).detector!), `${service} said:\n${said}`).toBe(true);
    }
  });

  it("makes Python's ssl refuse the same pair of files, and load the matching one", async () => {
    const { services, dir } = running().description;
    const load = (key: string) => runPeer('python3', ['-c', [
      'import ssl, sys',
      'ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)',
      'try:',
      '    ctx.load_cert_chain(sys.argv[1], sys.argv[2])',
      "    print('loaded')",
      'except Exception as e:',
      "    print(type(e).__name__ + ': ' + str(e))",
    ].join('\n'), services.orders!.cert, key]);
    const refused = await load(services.orders!.key);
    expect(matchesWording(refused.output, wordingOf('key-mismatch', 'python').detector!), refused.output).toBe(true);
    expect((await load(path.join(dir, 'orders-server.key'))).output.trim()).toBe('loaded');
  });
});

// A certificate withheld: the CertificateRequest's schemes leave out the client's Ed25519 key, and each tool reads 116.
checkTools('a caller whose Ed25519 certificate the CertificateRequest excludes (client-cert-not-offered)', 'client-cert-not-offered', [], { service: 'ledger', client: 'batch' }, 'client-cert-not-offered', 'peer', 56);
