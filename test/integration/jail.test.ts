/**
 * The terminal's jail on its own, with the second layer taken away: a full, unrestricted bash
 * inside it, as a learner would have after escaping rbash. What the jail must still hold —
 * no other process visible or signalable, none of the server's environment, nothing writable
 * but the sandbox directory, no other sandbox's files, a user of its own — is tried for real.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Jail, toolboxMount } from '../../server/terminal/jail.js';
import { buildToolbox } from '../../server/terminal/toolbox.js';
import { runCommand, type CommandResult } from '../helpers/command.js';
import { pidNamespaceOf, processesIn } from '../helpers/pidNamespace.js';
import { waitFor } from '../helpers/waitFor.js';

describe('the jail, with a full shell inside', () => {
  let jail: Jail;
  let base: string;
  let dir: string;
  let other: string;
  let toolbox: string;

  /** Runs `script` in an unrestricted bash in the jail, the sandbox dir `dir`. */
  async function jailed(script: string): Promise<CommandResult> {
    const { file, args } = await jail.command({ dir, toolbox, hostname: 'jail-test', env: { PATH: `${toolboxMount}:/usr/bin` }, argv: ['/usr/bin/bash', '-c', script] });
    return runCommand(file, args, { env: {} });
  }

  beforeAll(async () => {
    const found = await Jail.find();
    if (!(found instanceof Jail)) throw new Error(`no jail on this machine: ${found.unavailable}`);
    jail = found;
    base = await mkdtemp(path.join(tmpdir(), 'mtls-lab-jail-test-'));
    await chmod(base, 0o711);
    dir = path.join(base, 'sandbox');
    other = path.join(base, 'other-sandbox');
    toolbox = path.join(base, 'toolbox');
    await Promise.all([mkdir(dir, { mode: 0o700 }), mkdir(other, { mode: 0o700 }), mkdir(toolbox)]);
    await writeFile(path.join(other, 'payments-client.key'), 'another learner\'s key\n', { mode: 0o600 });
    await buildToolbox(toolbox);
    process.env.MTLS_LAB_JAIL_TEST_SECRET = 'server-side-secret';
  });

  afterAll(async () => {
    delete process.env.MTLS_LAB_JAIL_TEST_SECRET;
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('shows no process but its own', async () => {
    const { stdout } = await jailed('ls /proc | grep -c "^[0-9]"; cat /proc/1/comm');
    const [count, first] = stdout.trim().split('\n');
    // bwrap (PID 1), bash, ls, grep: a handful, where the machine has hundreds.
    expect(Number(count)).toBeLessThan(8);
    expect(first).toBe('bwrap');
  });

  it('cannot signal a process outside, even knowing its pid', async () => {
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const { stdout, stderr } = await jailed(`kill -9 ${victim.pid} && echo killed`);
      expect(stdout).not.toContain('killed');
      expect(stderr).toMatch(/No such process/);
      expect(victim.exitCode).toBeNull();
      expect(existsSync(`/proc/${victim.pid}`)).toBe(true);
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('holds none of the server\'s environment, not even in PID 1\'s', async () => {
    const { stdout } = await jailed('env; cat /proc/*/environ | tr "\\0" "\\n"');
    expect(stdout).toContain(`PATH=${toolboxMount}:/usr/bin`);
    expect(stdout).not.toContain('MTLS_LAB_JAIL_TEST_SECRET');
    expect(stdout).not.toContain('server-side-secret');
  });

  it('writes the sandbox directory and nothing else', async () => {
    const targets = ['/planted', '/usr/planted', '/etc/planted', '/tmp/planted', `${toolboxMount}/planted`, `${base}/planted`];
    const script = [`echo ok > ${dir}/written && echo "wrote sandbox"`, ...targets.map((target) => `echo x > ${target} && echo "wrote ${target}"`)].join('; ');
    const { stdout, stderr } = await jailed(script);
    expect(stdout.trim()).toBe('wrote sandbox');
    expect(await readFile(path.join(dir, 'written'), 'utf8')).toBe('ok\n');
    expect(stderr.match(/(Read-only file system|No such file or directory|Permission denied)/g)).toHaveLength(targets.length);
    expect(existsSync(path.join(base, 'planted'))).toBe(false);
    expect(existsSync(path.join(toolbox, 'planted'))).toBe(false);
  });

  it('cannot reach another sandbox\'s directory', async () => {
    const { stdout, stderr } = await jailed(`ls ${base}; cat ${other}/payments-client.key`);
    expect(stdout.trim()).toBe('sandbox');
    expect(stderr).toContain(`${other}/payments-client.key: No such file or directory`);
  });

  it('runs as a user of its own, who owns the sandbox directory, when the server is root', async () => {
    const { stdout } = await jailed('id -u; id -G');
    const [uid, groups] = stdout.trim().split('\n');
    if (process.getuid!() === 0) {
      expect(Number(uid)).not.toBe(0);
      expect(groups).toBe(uid);
      expect((await stat(dir)).uid).toBe(Number(uid));
    } else {
      expect(Number(uid)).toBe(process.getuid!());
    }
  });

  it('ends every process in it, even one that left the session, when bwrap is killed', async () => {
    const { file, args } = await jail.command({ dir, toolbox, hostname: 'jail-test', env: { PATH: '/usr/bin' }, argv: ['/usr/bin/bash', '-c', 'setsid sleep 600 & echo started; wait'] });
    const child = spawn(file, args, { env: {}, stdio: ['ignore', 'pipe', 'ignore'] });
    await once(child.stdout, 'data');
    const namespace = await pidNamespaceOf(child.pid!);
    expect((await processesIn(namespace)).length).toBeGreaterThanOrEqual(3);
    child.kill('SIGKILL');
    await waitFor('every process of the jail to be gone', async () => (await processesIn(namespace)).length === 0);
  });
});
