/**
 * stale-crl for real. The lab's s_server refuses a valid client certificate whose CA's CRL is
 * past its nextUpdate, and the verdict of the lab's own trace names it; every tool that runs
 * here, told to check the CRL of the server's CA once that one is stale, prints the words the
 * catalogue gives its detector.
 *
 *   labs/stale-crl.yaml ──up──▶ artifacts (s_server -crl_check) ◀── ci | s_client | curl | node | python (+ CRL) ──▶ words ~ catalogue
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faults, type Stack } from '../../server/faults/index.js';
import { runCli, upLab, type RunningLab } from '../helpers/cli.js';
import { curl, opensslClient, runPeer } from '../helpers/peers.js';
import { ownTrace } from './ownTrace.js';

describe('stale-crl: the lab explained from its own trace', () => {
  it('names the stale CRL from the verify error s_server logged, detected by the server', async () => {
    const { trace, verdicts } = await ownTrace('stale-crl', { code: 'CRL_HAS_EXPIRED', times: 2 });
    // s_server's log names no port: the runtime ties each line to the connection it is serving,
    // which a pool opening connections side by side can get wrong — so one connection may hold
    // both reports and another none. That one reads as the bytes alone say: expired-cert, with
    // stale-crl as the alternative.
    const named = verdicts.filter((v) => v.rootCause === 'stale-crl');
    expect(named.length).toBeGreaterThan(0);
    for (const verdict of named) {
      expect(verdict).toMatchObject({ detectedBy: 'server', evidence: { message: 'Certificate', field: 'issuer', value: 'O=mtls-lab, CN=Corp Workload CA' } });
      expect(verdict.summary).toContain('CRL has expired');
    }
    for (const verdict of verdicts.filter((v) => v.rootCause !== 'stale-crl')) expect(verdict).toMatchObject({ rootCause: 'expired-cert', alternatives: ['stale-crl'] });
    expect(trace.some((e) => e.layer === 'alert' && e.type === 'alert certificate_expired (45)')).toBe(true);
  }, 60_000);
});

describe('stale-crl: each tool told to check the stale CRL of the server\'s CA', () => {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab('stale-crl', ['--fault', 'stale-crl:corp-server-ca']);
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });

  const detector = (stack: Stack): string => faults.get('stale-crl')!.wording[stack]!.detector!;
  const material = () => {
    const { services, clients } = running!.description;
    const client = clients.ci!;
    return { service: services.artifacts!, client, crl: path.join(path.dirname(client.trust!), 'corp-server-ca.crl.pem') };
  };

  it('s_client -crl_check prints verify error 12', async () => {
    const { service, client, crl } = material();
    const { output } = await opensslClient(service, client, ['-crl_check', '-CRL', crl]);
    expect(output).toContain(detector('openssl'));
    expect(detector('openssl')).toBe('verify error:num=12:CRL has expired');
  });

  it('curl --crlfile exits 60 with "CRL has expired"', async () => {
    const { service, client, crl } = material();
    const { code, output } = await curl(service, client, 'https', ['--crlfile', crl]);
    expect(code).toBe(60);
    expect(output).toContain(detector('curl'));
  });

  // Node's `crl` checks every certificate of the chain (X509_V_FLAG_CRL_CHECK_ALL): the root's
  // CRL, fresh, goes with the server CA's, stale.
  it("Node's tls with `crl` says CRL_HAS_EXPIRED", async () => {
    const { service, client, crl: serverCaCrl } = material();
    const crl = [serverCaCrl, path.join(path.dirname(serverCaCrl), 'corp-root.crl.pem')];
    const script = `
      const tls = require('node:tls'); const fs = require('node:fs'); const a = JSON.parse(process.argv[1]);
      const s = tls.connect({ host: a.address, port: a.port, servername: a.host, ca: fs.readFileSync(a.trust), crl: a.crl.map((f) => fs.readFileSync(f)),
        cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key) }, () => { console.log('connected'); s.destroy(); });
      s.on('error', (e) => console.log(e.code + ': ' + e.message));`;
    const { output } = await runPeer(process.execPath, ['-e', script, JSON.stringify({ address: service.address, port: service.port, host: service.host, trust: client.trust, crl, cert: client.cert, key: client.key })]);
    expect(output.trim()).toBe(detector('node'));
  });

  it("Python's ssl with VERIFY_CRL_CHECK_LEAF says CRL has expired", async () => {
    const { service, client, crl } = material();
    const script = [
      'import json, socket, ssl, sys',
      'a = json.loads(sys.argv[1])',
      "ctx = ssl.create_default_context(cafile=a['trust'])",
      "ctx.load_verify_locations(a['crl'])",
      'ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF',
      "ctx.load_cert_chain(a['cert'], a['key'])",
      'try:',
      "    with socket.create_connection((a['address'], a['port']), timeout=10) as raw:",
      "        with ctx.wrap_socket(raw, server_hostname=a['host']): print('connected')",
      'except Exception as e:',
      "    print(type(e).__name__ + ': ' + str(e))",
    ].join('\n');
    const { output } = await runPeer('python3', ['-c', script, JSON.stringify({ address: service.address, port: service.port, host: service.host, trust: client.trust, crl, cert: client.cert, key: client.key })]);
    expect(output).toContain(detector('python'));
  });
});

describe('stale-crl by hand: curl against `up`, the capture decoded', () => {
  it('reads alert 45 with every date on the wire good: expired-cert, with stale-crl as the alternative (no CRL crosses the wire)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-stale-crl-'));
    try {
      const lab = await upLab('stale-crl', ['--capture', dir]);
      const { services, clients } = lab.description;
      expect((await curl(services.artifacts!, clients.ci)).code).toBe(56);
      expect(await lab.stop()).toBe(0);
      const decoded = await runCli(['decode', path.join(dir, 'capture.pcapng'), '--json']);
      expect(decoded.code, decoded.stderr).toBe(0);
      const { verdicts } = JSON.parse(decoded.stdout) as { verdicts: Array<{ rootCause: string; alternatives?: string[]; summary: string }> };
      expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'expired-cert', alternatives: ['stale-crl'] })]);
      expect(verdicts[0]!.summary).toContain('though none on the wire is');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
