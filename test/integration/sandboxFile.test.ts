/**
 * What the server reads of a sandbox directory after the learner's jailed shell may have
 * rewritten it: a regular file, or a clear refusal — never a link's target, never a read that
 * blocks on a FIFO or runs forever on a device.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxFile } from '../../server/pki/sandboxFile.js';

describe('readSandboxFile', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-sandbox-file-'));
    await writeFile(path.join(dir, 'chain.pem'), 'a chain\n');
    await writeFile(path.join(dir, 'secret'), 'the server\'s secret\n');
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a regular file', async () => {
    expect(await readSandboxFile(path.join(dir, 'chain.pem'), 100)).toBe('a chain\n');
  });

  it('refuses a link, whatever it points at', async () => {
    await symlink(path.join(dir, 'secret'), path.join(dir, 'link.pem'));
    await expect(readSandboxFile(path.join(dir, 'link.pem'), 100)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('refuses a FIFO at once, without waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo.pem')]);
    await expect(readSandboxFile(path.join(dir, 'fifo.pem'), 100)).rejects.toThrow('fifo.pem is not a regular file');
  });

  it('refuses a device, which would never end', async () => {
    await expect(readSandboxFile('/dev/zero', 100)).rejects.toThrow('/dev/zero is not a regular file');
  });

  it('refuses a file larger than asked for', async () => {
    await expect(readSandboxFile(path.join(dir, 'secret'), 10)).rejects.toThrow(/holds 20 bytes, more than the 10/);
  });
});
