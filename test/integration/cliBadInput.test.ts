/**
 * Every bad input the command line meets, as a table: the built `mtls-lab` run on it, and
 * what must come back — exit code 2 and one line naming the problem (file:line:col and
 * field for a lab file) and the next step. Lab files are written to a temp dir here, so a
 * row's positions are those of the text below.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** A valid lab; rows replace whole lines (1-based), so positions are easy to read off. */
const minimal = [
  /*  1 */ 'id: tiny',
  /*  2 */ 'title: One healthy edge',
  /*  3 */ 'level: beginner',
  /*  4 */ 'minutes: 5',
  /*  5 */ 'pki:',
  /*  6 */ '  corp-root: { ca: true }',
  /*  7 */ '  auth-server: { issuer: corp-root, san: [dns:auth.corp.test], eku: [serverAuth] }',
  /*  8 */ '  payments-client: { issuer: corp-root, eku: [clientAuth] }',
  /*  9 */ 'services:',
  /* 10 */ '  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root] }',
  /* 11 */ 'clients:',
  /* 12 */ '  payments: { calls: auth, cert: payments-client, trust: [corp-root] }',
  /* 13 */ 'faults: []',
  /* 14 */ 'scenario:',
  /* 15 */ '  symptom: All green.',
  /* 16 */ '  question: What is wrong?',
  /* 17 */ '  answer: none',
  /* 18 */ '  distractors: { expired-cert: every date is good }',
  /* 19 */ '  explain: Nothing is wrong.',
];

function lab(replacements: Record<number, string> = {}): string {
  return minimal.map((line, index) => replacements[index + 1] ?? line).join('\n') + '\n';
}

const many = (count: number, line: (index: number) => string): string => Array.from({ length: count }, (_, i) => line(i)).join('\n');
const auth = (fields: string) => `  auth: { host: auth.corp.test, cert: auth-server, trust: [corp-root], ${fields} }`;
const payments = (fields: string) => `  payments: { calls: auth, cert: payments-client, trust: [corp-root], ${fields} }`;
const paymentsCert = (fields: string) => `  payments-client: { issuer: corp-root, eku: [clientAuth], ${fields} }`;

/** Every file the rows read, by its path under the temp dir. */
const files: Record<string, string> = {
  'many-services.yaml': lab({ 10: minimal[9] + '\n' + many(16, (i) => `  s${i}: { host: s${i}.corp.test, cert: auth-server }`) }),
  'many-clients.yaml': lab({ 12: many(33, (i) => `  c${i}: { calls: auth, trust: [corp-root] }`) }),
  'many-certificates.yaml': lab({ 8: minimal[7] + '\n' + many(62, (i) => `  leaf${i}: { issuer: corp-root }`) }),
  'backwards.yaml': lab({ 8: paymentsCert('validity: { notBefore: -1h, notAfter: -2h }') }),
  'far-future.yaml': lab({ 8: paymentsCert('validity: { notAfter: +1000000y }') }),
  'latency.yaml': lab({ 10: auth('latencyMs: 2147483648') }),
  'timeout.yaml': lab({ 12: payments('pool: { timeoutMs: 2147483648 }') }),
  'sockets.yaml': lab({ 12: payments('pool: { maxSockets: 100000 }') }),
  'rps.yaml': lab({ 12: payments('rps: 1000000') }),
  'openssl-permissive.yaml': lab({ 10: auth('stack: openssl, mode: permissive') }),
  'openssl-faulted.yaml': lab({ 10: auth('stack: openssl'), 13: 'faults: [{ kind: permissive-mode, target: auth }]' }),
  'openssl.yaml': lab({ 10: auth('stack: openssl') }),
  'notes.txt': 'not a lab\n',
  'good/one.yaml': lab(),
  'good/two.yaml': lab({ 1: 'id: tiny-two' }),
  'mixed/one.yaml': lab(),
  'mixed/two.yaml': lab({ 1: 'id: tiny-two', 10: auth('latencyMs: 2147483648') }),
  'twins/one.yaml': lab(),
  'twins/two.yaml': lab(),
  'empty/notes.txt': 'no labs here\n',
};

interface Row {
  name: string;
  args: (dir: string) => string[];
  code: number;
  /** Exactly what it must print on stderr: one line. */
  stderr: (dir: string) => string;
  /** What it must print on stdout, when that matters. */
  stdout?: (dir: string) => string;
}

const splitLabs = 'split a bigger system into several labs';

const rows: Row[] = [
  {
    name: 'a lab with 17 services',
    args: (d) => ['validate', `${d}/many-services.yaml`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/many-services.yaml:9:1 services: expected at most 16 entries but found 17; each service is a process of its own; ${splitLabs}`,
  },
  {
    name: 'a lab with 33 clients',
    args: (d) => ['validate', `${d}/many-clients.yaml`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/many-clients.yaml:11:1 clients: expected at most 32 entries but found 33; each client is a process of its own; ${splitLabs}`,
  },
  {
    name: 'a lab with 65 certificates',
    args: (d) => ['validate', `${d}/many-certificates.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/many-certificates.yaml:5:1 pki: expected at most 64 entries but found 65; every key is generated when the lab starts; share CAs, or split the system into several labs`,
  },
  {
    name: 'a notAfter before notBefore',
    args: (d) => ['validate', `${d}/backwards.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/backwards.yaml:8:98 pki.payments-client.validity.notAfter: notAfter "-2h" is not after notBefore "-1h"; for an expired certificate move both into the past, like { notBefore: "-91d", notAfter: "-1d" }`,
  },
  {
    name: 'run on a notAfter before notBefore (it used to start, then exit 1 with a stack)',
    args: (d) => ['run', `${d}/backwards.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/backwards.yaml:8:98 pki.payments-client.validity.notAfter: notAfter "-2h" is not after notBefore "-1h"; for an expired certificate move both into the past, like { notBefore: "-91d", notAfter: "-1d" }`,
  },
  {
    name: 'a notAfter a million years away',
    args: (d) => ['validate', `${d}/far-future.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/far-future.yaml:8:82 pki.payments-client.validity.notAfter: "+1000000y" is more than 50 years from now, the furthest a lab's certificate dates may reach; use an offset within ±50y, like "+10y"`,
  },
  {
    name: 'a latency past 2^31 ms',
    args: (d) => ['validate', `${d}/latency.yaml`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/latency.yaml:10:83 services.auth.latencyMs: expected a latency of at most 600000 ms (10 minutes) but found 2147483648`,
  },
  {
    name: 'a pool timeout past 2^31 ms',
    args: (d) => ['validate', `${d}/timeout.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/timeout.yaml:12:90 clients.payments.pool.timeoutMs: expected a timeout of at most 300000 ms (5 minutes) but found 2147483648`,
  },
  {
    name: 'a pool of 100000 sockets',
    args: (d) => ['validate', `${d}/sockets.yaml`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/sockets.yaml:12:91 clients.payments.pool.maxSockets: expected at most 256 but found 100000`,
  },
  {
    name: 'a million requests per second',
    args: (d) => ['validate', `${d}/rps.yaml`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/rps.yaml:12:76 clients.payments.rps: expected at most 5000 but found 1000000`,
  },
  {
    name: 'run with a million requests per client',
    args: (d) => ['run', `${d}/good/one.yaml`, '--requests', '1000000'],
    code: 2,
    stderr: () => 'ERROR: --requests takes a whole number from 1 to 10000, got "1000000"',
  },
  {
    name: 'an openssl service in permissive mode',
    args: (d) => ['validate', `${d}/openssl-permissive.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/openssl-permissive.yaml:10:94 services.auth.mode: mode "permissive" needs stack "node", but "auth" runs stack "openssl", which serves TLS only; set "stack: node", or "mode: strict"`,
  },
  {
    name: 'a lab fault that turns an openssl service permissive',
    args: (d) => ['validate', `${d}/openssl-faulted.yaml`],
    code: 2,
    stderr: (d) =>
      `ERROR: ${d}/openssl-faulted.yaml:13:18 faults[0].kind: "permissive-mode" would leave services.auth.mode unrunnable: mode "permissive" needs stack "node", but "auth" runs stack "openssl", which serves TLS only; target a service on stack "node", or give this one "stack: node"`,
  },
  {
    name: 'run --fault permissive-mode on an openssl service (it used to exit 1 with a stack)',
    args: (d) => ['run', `${d}/openssl.yaml`, '--fault', 'permissive-mode:auth'],
    code: 2,
    stderr: () =>
      'ERROR: --fault permissive-mode:auth would leave services.auth.mode unrunnable: mode "permissive" needs stack "node", but "auth" runs stack "openssl", which serves TLS only; target a service on stack "node"',
  },
  {
    name: 'validate on a directory checks each of its labs',
    args: (d) => ['validate', `${d}/good`],
    code: 0,
    stderr: () => '',
    stdout: (d) => `ok ${d}/good/one.yaml\nok ${d}/good/two.yaml\n`,
  },
  {
    name: 'validate on a directory reports the broken lab in it',
    args: (d) => ['validate', `${d}/mixed`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/mixed/two.yaml:10:83 services.auth.latencyMs: expected a latency of at most 600000 ms (10 minutes) but found 2147483648`,
    stdout: (d) => `ok ${d}/mixed/one.yaml\n`,
  },
  {
    name: 'validate on a directory where two labs share an id',
    args: (d) => ['validate', `${d}/twins`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/twins/two.yaml:1:5 id: lab id "tiny" is already used by ${d}/twins/one.yaml; give each lab its own id`,
  },
  {
    name: 'validate on a directory without labs',
    args: (d) => ['validate', `${d}/empty`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/empty holds no .yaml lab files; give a lab file or a directory of them, like labs/`,
  },
  {
    name: 'validate on a path that does not exist',
    args: (d) => ['validate', `${d}/nope.yaml`],
    code: 2,
    stderr: (d) => `ERROR: no lab file or directory at ${d}/nope.yaml; check the path`,
  },
  {
    name: 'validate on a file that is not YAML',
    args: (d) => ['validate', `${d}/notes.txt`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/notes.txt is not a lab file: labs are YAML files ending in .yaml, like labs/baseline.yaml`,
  },
  {
    name: 'run on a file that does not exist',
    args: (d) => ['run', `${d}/nope.yaml`],
    code: 2,
    stderr: (d) => `ERROR: no lab file at ${d}/nope.yaml; check the path`,
  },
  {
    name: 'run on a directory (it used to exit 1 with a stack)',
    args: (d) => ['run', `${d}/good`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/good is a directory, not a lab file; name one of its .yaml files (\`mtls-lab validate ${d}/good\` checks them all)`,
  },
  {
    name: 'up on a directory',
    args: (d) => ['up', `${d}/good/`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/good is a directory, not a lab file; name one of its .yaml files (\`mtls-lab validate ${d}/good\` checks them all)`,
  },
  {
    name: 'run on a file that is not YAML',
    args: (d) => ['run', `${d}/notes.txt`],
    code: 2,
    stderr: (d) => `ERROR: ${d}/notes.txt is not a lab file: labs are YAML files ending in .yaml, like labs/baseline.yaml`,
  },
  {
    name: 'decode on a directory',
    args: (d) => ['decode', `${d}/good`],
    code: 2,
    stderr: (d) => `ERROR: cannot read the capture ${d}/good: it is a directory; give the capture file itself, like cap/capture.pcapng`,
  },
  {
    name: 'decode on a file that does not exist',
    args: (d) => ['decode', `${d}/nope.pcapng`],
    code: 2,
    stderr: (d) => `ERROR: cannot read the capture ${d}/nope.pcapng: there is no such file; check the path`,
  },
  {
    name: 'decode with a directory as its key log',
    args: (d) => ['decode', `${d}/empty.pcap`, '--keylog', `${d}/good`],
    code: 2,
    stderr: (d) => `ERROR: cannot read the key log ${d}/good: it is a directory; give the key log file itself, like cap/keys.log`,
  },
];

describe('mtls-lab on bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-bad-input-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    await writeFile(path.join(dir, 'empty.pcap'), emptyPcap());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(rows)('$name', async (row) => {
    const result = await runCli(row.args(dir));
    const expected = row.stderr(dir);
    expect(result.stderr).toBe(expected === '' ? '' : `${expected}\n`);
    expect(result.code).toBe(row.code);
    if (row.stdout) expect(result.stdout).toBe(row.stdout(dir));
  });
});

/** Magic, version 2.4, no timezone or accuracy, snaplen 65535, Ethernet: a capture of nothing. */
function emptyPcap(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  return header;
}
