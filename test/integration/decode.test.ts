/**
 * `mtls-lab decode`: a capture written by one run, read back like any capture a user brings,
 * gives the same verdict — decrypted with the key log embedded in it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('mtls-lab decode', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-decode-test-'));
    const run = await runCli(['run', 'expired-client-cert', '--requests', '1', '--capture', dir]);
    expect(run.code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the expired client certificate in a capture, decrypted with its embedded key log', async () => {
    const { code, stdout } = await runCli(['decode', path.join(dir, 'capture.pcapng'), '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { verdicts: { rootCause: string }[]; trace: { type: string }[] };
    expect(result.verdicts.map((v) => v.rootCause)).toEqual(['expired-cert']);
    expect(result.trace.map((e) => e.type)).toEqual(expect.arrayContaining(['CertificateRequest', 'alert certificate_expired (45)']));
  });

  it('speaks of the capture, not of a tap it never went through', async () => {
    const { stdout } = await runCli(['decode', path.join(dir, 'capture.pcapng'), '--json']);
    const result = JSON.parse(stdout) as { trace: Array<{ note: string; fields?: Array<{ label: string }> }>; verdicts: Array<{ summary: string }> };
    const words = [...result.trace.flatMap((e) => [e.note, ...(e.fields ?? []).map((f) => f.label)]), ...result.verdicts.map((v) => v.summary)];
    expect(words.filter((text) => /\btap\b/i.test(text))).toEqual([]);
  });

  it('refuses a file that is not a capture with one line and exit code 2', async () => {
    const { code, stderr } = await runCli(['decode', path.join(dir, 'keys.log')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ERROR: .*keys\.log is not a pcap or pcapng capture/);
  });
});
