/**
 * Every lab in one drawn variant, for real: the variant's sandbox starts, the lab's evidence
 * shows in its trace, Verify is red before the lab's own fix and green after it. One variant
 * per lab (drawn from a seed per lab, as an interview draws it), to keep the run bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeDiagnosis } from '../../server/app/grading.js';
import { variedDoc } from '../../server/app/interviews/interviewPlan.js';
import { describeVariant, drawVariant } from '../../server/app/interviews/variants.js';
import type { LabSession } from '../../server/app/labSession.js';
import { loadLabs } from '../../server/lab/index.js';
import { seededRandom } from '../../server/runtime/seededRandom.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { labsDir, startTestApp, type TestApp } from './appHarness.js';

const docs = await loadLabs(labsDir);
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('every lab in a drawn variant', () => {
  docs.forEach((doc, i) => {
    const variant = drawVariant(doc.spec, seededRandom(1000 + i));
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
