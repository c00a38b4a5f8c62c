/**
 * expired-intermediate for real: `mtls-lab up` starts the lab, `openssl s_client`, curl and
 * `openssl verify` meet the expired issuing CA, and a capture of curl's refusal, decoded, gets
 * the verdict from the bytes alone.
 *
 *   labs/expired-intermediate.yaml ──up──▶ billing (leaf valid, CA 1 expired) ◀── s_client | curl ──▶ capture ──decode──▶ verdict
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, upLab, type RunningLab } from '../helpers/cli.js';
import { curl, opensslClient } from '../helpers/peers.js';

describe('expired-intermediate: the CA that expired under a valid leaf', () => {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab('expired-intermediate');
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });

  it('makes s_client report verify error 10 at depth 1, on the issuing CA, and not at depth 0', async () => {
    const { services, clients } = running!.description;
    const { output } = await opensslClient(services.billing!, clients.checkout, ['-verify_return_error']);
    expect(output).toMatch(/depth=1 O = mtls-lab, CN = Corp Issuing CA 1\nverify error:num=10:certificate has expired/);
    expect(output).not.toMatch(/depth=0 [^\n]*\nverify error/);
  });

  it('makes curl refuse it with exit 60 and the words of an expired certificate', async () => {
    const { services, clients } = running!.description;
    const { code, output } = await curl(services.billing!, clients.checkout);
    expect(code).toBe(60);
    expect(output).toContain('curl: (60) SSL certificate problem: certificate has expired');
  });
});

describe('expired-intermediate with the fix applied (the CA renewed)', () => {
  let running: RunningLab | undefined;
  beforeAll(async () => {
    running = await upLab('expired-intermediate', ['--fix']);
  }, 60_000);
  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
  });

  it('lets curl call billing again', async () => {
    const { services, clients } = running!.description;
    const { code, output } = await curl(services.billing!, clients.checkout);
    expect(code, output).toBe(0);
    expect(output).toContain('hello from billing');
  });
});

describe('expired-intermediate by hand: curl against `up`, the capture decoded', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-expired-intermediate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the expired CA from the chain on the wire, detected by the client', async () => {
    const capture = path.join(dir, 'capture');
    const lab = await upLab('expired-intermediate', ['--capture', capture]);
    const { services, clients } = lab.description;
    expect((await curl(services.billing!, clients.checkout)).code).toBe(60);
    expect(await lab.stop()).toBe(0);
    const decoded = await runCli(['decode', path.join(capture, 'capture.pcapng'), '--json']);
    expect(decoded.code, decoded.stderr).toBe(0);
    const { verdicts } = JSON.parse(decoded.stdout) as { verdicts: Array<{ rootCause: string; detectedBy: string; evidence: { message: string; field?: string }; summary: string }> };
    expect(verdicts).toEqual([expect.objectContaining({ rootCause: 'expired-intermediate', detectedBy: 'client', evidence: expect.objectContaining({ message: 'Certificate', field: 'notAfter' }) })]);
    expect(verdicts[0]!.summary).toContain('CN=Corp Issuing CA 1 (depth 1) expired');
  });
});
