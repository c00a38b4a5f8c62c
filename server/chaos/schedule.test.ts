import { describe, expect, it } from 'vitest';
import { applyFaults } from '../faults/index.js';
import { loadLabs } from '../lab/index.js';
import { parseWireFault } from '../runtime/index.js';
import { ChaosError, drawChaosSchedule, incidentSlotMs } from './schedule.js';

const labsDir = new URL('../../labs/', import.meta.url).pathname;
const topology = (await loadLabs(labsDir)).find((doc) => doc.spec.id === 'topology-lab')!.spec;

describe('drawChaosSchedule', () => {
  it('gives the same schedule for the same seed, and another for another seed', () => {
    const options = { seed: 7, durationMs: 120_000 };
    expect(drawChaosSchedule(topology, options)).toEqual(drawChaosSchedule(topology, options));
    expect(drawChaosSchedule(topology, { ...options, seed: 8 })).not.toEqual(drawChaosSchedule(topology, options));
  });

  it('draws one incident per slot, each cleared before the next is injected', () => {
    const schedule = drawChaosSchedule(topology, { seed: 3, durationMs: 6 * incidentSlotMs });
    expect(schedule.map((injection) => injection.id)).toEqual([1, 2, 3, 4, 5, 6]);
    schedule.forEach((injection, i) => {
      expect(injection.atMs).toBeLessThan(injection.clearAtMs);
      if (i > 0) expect(injection.atMs).toBeGreaterThanOrEqual(schedule[i - 1]!.clearAtMs);
    });
    expect(schedule.at(-1)!.clearAtMs).toBeLessThanOrEqual(6 * incidentSlotMs);
  });

  it('draws only injections the lab accepts: every catalogue fault applies and every wire fault parses', () => {
    const schedule = drawChaosSchedule(topology, { seed: 11, durationMs: 40 * incidentSlotMs });
    for (const injection of schedule) {
      if (injection.source === 'fault') {
        expect(() => applyFaults(topology, [{ kind: injection.kind, target: injection.target, params: {} }]), `${injection.kind}:${injection.target}`).not.toThrow();
      } else {
        expect(() => parseWireFault({ kind: injection.kind, edge: injection.target, direction: injection.direction! }, Object.keys(topology.services))).not.toThrow();
      }
    }
    expect(new Set(schedule.map((injection) => injection.source))).toEqual(new Set(['fault', 'wire']));
  });

  it('aims certificate faults at certificates an endpoint presents, and CA faults at CAs', () => {
    const schedule = drawChaosSchedule(topology, { seed: 5, durationMs: 30 * incidentSlotMs, kinds: ['wrong-san', 'expired-intermediate'] });
    for (const injection of schedule) {
      const cert = topology.pki[injection.target]!;
      expect(cert.ca, `${injection.kind}:${injection.target}`).toBe(injection.kind === 'expired-intermediate');
    }
    // A server certificate's names are what wrong-san breaks: never a client's.
    const servers = new Set(Object.values(topology.services).map((service) => service.cert));
    expect(schedule.filter((i) => i.kind === 'wrong-san').every((i) => servers.has(i.target))).toBe(true);
  });

  it('keeps to the kinds asked for, and names the ones the lab cannot suffer', () => {
    const schedule = drawChaosSchedule(topology, { seed: 1, durationMs: 10 * incidentSlotMs, kinds: ['expired-cert', 'latency'] });
    expect(new Set(schedule.map((injection) => injection.kind))).toEqual(new Set(['expired-cert', 'latency']));
    expect(() => drawChaosSchedule(topology, { seed: 1, durationMs: incidentSlotMs, kinds: ['expired-cert', 'bogus'] })).toThrow(ChaosError);
    expect(() => drawChaosSchedule(topology, { seed: 1, durationMs: incidentSlotMs, kinds: ['bogus'] })).toThrow(/bogus: not a fault that applies to lab topology-lab \(these do: expired-cert, /);
  });
});
