/**
 * `mtls-lab run <lab> --wire-fault kind:edge[:direction][,param=value…]`, from the built
 * command: the lab's own clients meet the fault in the tap, and a fault that does not fit is
 * one line and exit 2, before anything starts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('mtls-lab run --wire-fault', () => {
  it('the lab client meets a changed handshake byte: bad record mac, the trace says what the tap changed', async () => {
    const result = await runCli(['run', 'baseline', '--wire-fault', 'corrupt-handshake:auth', '--requests', '1', '--trace']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('lab baseline — faults: corrupt-handshake:auth:downstream (wire)');
    expect(result.stdout).toMatch(/payments → auth\s+FAILING/);
    expect(result.stdout).toMatch(/EPROTO.*decryption failed or bad record mac/);
    expect(result.stdout).toMatch(/browser → www\s+ok\s+1 requests: 1 ok/);
    expect(result.stdout).toContain('Changed in flight by the tap (wire fault corrupt-handshake)');
  });

  it.each([
    [['--wire-fault', 'latency'], 'ERROR: --wire-fault "latency": expected kind:edge[:direction][,param=value…]'],
    [['--wire-fault', 'lag:auth'], 'ERROR: --wire-fault lag:auth: kind: "lag" is not a wire fault (known: latency, bandwidth'],
    [['--wire-fault', 'latency:ledger'], 'ERROR: --wire-fault latency:ledger: edge: "ledger" is not a service of this sandbox (known: www, auth)'],
    [['--wire-fault', 'latency:auth,latencyMs=-5'], 'ERROR: latency params.latencyMs: expected a whole number from 0 to 3600000 but found -5'],
  ])('%j: one line, exit 2', async (args, message) => {
    const result = await runCli(['run', 'baseline', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
