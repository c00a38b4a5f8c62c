/**
 * The `mtls-lab` command's contract: what `run` reports, and how every kind of bad input
 * ends — one line naming the problem and the fix, exit code 2, nothing left running.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../helpers/cli.js';

interface Edge {
  client: string;
  requests: number;
  ok: number;
  failed: number;
  timeouts: number;
  handshakes: number;
  handshakesPerRequest: number;
  alertsReceived: string[];
  latencyMs: { p50: number; p99: number };
  maxQueueDepth: number;
}

async function runJson(args: string[]): Promise<Edge[]> {
  const result = await runCli(['run', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { edges: Edge[] }).edges;
}

/** Sandbox folders in `dir`, the TMPDIR a command was given: none may outlive it. */
async function sandboxDirs(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('mtls-lab-'));
}

describe('mtls-lab run', () => {
  it('reports every edge of the baseline healthy', async () => {
    const edges = await runJson(['baseline', '--requests', '4']);
    expect(edges.map((e) => [e.client, e.ok, e.failed])).toEqual([
      ['browser', 4, 0],
      ['payments', 4, 0],
    ]);
  });

  it('reports the alert payments received when its certificate has expired', async () => {
    const [payments] = await runJson(['expired-client-cert', '--requests', '3']);
    expect(payments).toMatchObject({ ok: 0, failed: 3 });
    expect(payments!.alertsReceived).toContain('certificate_expired (45)');
  });

  it('applies an extra fault from the command line', async () => {
    const edges = await runJson(['baseline', '--requests', '2', '--fault', 'expired-cert:auth-server']);
    const payments = edges.find((e) => e.client === 'payments')!;
    expect(payments).toMatchObject({ ok: 0, failed: 2 });
  });

  it('prints a readable report without --json', async () => {
    const { code, stdout } = await runCli(['run', 'missing-intermediate', '--requests', '2']);
    expect(code).toBe(0);
    expect(stdout).toContain('checkout → orders');
    expect(stdout).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('shows the exhausted pool paying a handshake per request, and the fix amortising them', async () => {
    const [broken] = await runJson(['exhausted-pool', '--requests', '300']);
    const [fixed] = await runJson(['exhausted-pool', '--requests', '300', '--fix']);
    // Every request that got through paid a full handshake; the rest queued until they timed
    // out. (Per request *served*: how many of the queued ones time out before a handshake
    // starts depends on the machine's load, so handshakes per request sent does not.)
    expect(broken!.handshakes).toBeGreaterThanOrEqual(broken!.ok);
    // The fix's keep-alive pool pays about one handshake per socket, not per request.
    expect(fixed!.handshakes * 4).toBeLessThan(fixed!.ok);
    expect(broken!.maxQueueDepth).toBeGreaterThan(fixed!.maxQueueDepth);
    expect(broken!.timeouts).toBeGreaterThan(0);
    expect(fixed!.ok).toBeGreaterThan(broken!.ok);
    // The symptom as counted, not timed (a loaded machine slows both runs alike).
    expect(fixed!.timeouts).toBeLessThan(broken!.timeouts);
  });
});

describe('bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-cli-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Asserts the one-line error and exit code 2. */
  function expectOneLineError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  }

  it('names file, line, column, field and the fix for a broken lab file', async () => {
    const file = path.join(dir, 'broken.yaml');
    const source = await readFile(path.join(projectRoot, 'labs/baseline.yaml'), 'utf8');
    await writeFile(file, source.replace('trust: [corp-root], latencyMs', 'trust: [corp-rooot], latencyMs'));
    const result = await runCli(['run', file]);
    expectOneLineError(result, /broken\.yaml:\d+:\d+ services\.auth\.trust\[0\]: "corp-rooot" is not a CA.*did you mean "corp-root"/);
    const validate = await runCli(['validate', file]);
    expect(validate.code).toBe(2);
  });

  it('names the known kinds for an unknown fault', async () => {
    const result = await runCli(['run', 'baseline', '--fault', 'expird-cert'], { env: { ...process.env, TMPDIR: dir } });
    expectOneLineError(result, /unknown fault "expird-cert" \(known: expired-cert, expired-intermediate, not-yet-valid,/);
    expect(await sandboxDirs(dir)).toEqual([]);
  });

  it('names the known targets for a fault target that does not exist', async () => {
    const result = await runCli(['up', 'baseline', '--fault', 'permissive-mode:ghost']);
    expectOneLineError(result, /"ghost" is not a service in lab baseline \(known: www, auth\)/);
  });

  it('names the known labs for an unknown lab id', async () => {
    const result = await runCli(['run', 'no-such-lab']);
    expectOneLineError(result, /no lab "no-such-lab" \(known: .*baseline.*\)/);
  });

  it('says how to get openssl when it is missing, before starting anything', async () => {
    const result = await runCli(['run', 'expired-client-cert'], { env: { ...process.env, PATH: dir, TMPDIR: dir } });
    expectOneLineError(result, /openssl was not found on PATH.*apt-get install openssl/);
    expect(await sandboxDirs(dir)).toEqual([]);
  });

  it('says to pick another port when the port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const result = await runCli(['serve', '--port', String(port), '--no-open']);
      expectOneLineError(result, new RegExp(`port ${port} on 127.0.0.1 is already in use; pick another with --port`));
    } finally {
      holder.close();
    }
  });

  it('refuses a port out of range, before starting anything', async () => {
    const result = await runCli(['serve', '--port', '99999', '--no-open'], { env: { ...process.env, MTLS_LAB_DATA_DIR: dir } });
    expectOneLineError(result, /^ERROR: --port takes a whole number from 0 to 65535, got "99999" \(0 picks any free port\)$/m);
  });

  it('says which addresses it could listen on when --host is not one of this machine\'s', async () => {
    const own = new Set(Object.values(networkInterfaces()).flatMap((list) => list ?? []).map((i) => i.address));
    const foreign = ['203.0.113.9', '198.51.100.9', '192.0.2.99'].find((address) => !own.has(address))!;
    const result = await runCli(['serve', '--host', foreign, '--port', '0', '--no-open'], { env: { ...process.env, MTLS_LAB_DATA_DIR: dir } });
    expectOneLineError(result, new RegExp(`cannot listen on ${foreign.replaceAll('.', '\\.')} port 0: "${foreign.replaceAll('.', '\\.')}" is not an address of this machine \\(its addresses: 127\\.0\\.0\\.1, .*\\); use one of them, or --host 0\\.0\\.0\\.0 for all`));
  });

  it('says to give an address when --host is a name that does not resolve', async () => {
    const result = await runCli(['serve', '--host', 'no-such-host.invalid', '--port', '0', '--no-open'], { env: { ...process.env, MTLS_LAB_DATA_DIR: dir } });
    expectOneLineError(result, /cannot listen on no-such-host\.invalid port 0: "no-such-host\.invalid" is not a name this machine can resolve; use an address, e\.g\. --host 127\.0\.0\.1/);
  });

  it.each(['http://lab.example', 'lab.example:8080', '.lab.example', '*.lab.example'])('refuses --allowed-hosts %s: names only, matched exactly', async (name) => {
    const result = await runCli(['serve', '--allowed-hosts', `ok.example,${name}`, '--port', '0', '--no-open'], { env: { ...process.env, MTLS_LAB_DATA_DIR: dir } });
    expectOneLineError(result, new RegExp(`--allowed-hosts: "${name.replace(/[.*]/g, '\\$&')}" is not a host name; give names alone, comma-separated, with no scheme, port or wildcard`));
  });

  it('refuses an unknown flag with a pointer to --help', async () => {
    const result = await runCli(['run', 'baseline', '--requets', '3']);
    expectOneLineError(result, /Unknown option '--requets'.*mtls-lab --help/);
  });
});

describe('mtls-lab validate and list', () => {
  const labFiles = async (): Promise<string[]> => (await readdir(path.join(projectRoot, 'labs'))).filter((file) => file.endsWith('.yaml')).sort();

  it('validates every lab in labs/', async () => {
    const { code, stdout } = await runCli(['validate']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').sort()).toEqual((await labFiles()).map((file) => `ok labs/${file}`));
  });

  it('lists every lab without its answer', async () => {
    const { code, stdout } = await runCli(['list', '--json']);
    expect(code).toBe(0);
    const labs = JSON.parse(stdout) as Record<string, unknown>[];
    expect(labs.map((lab) => `${String(lab.id)}.yaml`).sort()).toEqual(await labFiles());
    // No field named answer, at any depth (a title may well say "answered").
    expect(stdout).not.toContain('"answer"');
  });
});
