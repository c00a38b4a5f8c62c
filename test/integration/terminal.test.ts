/**
 * The browser terminal against real sandboxes, over a real WebSocket: a learner types the
 * triage commands (the real openssl s_client and curl) into the sandbox's shell, reads what
 * they print, and sees their connections in the trace the socket streams — decrypted with
 * the secrets the tools logged through SSLKEYLOGFILE. The shell refuses what the lab does
 * not allow; its jail holds where the restricted shell alone did not (issue 9's escape); and it
 * is gone, with every process it started, once its sandbox stops or the server closes — even
 * when `mtls-lab serve` is killed with SIGKILL. Every wait is for a real message or a real
 * process state.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldValue } from '../../server/explain/traceEvent.js';
import type { SandboxView, ServerMessage, TerminalOpenResult, TraceEvent } from '../../server/app/protocol.js';
import { serveLab } from '../helpers/cli.js';
import { pidNamespaceOf, processesIn } from '../helpers/pidNamespace.js';
import { waitFor } from '../helpers/waitFor.js';
import { connectWs, openPageSocket, startTestApp, type LabSocket, type TestApp } from './appHarness.js';

type TraceMessage = Extract<ServerMessage, { type: 'trace' }>;
type ExitMessage = Extract<ServerMessage, { type: 'terminal-exit' }>;


async function startSandbox(t: TestApp, lab: string): Promise<SandboxView> {
  const res = await t.api('POST', '/api/sandboxes', { lab });
  expect(res.status).toBe(201);
  return res.json as SandboxView;
}

async function openTerminal(socket: LabSocket, sandbox: string): Promise<TerminalOpenResult> {
  const reply = await socket.call({ type: 'terminal-open', sandbox, cols: 400, rows: 40 });
  if (!reply.ok) throw new Error(`terminal-open refused: ${reply.error.code} ${reply.error.message}`);
  return reply.result as TerminalOpenResult;
}

/** What the sandbox's shell printed to one socket, kept as it arrives (joined once, not per check). */
class Transcript {
  text = '';
  readonly #listeners = new Set<() => void>();

  constructor(socket: LabSocket, sandbox: string) {
    for (const m of socket.messages) if (m.type === 'terminal-output' && m.sandbox === sandbox) this.text += m.data;
    socket.ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type !== 'terminal-output' || m.sandbox !== sandbox) return;
      this.text += m.data;
      for (const listener of this.#listeners) listener();
    });
  }

  /** Resolves once `done(text)` holds, checked as output arrives. */
  until(what: string, done: (text: string) => boolean, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done(this.text)) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; the shell printed: ${JSON.stringify(this.text.slice(-400))}`));
      }, timeoutMs);
      this.#listeners.add(check);
      check();
    });
  }
}

const transcripts = new WeakMap<LabSocket, Map<string, Transcript>>();
function transcript(socket: LabSocket, sandbox: string): Transcript {
  const bySandbox = transcripts.get(socket) ?? new Map<string, Transcript>();
  transcripts.set(socket, bySandbox);
  let found = bySandbox.get(sandbox);
  if (!found) bySandbox.set(sandbox, (found = new Transcript(socket, sandbox)));
  return found;
}

/** Types a line; resolves with what it printed once `expected` is there and the prompt came back. */
async function run(socket: LabSocket, sandbox: string, line: string, expected: string | RegExp): Promise<string> {
  const shell = transcript(socket, sandbox);
  // PS1 names the lab: `\e[1;36m<lab>\e[0m # `.
  const prompt = `${sandbox.replace(/-[a-z0-9]+$/, '')}\x1b[0m `;
  const before = shell.text.length;
  socket.ws.send(JSON.stringify({ type: 'terminal-input', sandbox, data: `${line}\r` }));
  await shell.until(`${String(expected)} after \`${line.slice(0, 60)}\``, (text) => {
    // Cheap until the prompt is back at the end; then the whole output is searched once.
    if (!text.slice(-200).includes(prompt)) return false;
    const output = text.slice(before);
    const at = typeof expected === 'string' ? output.indexOf(expected) : output.search(expected);
    return at >= 0 && output.slice(at).includes(prompt);
  });
  return shell.text.slice(before);
}

/** A process that exists and is not a zombie (an orphan's reaper may be slow to collect it). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The first terminal-exit for `sandbox` among the messages from index `from` on. */
const exitAfter = (socket: LabSocket, sandbox: string, from: number) => (m: ServerMessage): m is ExitMessage =>
  m.type === 'terminal-exit' && m.sandbox === sandbox && socket.messages.indexOf(m) >= from;
const isTrace = (sandbox: string) => (m: ServerMessage): m is TraceMessage => m.type === 'trace' && m.sandbox === sandbox;
const clientRandom = (events: TraceEvent[]): string | undefined => fieldValue(events.find((e) => e.type === 'ClientHello')?.fields, 'random');
/** The client's Certificate travels encrypted in TLS 1.3 (RFC 8446 §4.4.2): seen only when decrypted. */
const decryptedClientCertificate = (events: TraceEvent[]): boolean => events.some((e) => e.layer === 'handshake' && e.type === 'Certificate' && e.dir === 'c2s');
const expiredAlert = (events: TraceEvent[]): boolean => events.some((e) => e.layer === 'alert' && e.type.startsWith('alert certificate_expired ') && e.dir === 's2c');

describe('the browser terminal', () => {
  let t: TestApp;
  let socket: LabSocket;
  let view: SandboxView;
  let opened: TerminalOpenResult;

  beforeAll(async () => {
    // Something the server's environment holds that the shell must not see.
    process.env.MTLS_LAB_TEST_SECRET = 'server-side-secret';
    t = await startTestApp();
    socket = await openPageSocket(t);
    view = await startSandbox(t, 'expired-client-cert');
    expect((await socket.call({ type: 'subscribe', sandbox: view.id })).ok).toBe(true);
    opened = await openTerminal(socket, view.id);
  });

  afterAll(async () => {
    delete process.env.MTLS_LAB_TEST_SECRET;
    await socket?.close();
    await t?.stop();
  });

  it('starts a shell in the sandbox directory with the lab\'s triage commands and a banner', async () => {
    expect(opened.generation).toBe(1);
    expect(await alive(opened.pid)).toBe(true);
    expect(opened.replay).toContain('mtls-lab · expired-client-cert');
    expect(opened.triage.map((c) => c.title)).toEqual([
      'payments → auth: the handshake as openssl s_client sees it',
      'payments → auth: one request with curl, verbose',
      "payments's certificate: subject, issuer, validity, names, usage",
      "payments's chain, checked against what auth trusts",
      'the chain auth sends, certificate by certificate',
    ]);
    const pwd = await run(socket, view.id, 'echo "cwd=[$PWD]"', /cwd=\[[^$\]]+\]/);
    expect(pwd).toContain(`cwd=[${view.description!.dir}]`);
  });

  it('runs the s_client triage command: openssl prints the server\'s alert 45, and the connection shows in the trace decrypted', async () => {
    const command = opened.triage.find((c) => c.title.includes('openssl s_client'))!.command;
    const output = await run(socket, view.id, command, 'SSL alert number 45');
    expect(output).toContain('CONNECTION ESTABLISHED');
    expect(output).toContain('Protocol version: TLSv1.3');
    expect(output).toMatch(/sslv3 alert certificate expired/);

    const trace = await socket.waitFor('the terminal\'s s_client connection in the trace, decrypted', (m): m is TraceMessage => isTrace(view.id)(m) && decryptedClientCertificate(m.events) && expiredAlert(m.events));
    // Its secrets came through the terminal's SSLKEYLOGFILE (openssl's wrapper adds -keylogfile).
    const random = clientRandom(trace.events);
    expect(random).toMatch(/^[0-9a-f]{64}$/);
    const keylog = await readFile(view.description!.sslKeylogFile, 'utf8');
    expect(keylog).toContain(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} `);
  });

  it('runs the curl triage command: curl reports the expired certificate, and its connection shows decrypted too', async () => {
    const command = opened.triage.find((c) => c.command.startsWith('curl '))!.command;
    const seen = new Set(socket.messages.filter(isTrace(view.id)).map((m) => m.conn));
    const output = await run(socket, view.id, command, /curl: \(\d+\)/);
    expect(output).toContain('alert certificate expired');

    const trace = await socket.waitFor('the terminal\'s curl connection in the trace, decrypted', (m): m is TraceMessage => isTrace(view.id)(m) && !seen.has(m.conn) && decryptedClientCertificate(m.events) && expiredAlert(m.events));
    // curl honours SSLKEYLOGFILE itself.
    const keylog = await readFile(view.description!.sslKeylogFile, 'utf8');
    expect(keylog).toContain(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${clientRandom(trace.events)} `);
  });

  it('runs the certificate triage commands against the lab\'s files', async () => {
    const x509 = opened.triage.find((c) => c.command.startsWith('openssl x509 '))!.command;
    expect(await run(socket, view.id, x509, /notAfter=.+/)).toContain('URI:spiffe://corp.test/ns/pay/sa/payments');
    const verify = opened.triage.find((c) => c.command.startsWith('openssl verify '))!.command;
    expect(await run(socket, view.id, verify, /error \d+ at \d+ depth lookup/)).toContain('certificate has expired');
    const chain = opened.triage.find((c) => c.title.startsWith('the chain auth sends'))!.command;
    expect(await run(socket, view.id, chain, /subject=.*CN ?= ?auth-server/)).toMatch(/issuer=.*Corp Issuing CA 1/);
  });

  it('refuses what the lab does not allow: other programs, paths, redirection, cd — and hides the server\'s environment', async () => {
    expect(await run(socket, view.id, 'python3 -c 1', 'python3: command not found')).toBeTruthy();
    expect(await run(socket, view.id, '/bin/sh -c id', "/bin/sh: restricted: cannot specify `/' in command names")).toBeTruthy();
    expect(await run(socket, view.id, 'echo x > planted.txt', 'planted.txt: restricted: cannot redirect output')).toBeTruthy();
    expect(await run(socket, view.id, 'cd /', 'cd: restricted')).toBeTruthy();
    expect(await run(socket, view.id, 'PATH=/usr/bin', 'PATH: readonly variable')).toBeTruthy();
    expect(await run(socket, view.id, 'echo "secret=[$MTLS_LAB_TEST_SECRET]"', 'secret=[]')).toBeTruthy();
  });

  it('is a jail: curl cannot plant a program in the toolbox (the escape that gave a full shell), nor write outside the sandbox directory', async () => {
    const escape = await run(socket, view.id, "echo 'exec /usr/bin/bash --norc' | curl -sS --create-file-mode 0755 -T - file:///toolbox/fullshell; echo \"curl=$?\"", /curl=\d+/);
    expect(escape).toContain("curl: (23) Can't open /toolbox/fullshell for writing");
    expect(await run(socket, view.id, 'fullshell', 'fullshell: command not found')).toBeTruthy();
    // Every other place a learner's tools could write: the jail has them read-only, or not at all.
    const dir = view.description!.dir;
    for (const target of ['/usr/bin/planted', '/tmp/planted', `${path.dirname(dir)}/planted`, '/planted']) {
      const output = await run(socket, view.id, `openssl rand -out ${target} 8; echo "openssl=$?"`, /openssl=\d/);
      expect(output).toContain('openssl=1');
      expect(output).toMatch(/Read-only file system|No such file or directory/);
      expect(existsSync(target)).toBe(false);
    }
    expect(await run(socket, view.id, 'openssl rand -out planted.bin 8; ls planted.bin', 'planted.bin\r\n')).toBeTruthy();
  });

  it('is a jail: no process outside it is visible or killable, and PID 1 holds none of the server\'s environment', async () => {
    const listed = await run(socket, view.id, 'ls /proc | grep -c "^[0-9]"', /^\d+\r$/m);
    expect(Number(/^(\d+)\r$/m.exec(listed)![1])).toBeLessThan(8);
    expect(await run(socket, view.id, 'grep -c MTLS_LAB_TEST_SECRET /proc/1/environ', /^0\r$/m)).toBeTruthy();
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      expect(await run(socket, view.id, `kill -9 ${victim.pid}`, `kill: (${victim.pid}) - No such process`)).toBeTruthy();
      expect(await alive(victim.pid!)).toBe(true);
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('is a jail: another sandbox\'s directory does not exist in it', async () => {
    const other = await startSandbox(t, 'expired-client-cert');
    try {
      const key = `${other.description!.dir}/payments-client.key`;
      expect(existsSync(key)).toBe(true);
      expect(await run(socket, view.id, `cat ${key}`, `cat: ${key}: No such file or directory`)).toBeTruthy();
      const parent = await run(socket, view.id, `ls ${path.dirname(view.description!.dir)}`, path.basename(view.description!.dir));
      expect(parent).not.toContain(path.basename(other.description!.dir));
    } finally {
      await t.api('DELETE', `/api/sandboxes/${other.id}`);
    }
  });

  it('streams a large output whole and in order (the shell waits while the socket writes)', async () => {
    // About 4 MB: far past the point where the shell is paused for the socket to catch up.
    const output = await run(socket, view.id, 'openssl rand -hex 2000000 | wc -c; openssl rand -hex 2000000; echo "end-of-output"', 'end-of-output\r\n');
    expect(output).toMatch(/^\s*4000001\r$/m);
    const hex = output.slice(output.indexOf('\r\n', output.indexOf('4000001')) + 2, output.lastIndexOf('end-of-output')).replace(/\r\n/g, '');
    expect(hex).toMatch(/^[0-9a-f]{4000000}$/);
  });

  it('shares the shell with a second tab, which sees the latest of what it printed and what it prints next', async () => {
    const second = await openPageSocket(t);
    try {
      const again = await openTerminal(second, view.id);
      expect(again.pid).toBe(opened.pid);
      // The latest output, bounded: the 4 MB before it are not kept.
      expect(again.replay).toContain('end-of-output');
      expect(again.replay.length).toBeLessThan(200_000);
      await run(second, view.id, 'echo "from-the-second-tab"', 'from-the-second-tab\r\n');
      await transcript(socket, view.id).until('the second tab\'s output in the first tab', (text) => text.includes('from-the-second-tab\r\n'));
    } finally {
      await second.close();
    }
    // The second tab left; the shell stays for the first.
    await run(socket, view.id, 'echo "still-here"', 'still-here\r\n');
  });

  it('lets the learner exit the shell, and starts a fresh one on the next open', async () => {
    const from = socket.messages.length;
    socket.ws.send(JSON.stringify({ type: 'terminal-input', sandbox: view.id, data: 'exit 3\r' }));
    const exit = await socket.waitFor('the shell to exit', exitAfter(socket, view.id, from));
    expect(exit).toMatchObject({ reason: 'exit', code: 3 });
    expect(await alive(opened.pid)).toBe(false);

    const fresh = await openTerminal(socket, view.id);
    expect(fresh.pid).not.toBe(opened.pid);
    expect(fresh.replay).toContain('mtls-lab · expired-client-cert');
    expect(fresh.replay).not.toContain('secret=[]');
    await run(socket, view.id, 'echo "fresh-shell"', 'fresh-shell\r\n');
    opened = fresh;
  });

  it('keeps the shell through a live change of the sandbox: the same shell, the same directory, the certificate rewritten in place', async () => {
    const before = opened.pid;
    const serial = async () => /serial=([0-9A-F]+)/.exec(await run(socket, view.id, 'openssl x509 -noout -serial -in payments-client.crt', /serial=[0-9A-F]+/))![1];
    const oldSerial = await serial();
    const changed = await t.api('PUT', `/api/sandboxes/${view.id}/faults`, { faults: [{ kind: 'wrong-eku', target: 'payments-client' }] });
    expect(changed.status).toBe(200);
    expect((changed.json as SandboxView).description!.dir).toBe(view.description!.dir);
    expect(await alive(before)).toBe(true);
    expect(await serial()).not.toBe(oldSerial);
    expect(await run(socket, view.id, 'echo "cwd=[$PWD]"', /cwd=\[[^$\]]+\]/)).toContain(`cwd=[${view.description!.dir}]`);
  });

  it('ends the shell, and what it left running in the background, when the sandbox stops', async () => {
    const jail = await pidNamespaceOf(opened.pid);
    // A job that ignores the hang-up, as `nohup` would: the jail's leftovers are killed too. It
    // prints only lines yet to come (-n 0): the file's last ten, printed after the prompt, would
    // hide the prompt `run` waits for.
    await run(socket, view.id, "trap '' HUP; tail -n 0 -f sslkeylog.txt & echo \"job=$!\"", /job=\d+/);
    // bwrap's PID 1, the shell, the job.
    expect((await processesIn(jail)).length).toBeGreaterThanOrEqual(3);

    const from = socket.messages.length;
    expect((await t.api('DELETE', `/api/sandboxes/${view.id}`)).status).toBe(204);
    const exit = await socket.waitFor('the shell to end with the sandbox', exitAfter(socket, view.id, from));
    expect(exit.reason).toBe('sandbox-stopped');
    expect(await alive(opened.pid)).toBe(false);
    expect(await processesIn(jail)).toEqual([]);
  });
});

describe('the browser terminal and the server\'s life', () => {
  it('is gone, with its background jobs, once the app has closed', async () => {
    const t = await startTestApp();
    const socket = await openPageSocket(t);
    const view = await startSandbox(t, 'baseline');
    const opened = await openTerminal(socket, view.id);
    const jail = await pidNamespaceOf(opened.pid);
    await run(socket, view.id, "trap '' HUP; tail -n 0 -f sslkeylog.txt & echo \"job=$!\"", /job=\d+/);
    expect((await processesIn(jail)).length).toBeGreaterThanOrEqual(3);

    await t.stop();
    expect(await alive(opened.pid)).toBe(false);
    expect(await processesIn(jail)).toEqual([]);
  });

  it('leaves no process the shell started once `mtls-lab serve` is killed with SIGKILL', async () => {
    const serve = await serveLab(['--port', '0', '--no-open']);
    try {
      const url = new URL(serve.urls[0]!);
      const [port, token] = [url.port, url.searchParams.get('token')!];
      const started = await fetch(`${url.origin}/api/sandboxes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, origin: url.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ lab: 'baseline' }),
      });
      expect(started.status).toBe(201);
      const view = (await started.json()) as SandboxView;
      // The operator's socket: the sandbox was started by a script naming no learner.
      const outcome = await connectWs(Number(port), { origin: url.origin, authorization: `Bearer ${token}` });
      if (!outcome.open) throw new Error(`WebSocket refused: ${outcome.status}`);
      const opened = await openTerminal(outcome.client, view.id);
      const jail = await pidNamespaceOf(opened.pid);
      await run(outcome.client, view.id, "trap '' HUP; tail -f sslkeylog.txt & disown; tail -f sslkeylog.txt & disown; echo \"jobs-started\"", 'jobs-started\r\n');
      expect((await processesIn(jail)).length).toBeGreaterThanOrEqual(4);

      serve.process.kill('SIGKILL');
      await waitFor('every process of the jail to be gone', async () => (await processesIn(jail)).length === 0);
      await waitFor('the reaper to remove the sandbox directory', () => !existsSync(view.description!.dir));
    } finally {
      serve.process.kill('SIGKILL');
    }
  });

  it('is named off by `mtls-lab serve`, with why, where no jail can be built', async () => {
    const serve = await serveLab(['--port', '0', '--no-open'], { env: { ...process.env, PATH: '/nonexistent' } });
    try {
      expect(serve.lines).toContain("Note: the browser terminal is off: bubblewrap (bwrap), which builds the shell's jail, is not installed: apt-get install bubblewrap.");
    } finally {
      await serve.stop();
    }
  });

  it('is off when the server listens beyond loopback, and when switched off: TERMINAL_DISABLED, no shell', async () => {
    for (const given of [{ host: '0.0.0.0' }, { terminal: 'off' as const }]) {
      const t = await startTestApp(given);
      try {
        const socket = await openPageSocket(t);
        const view = await startSandbox(t, 'baseline');
        const reply = await socket.call({ type: 'terminal-open', sandbox: view.id, cols: 80, rows: 24 });
        expect(reply).toMatchObject({ ok: false, error: { code: 'TERMINAL_DISABLED' } });
        expect(socket.messages.some((m) => m.type === 'terminal-output')).toBe(false);
        await socket.close();
      } finally {
        await t.stop();
      }
    }
  });

  it('is off where no jail can be built, and says why in one line: TERMINAL_NO_JAIL', async () => {
    const t = await startTestApp();
    const searchPath = process.env.PATH;
    try {
      const socket = await openPageSocket(t);
      const view = await startSandbox(t, 'baseline');
      // The first open looks for bwrap; on this PATH there is none.
      process.env.PATH = path.join(t.dataDir, 'no-programs-here');
      const reply = await socket.call({ type: 'terminal-open', sandbox: view.id, cols: 80, rows: 24 });
      expect(reply).toMatchObject({
        ok: false,
        error: {
          code: 'TERMINAL_NO_JAIL',
          message: 'the terminal is off: this machine cannot build the jail its shell runs in: bubblewrap (bwrap), which builds the shell\'s jail, is not installed: apt-get install bubblewrap',
        },
      });
      expect(socket.messages.some((m) => m.type === 'terminal-output')).toBe(false);
      await socket.close();
    } finally {
      process.env.PATH = searchPath;
      await t.stop();
    }
  });

  it('answers keystrokes for a terminal this tab has not opened with TERMINAL_NOT_OPEN', async () => {
    const t = await startTestApp();
    try {
      const socket = await openPageSocket(t);
      const view = await startSandbox(t, 'baseline');
      socket.ws.send(JSON.stringify({ type: 'terminal-input', sandbox: view.id, data: 'ls\r' }));
      const reply = await socket.waitFor('the error reply', (m) => m.type === 'reply' && m.id === null);
      expect(reply).toMatchObject({ ok: false, error: { code: 'TERMINAL_NOT_OPEN' } });
      await socket.close();
    } finally {
      await t.stop();
    }
  });
});
