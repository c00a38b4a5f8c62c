/**
 * cn-without-san for real: inventory's certificate names its host only in the CN. Every tool
 * that runs here accepts it as it comes (OpenSSL's X509_check_host falls back to the CN); told
 * to match SANs only, Node and Python refuse it in the words of the catalogue; the lab's own
 * trace names it for the SAN-only caller and leaves the other one served.
 *
 *   labs/cn-without-san.yaml ──▶ inventory (CN=inventory.corp.test, no SAN) ◀── s_client | curl | node | python, with and without the CN fallback
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrace, verdictsForSandbox } from '../../server/explain/index.js';
import { applyFaults, faults } from '../../server/faults/index.js';
import { loadLab } from '../../server/lab/index.js';
import { startSandbox, type ProcessEvent } from '../../server/runtime/index.js';
import { upLab, type RunningLab } from '../helpers/cli.js';
import { curl, nodeClient, opensslClient, pythonClient, runPeer } from '../helpers/peers.js';
import { labsDir } from './appHarness.js';

const wording = faults.get('cn-without-san')!.wording;

describe('cn-without-san: the tools against the lab', () => {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab('cn-without-san');
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });
  const material = () => ({ service: running!.description.services.inventory!, client: running!.description.clients['nightly-sync']! });

  it('s_client -verify_hostname accepts it: Verify return code 0', async () => {
    const { service, client } = material();
    const { output } = await opensslClient(service, client);
    expect(output).toContain('Verify return code: 0 (ok)');
    expect(output).toContain('HTTP/1.1 200');
    expect(wording.openssl!.accepts).toContain('Verify return code: 0 (ok)');
  });

  it('curl accepts it', async () => {
    const { service, client } = material();
    const { code, output } = await curl(service, client);
    expect(code, output).toBe(0);
    expect(output).toContain('hello from inventory');
  });

  it("Node's and Python's default checks accept it", async () => {
    const { service, client } = material();
    expect((await nodeClient(service, client)).output).toContain('HTTP/1.1 200');
    expect((await pythonClient(service, client)).output).toContain('HTTP/1.1 200');
  });

  it("Node's own check, without the CN, refuses it in the catalogue's words", async () => {
    const { service, client } = material();
    const script = `
      const tls = require('node:tls'); const fs = require('node:fs'); const a = JSON.parse(process.argv[1]);
      const sansOnly = (host, cert) => { const { CN, ...subject } = cert.subject; return tls.checkServerIdentity(host, { ...cert, subject }); };
      const s = tls.connect({ host: a.address, port: a.port, servername: a.host, ca: fs.readFileSync(a.trust), cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key), checkServerIdentity: sansOnly },
        () => { console.log('connected'); s.destroy(); });
      s.on('error', (e) => console.log(e.code + ': ' + e.message));`;
    const { output } = await runPeer(process.execPath, ['-e', script, JSON.stringify({ address: service.address, port: service.port, host: service.host, trust: client.trust, cert: client.cert, key: client.key })]);
    expect(output.trim()).toBe(wording.node!.detector);
  });

  it('Python with hostname_checks_common_name False refuses it in the catalogue\'s words', async () => {
    const { service, client } = material();
    const script = [
      'import json, socket, ssl, sys',
      'a = json.loads(sys.argv[1])',
      "ctx = ssl.create_default_context(cafile=a['trust'])",
      'ctx.hostname_checks_common_name = False',
      "ctx.load_cert_chain(a['cert'], a['key'])",
      'try:',
      "    with socket.create_connection((a['address'], a['port']), timeout=10) as raw:",
      "        with ctx.wrap_socket(raw, server_hostname=a['host']): print('connected')",
      'except Exception as e:',
      "    print(type(e).__name__ + ': ' + str(e))",
    ].join('\n');
    const { output } = await runPeer('python3', ['-c', script, JSON.stringify({ address: service.address, port: service.port, host: service.host, trust: client.trust, cert: client.cert, key: client.key })]);
    const [before, after] = wording.python!.detector!.split('…');
    expect(output).toContain(`${before}${service.host}${after}`);
  });
});

describe('cn-without-san: the lab explained from its own trace', () => {
  it('names it for the SAN-only caller, and serves the one that falls back to the CN', async () => {
    const doc = await loadLab(path.join(labsDir, 'cn-without-san.yaml'));
    const sandbox = await startSandbox(applyFaults(doc.spec, doc.spec.faults));
    const processEvents: ProcessEvent[] = [];
    sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
    const topology = sandbox.describe();
    let edges;
    try {
      edges = await sandbox.runTraffic({ requests: 2 });
    } finally {
      await sandbox.stop();
    }
    expect(edges.map((e) => [e.client, e.ok])).toEqual(expect.arrayContaining([['nightly-sync', 2], ['reconciler', 0]]));
    const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents, topology });
    const failures = verdictsForSandbox(trace).verdicts.filter((v) => v.severity !== 'info');
    expect(failures.length).toBeGreaterThan(0);
    for (const verdict of failures) {
      expect(verdict).toMatchObject({ rootCause: 'cn-without-san', detectedBy: 'client', evidence: { message: 'Certificate', field: 'subject', value: 'O=mtls-lab, CN=inventory.corp.test' } });
      expect(verdict.summary).toContain('reconciler matches SANs only');
    }
  }, 60_000);
});
