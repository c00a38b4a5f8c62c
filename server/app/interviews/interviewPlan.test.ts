import { beforeAll, describe, expect, it } from 'vitest';
import { loadLabs, type LabDocument } from '../../lab/index.js';
import { ApiError } from '../errors.js';
import { planInterview, variedDoc } from './interviewPlan.js';
import { variantsFor } from './variants.js';

let catalogue: LabDocument[];
beforeAll(async () => {
  catalogue = await loadLabs(new URL('../../../labs', import.meta.url).pathname);
});

describe('planInterview', () => {
  it('runs the labs picked, in order, each with a variant that applies to it', () => {
    const plan = planInterview(catalogue, { labs: ['wrong-ca', 'expired-client-cert'] }, 1);
    expect(plan.map((p) => p.doc.spec.id)).toEqual(['wrong-ca', 'expired-client-cert']);
    for (const { doc, variant } of plan) expect(variantsFor(doc.spec)).toContainEqual(variant);
  });

  it('draws a random set of one level, never the baseline or the chaos topology, the same for the same seed', () => {
    const draw = (seed: number) => planInterview(catalogue, { level: 'beginner', count: 3 }, seed);
    const plan = draw(42);
    expect(plan).toHaveLength(3);
    expect(new Set(plan.map((p) => p.doc.spec.id)).size).toBe(3);
    for (const { doc } of plan) {
      expect(doc.spec.level).toBe('beginner');
      expect(['baseline', 'topology-lab']).not.toContain(doc.spec.id);
    }
    expect(draw(42)).toEqual(plan);
    const sets = new Set(Array.from({ length: 20 }, (_, seed) => draw(seed).map((p) => p.doc.spec.id).join()));
    expect(sets.size).toBeGreaterThan(1);
  });

  it('refuses a lab the catalogue does not have, and more labs of a level than it has', () => {
    expect(() => planInterview(catalogue, { labs: ['nope'] }, 1)).toThrow(expect.objectContaining({ code: 'LAB_NOT_FOUND' }) as ApiError);
    expect(() => planInterview(catalogue, { level: 'advanced', count: 99 }, 1)).toThrow(/"count": 99 labs of level advanced asked/);
  });
});

describe('variedDoc', () => {
  it('gives the lab in its variant, and as written without one', () => {
    const doc = catalogue.find((d) => d.spec.id === 'wrong-ca')!;
    expect(variedDoc(doc, undefined)).toBe(doc);
    expect(variedDoc(doc, { kind: 'tls-version', version: 'TLSv1.3' }).spec.services.ledger!.tls).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  });
});
