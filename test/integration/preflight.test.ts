/**
 * `npm test` on a machine that lacks the programs the tests drive: it stops before the build,
 * with one line naming every missing program and how to install it. Run for real, with a
 * PATH from which tshark and chromium (and apt-get, so nothing can be installed) are hidden.
 */
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.js';
import { runCommand, type CommandResult } from '../helpers/command.js';
import { findExecutable } from '../../server/cli/preflight.js';

function preflight(searchPath: string): Promise<CommandResult> {
  return runCommand(process.execPath, ['test/preflight.mjs'], { cwd: projectRoot, env: { PATH: searchPath } });
}

describe('npm test\'s preflight', () => {
  let bin: string;

  beforeAll(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'mtls-lab-preflight-'));
    for (const name of ['openssl', 'curl', 'bwrap']) await symlink(findExecutable(name)!, path.join(bin, name));
  });

  afterAll(async () => {
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  it('runs before the build', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.test).toMatch(/^node test\/preflight\.mjs && npm run build && /);
  });

  it('stops with one line naming every missing program and the command that installs it, when it cannot install', async () => {
    const { code, stdout, stderr } = await preflight(bin);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('npm test needs tshark, chromium, not found on PATH; install them: sudo apt-get install tshark chromium\n');
  });

  it('names the Debian package of each, which is not always the program\'s name', async () => {
    const { stderr } = await preflight(path.join(bin, 'nothing-here'));
    expect(stderr).toBe('npm test needs openssl, curl, tshark, chromium, bwrap, not found on PATH; install them: sudo apt-get install openssl curl tshark chromium bubblewrap\n');
  });

  it('is silent and lets the tests run when every program is there', async () => {
    expect(await preflight(process.env.PATH ?? '')).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
