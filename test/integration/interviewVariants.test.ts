/**
 * Every lab in one of its variants, for real: the variant's sandbox starts, the lab's evidence
 * shows in its trace, Verify is red before the lab's own fix and green after it. One variant
 * per lab, to keep the run bounded: of those that apply to it, one of the kind the labs before
 * it were given least, so every kind runs on several labs (which an interview draws at random
 * among them is variants.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeDiagnosis } from '../../server/app/grading.js';
import { variedDoc } from '../../server/app/interviews/interviewPlan.js';
import { describeVariant, variantsFor, type Variant } from '../../server/app/interviews/variants.js';
import type { LabSession } from '../../server/app/labSession.js';
import { loadLabs } from '../../server/lab/index.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { labsDir, startTestApp, type TestApp } from './appHarness.js';

const docs = await loadLabs(labsDir);
/** The kind of a variant, each protocol version its own. */
const kindOf = (variant: Variant): string => (variant.kind === 'tls-version' ? variant.version : variant.kind);
const given = new Map<string, number>();
const variants = docs.map((doc) => {
  const [variant] = variantsFor(doc.spec).sort((a, b) => (given.get(kindOf(a)) ?? 0) - (given.get(kindOf(b)) ?? 0));
  if (variant) given.set(kindOf(variant), (given.get(kindOf(variant)) ?? 0) + 1);
  return variant;
});
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('every lab in a drawn variant', () => {
  it('runs every kind of variant', () => {
    expect([...given.keys()].sort()).toEqual(['TLSv1.2', 'TLSv1.3', 'edge', 'stack', 'swap']);
  });

  docs.forEach((doc, i) => {
    const variant = variants[i];
    it(`${doc.spec.id} (${describeVariant(variant)}): starts, shows its evidence, red before its fix and green after`, { timeout: 120_000 }, async () => {
      const session: LabSession = await app.app.sandboxes.start(doc.spec.id, { vary: (lab) => variedDoc(lab, variant) });
      try {
        const { scenario } = session.doc.spec;
        // A pool starves only under load (exhausted-pool's proof is a request that timed out).
        const load = scenario.evidence?.some((evidence) => evidence.value === 'ETIMEDOUT') ? 300 : 5;
        const traffic = session.runTraffic(load);
        const proof = await traceEvent(session, (event) => gradeDiagnosis(scenario, scenario.answer, event).correct);
        await traffic;
        expect(session.diagnose(scenario.answer, { conn: proof.conn, seq: proof.seq }).correct).toBe(true);
        if (scenario.fix.length === 0) {
          expect((await session.verify()).green).toBe(true);
          return;
        }
        const before = await session.verify();
        expect(before.green, JSON.stringify(before.checks)).toBe(false);
        for (const fix of scenario.fix) await session.applyFix(fix);
        const after = await session.verify();
        expect(after.green, JSON.stringify(after.checks)).toBe(true);
      } finally {
        await app.app.sandboxes.stop(session.id, 'stopped');
      }
    });
  });
});
