/**
 * `mtls-lab chaos`, as a user runs it: the topology lab under steady traffic while a seeded
 * schedule breaks it live. The log names every injection the seed draws, in its order, and an
 * incident that breaks an edge is reported with the verdict its failed connections' trace gives.
 */
import { describe, expect, it } from 'vitest';
import { drawChaosSchedule } from '../../server/chaos/schedule.js';
import { loadLabs } from '../../server/lab/index.js';
import { runCli } from '../helpers/cli.js';
import { labsDir } from './appHarness.js';

const topology = (await loadLabs(labsDir)).find((doc) => doc.spec.id === 'topology-lab')!.spec;

interface LogLine {
  t: number;
  event: string;
  id: number | null;
  kind: string;
  target: string;
  incident?: number | null;
  verdict?: string | null;
}

const parseLog = (stdout: string): LogLine[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as LogLine);

describe('mtls-lab chaos', () => {
  it('topology-lab --seed 7 --duration 20s --json: every injection the seed draws, injected then cleared, in order', { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['chaos', 'topology-lab', '--seed', '7', '--duration', '20s', '--json']);
    expect(code, stderr).toBe(0);
    const log = parseLog(stdout);
    const schedule = drawChaosSchedule(topology, { seed: 7, durationMs: 20_000 });
    const steps = log.filter((line) => line.event === 'inject' || line.event === 'clear');
    expect(steps.map(({ event, id, kind, target }) => ({ event, id, kind, target }))).toEqual(
      schedule.flatMap(({ id, kind, target }) => [{ event: 'inject', id, kind, target }, { event: 'clear', id, kind, target }]),
    );
    // Each at (or, on a loaded machine, after) its scheduled time.
    for (const step of steps) {
      const injection = schedule.find((each) => each.id === step.id)!;
      expect(step.t).toBeGreaterThanOrEqual(step.event === 'inject' ? injection.atMs : injection.clearAtMs);
    }
  });

  it('an expired certificate injected live breaks the edges it serves, and the trace names it', { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['chaos', 'topology-lab', '--seed', '3', '--duration', '10s', '--faults', 'expired-cert', '--json']);
    expect(code, stderr).toBe(0);
    const log = parseLog(stdout);
    const injected = log.find((line) => line.event === 'inject')!;
    expect(injected.kind).toBe('expired-cert');
    const breaches = log.filter((line) => line.event === 'breach' && line.incident === injected.id);
    expect(breaches.length, stdout).toBeGreaterThan(0);
    expect(breaches.map((line) => line.verdict)).toContain('expired-cert');
  });

  it('refuses a fault the lab cannot suffer, and a duration out of range, in one line each', async () => {
    const unknown = await runCli(['chaos', 'topology-lab', '--faults', 'bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ERROR: --faults: bogus: not a fault that applies to lab topology-lab \(these do: expired-cert, .*\)\n$/);
    const short = await runCli(['chaos', 'topology-lab', '--duration', '3s']);
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('ERROR: --duration takes seconds or minutes from 10s to 60m, like 20s or 5m, got "3s"\n');
  });
});
