/**
 * Every lab in labs/, solved end to end through the UI in a real Chromium, the way a learner
 * does it: start the lab, find the failing handshake in the trace (the right alert at the
 * right message), give a wrong diagnosis (graded wrong), the right one with its evidence,
 * apply the lab's fix, verify — green. A screenshot of each solved lab is kept as an artefact.
 *
 * The test knows the answer (it reads the lab file); the page never does — it learns it from
 * the server only after the correct diagnosis.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { matchesEvidence, provesAnswer } from '../../server/app/grading.js';
import type { SandboxView, TraceResponse } from '../../server/app/protocol.js';
import { loadLabs } from '../../server/lab/index.js';
import { labsDir } from '../integration/appHarness.js';
import { waitForValue } from '../helpers/waitFor.js';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

const docs = await loadLabs(labsDir);
let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('solving every lab in Chromium', () => {
  for (const doc of docs) {
    const { id, scenario } = doc.spec;
    test(`${id}: start, see the failure, diagnose wrong then right, fix, verify green`, { timeout: 120_000 }, async () => {
      lab = await openBrowserLab();
      const { page, app } = lab;
      await page.goto(`${app.origin}/#/lab/${id}`);
      await page.getByRole('button', { name: 'Start lab', exact: true }).click();
      await expect.poll(() => page.getByTestId('sandbox-status').textContent()).toContain('running');

      const sandbox = app.app.sandboxes.list()[0]!;
      if (scenario.evidence?.some((evidence) => evidence.value === 'ETIMEDOUT')) {
        // A pool starves only under load: after the start's burst, the learner sends more.
        const send = page.getByRole('button', { name: 'Send', exact: true });
        await expect.poll(() => send.isEnabled()).toBe(true);
        await page.getByLabel('requests per caller').fill('300');
        await send.click();
      }
      // The event that proves the root cause, as the server sees the trace; then found in the page.
      const proof = await waitForValue(`a trace event proving ${scenario.answer}`, async () => {
        const trace = (await app.api('GET', `/api/sandboxes/${sandbox.id}/trace`)).json as TraceResponse;
        return trace.events.find((event) => provesAnswer(scenario, event));
      });
      const proofInPage = page.locator(`[data-testid="trace-event"][data-conn="${proof.conn}"][data-seq="${proof.seq}"]`);
      await proofInPage.waitFor();
      const alert = scenario.evidence?.find((evidence) => matchesEvidence(proof, evidence))?.alert;
      if (alert) {
        // The failing handshake shows the right alert, at the message that carries it, as a failure.
        expect(await proofInPage.getAttribute('data-type')).toMatch(new RegExp(`^alert ${alert} \\(\\d+\\)$`));
        expect(await proofInPage.getAttribute('data-severity')).toBe('error');
      }
      await proofInPage.click();
      await page.getByTestId('pin-evidence').click();
      await expect.poll(() => page.getByTestId('evidence').textContent()).toContain(proof.type);

      const wrong = Object.keys(scenario.distractors)[0]!;
      await page.locator(`input[name="root-cause"][value="${wrong}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('diagnosis-result').getAttribute('data-correct')).toBe('false');

      await page.locator(`input[name="root-cause"][value="${scenario.answer}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('diagnosis-result').getAttribute('data-correct')).toBe('true');
      await page.getByRole('heading', { name: 'What happened' }).waitFor();

      const fixButtons = page.getByTestId('fix-action');
      expect(await fixButtons.count()).toBe(scenario.fix.length);
      for (let i = 0; i < scenario.fix.length; i++) {
        await fixButtons.nth(i).click();
        await expect.poll(() => fixButtons.nth(i).textContent(), { timeout: 30_000 }).toContain('applied');
      }
      await expect.poll(() => page.getByTestId('sandbox-status').textContent()).toContain('running');

      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await expect.poll(() => page.getByTestId('verify-result').getAttribute('data-green'), { timeout: 60_000 }).toBe('true');
      await page.getByTestId('solved').waitFor();

      const view = (await app.api('GET', `/api/sandboxes/${sandbox.id}`)).json as SandboxView;
      expect(view).toMatchObject({ completed: true, diagnosed: true, wrongDiagnoses: 1 });
      expect(await page.getByTestId('score').textContent()).toBe(String(view.score));
      await lab.screenshot(`solved-${id}`);
      expect(lab.pageErrors).toEqual([]);
    });
  }
});
