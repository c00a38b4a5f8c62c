/**
 * `mtls-lab faults`: the catalogue as a user reads it, from the built command — each kind with
 * its target, params (type and default), the fix actions that undo it and its root cause.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixActions } from '../../server/faults/index.js';
import { projectRoot, runCli } from '../helpers/cli.js';

interface Described {
  kind: string;
  title: string;
  target: string;
  params: Array<{ name: string; type: string; expected: string; required: boolean; default?: unknown }>;
  fixes: string[];
  rootCause: { summary: string; alerts: string[]; verifyErrors: Array<{ num: number; code: string; text: string }> };
}

async function catalogue(): Promise<Described[]> {
  const result = await runCli(['faults', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Described[];
}

describe('mtls-lab faults', () => {
  it('lists every fault kind a lab in labs/ uses, each with a title, a target and a root cause', async () => {
    const kinds = new Set((await catalogue()).map((f) => f.kind));
    const files = (await readdir(path.join(projectRoot, 'labs'))).filter((name) => name.endsWith('.yaml'));
    for (const file of files) {
      const lab = parse(await readFile(path.join(projectRoot, 'labs', file), 'utf8')) as { faults?: Array<{ kind: string }> };
      for (const fault of lab.faults ?? []) expect(kinds, `${file} uses ${fault.kind}`).toContain(fault.kind);
    }
    for (const fault of await catalogue()) {
      expect(fault.title).not.toBe('');
      expect(['certificate', 'service', 'client', 'endpoint']).toContain(fault.target);
      expect(fault.rootCause.summary).toMatch(/\.$/);
    }
  });

  it('lists at least the 25 kinds issue 10 asks for, key-mismatch with its fix among them', async () => {
    const faults = await catalogue();
    expect(faults.length).toBeGreaterThanOrEqual(25);
    expect(faults.find((f) => f.kind === 'key-mismatch')).toMatchObject({ target: 'service', fixes: ['deploy-matching-key'] });
  });

  it('names fix actions that exist, and every fault has one', async () => {
    for (const fault of await catalogue()) {
      expect(fault.fixes.length, fault.kind).toBeGreaterThan(0);
      for (const fix of fault.fixes) expect(fixActions.has(fix), `${fault.kind} → ${fix}`).toBe(true);
    }
  });

  it('gives each param its type, its rule and its default', async () => {
    const byKind = new Map((await catalogue()).map((f) => [f.kind, f]));
    expect(byKind.get('exhausted-pool')!.params).toEqual([{ name: 'maxSockets', type: 'number', expected: 'a whole number from 1 to 256', required: false, default: 2 }]);
    expect(byKind.get('wrong-ca')!.params).toEqual([{ name: 'trust', type: 'string', expected: 'the name of a CA in the lab, like "corp-root"', required: false, default: 'stray-root' }]);
    expect(byKind.get('wrong-san')!.params[0]).toMatchObject({ name: 'san', type: 'array', required: false });
    expect(byKind.get('expired-cert')!.params).toEqual([]);
  });

  it('names the alert and the verify error that report a root cause', async () => {
    const expired = (await catalogue()).find((f) => f.kind === 'expired-cert')!;
    expect(expired.rootCause.alerts).toContain('certificate_expired (45)');
    expect(expired.rootCause.verifyErrors).toContainEqual({ num: 10, code: 'CERT_HAS_EXPIRED', text: 'certificate has expired' });
  });

  it('prints the same catalogue for people, one block per kind', async () => {
    const { code, stdout } = await runCli(['faults']);
    expect(code).toBe(0);
    for (const fault of await catalogue()) expect(stdout).toContain(`${fault.kind} — ${fault.title}`);
    expect(stdout).toContain('params  maxSockets (number, default 2): a whole number from 1 to 256');
    expect(stdout).toContain('fix     send-full-chain');
  });
});
