/**
 * The quiz as a learner meets it in a real Chromium, for four labs of three levels: the
 * choices in the order the server drew for this sandbox; evidence pinned with "Use as
 * evidence" that stays while the learner browses on; before the diagnosis no panel names the
 * root cause's title or summary, the certificate inspector judges nothing, and an advanced
 * lab shows no notes (a screenshot keeps the step); after it, why each other choice was wrong,
 * the judgements and the notes. The run's quiz seed is fixed, so the orders are too.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { provesAnswer, rootCauseSummary, rootCauseTitle } from '../../server/app/grading.js';
import type { SandboxView } from '../../server/app/protocol.js';
import { loadLabs } from '../../server/lab/index.js';
import { labsDir } from '../integration/appHarness.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

const docs = new Map((await loadLabs(labsDir)).map((doc) => [doc.spec.id, doc.spec]));
let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** Every panel's text, the root-cause choices left out (they name every cause by design). */
const panelText = (page: BrowserLab['page']): Promise<string> =>
  page.evaluate(() => {
    const main = document.querySelector('main')!.cloneNode(true) as HTMLElement;
    for (const choices of main.querySelectorAll('fieldset')) choices.remove();
    return main.textContent ?? '';
  });

describe('the quiz in Chromium', () => {
  for (const id of ['expired-client-cert', 'wrong-ca', 'permissive-mode', 'optional-client-auth']) {
    const spec = docs.get(id)!;
    const { scenario } = spec;
    test(`${id}: shuffled choices, pinned evidence, no conclusion before the diagnosis, reasons after`, { timeout: 120_000 }, async () => {
      lab = await openBrowserLab({ quizSeed: 42 });
      const { page, app } = lab;
      await page.goto(`${app.origin}/#/lab/${id}`);
      await page.getByRole('button', { name: 'Start lab', exact: true }).click();
      await expect.poll(() => page.getByTestId('sandbox-status').textContent()).toContain('running');
      const sandbox = app.app.sandboxes.list()[0]!;

      // The choices in the sandbox's own order, as the server drew it.
      const served = ((await app.api('GET', `/api/sandboxes/${sandbox.id}`)).json as SandboxView).scenario.choices.map((choice) => choice.id);
      expect(await page.locator('input[name="root-cause"]').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).toEqual(served);
      expect([...served].sort()).toEqual([scenario.answer, ...Object.keys(scenario.distractors)].sort());
      // The lab file names the answer first; seed 42's first draw puts it last among four.
      expect(served.indexOf(scenario.answer)).toBe(3);

      // Pin the event that proves it; browsing on leaves the pin where it is.
      const proof = await traceEvent(sandbox, (event) => provesAnswer(scenario, event));
      const event = (seq: number) => page.locator(`[data-testid="trace-event"][data-conn="${proof.conn}"][data-seq="${seq}"]`);
      await event(proof.seq).click();
      await page.getByTestId('pin-evidence').click();
      await expect.poll(() => page.getByTestId('evidence').textContent()).toContain(`connection ${proof.conn}, event ${proof.seq}: ${proof.type}`);
      const other = proof.seq === 0 ? 1 : 0;
      await event(other).click();
      await expect.poll(() => page.getByTestId('message-detail').textContent()).toContain(`event ${other}`);
      expect(await page.getByTestId('evidence').textContent()).toContain(`connection ${proof.conn}, event ${proof.seq}: ${proof.type}`);
      await event(proof.seq).click();

      // Before the diagnosis: facts only.
      await page.locator('[data-testid="certificate"]').first().waitFor();
      const before = (await panelText(page)).toLowerCase();
      expect(before).not.toContain(rootCauseTitle(scenario.answer).toLowerCase());
      expect(before).not.toContain(rootCauseSummary(scenario.answer).toLowerCase());
      expect(await page.locator('[data-testid="certificate"][data-validity]').count()).toBe(0);
      expect(await page.getByTestId('finding').count()).toBe(0);
      if (spec.level === 'advanced') await page.getByTestId('notes-held').waitFor();
      await lab.screenshot(`quiz-before-diagnosis-${id}`);

      await page.locator(`input[name="root-cause"][value="${scenario.answer}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('diagnosis-result').getAttribute('data-correct')).toBe('true');

      // After it: why not each other choice, in the order shown, and the judgements.
      const reasons = page.getByTestId('distractor-reason');
      await reasons.first().waitFor();
      expect(await reasons.evaluateAll((items) => items.map((item) => item.getAttribute('data-cause')))).toEqual(served.filter((cause) => cause !== scenario.answer));
      for (const [cause, why] of Object.entries(scenario.distractors)) {
        expect(await page.locator(`[data-testid="distractor-reason"][data-cause="${cause}"]`).textContent()).toContain(why);
      }
      await expect.poll(() => page.locator('[data-testid="certificate"][data-validity]').count()).toBeGreaterThan(0);
      if (spec.level === 'advanced') {
        await page.locator('[data-testid="message-detail"] .note').waitFor();
        expect(await page.getByTestId('notes-held').count()).toBe(0);
      }
      await lab.screenshot(`quiz-diagnosed-${id}`);
      expect(lab.pageErrors).toEqual([]);
    });
  }
});
