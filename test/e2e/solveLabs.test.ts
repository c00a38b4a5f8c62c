/**
 * Every lab in labs/, solved end to end through the UI in a real Chromium, the way a learner
 * does it: start the lab, find the failing handshake in the trace (the right alert at the
 * right message) and pin it as evidence — the page then names no conclusion (a screenshot
 * shows it) — give a wrong diagnosis (graded wrong), the right one. Then the fix, as a
 * decision: Verify first (red: nothing is repaired), a plausible wrong fix chosen in the fix
 * panel (applied for real, charged, still red), the lab's own fix chosen the same way (green).
 * A screenshot of each solved lab is kept as an artefact.
 *
 * The test knows the answer (it reads the lab file); the page never does — it learns it from
 * the server only after the correct diagnosis.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, test } from 'vitest';
import { gradeDiagnosis, isWrongFix, rootCauseTitle, wrongFixCost } from '../../server/app/grading.js';
import type { SandboxView, VerifyResponse } from '../../server/app/protocol.js';
import { applyFaults, applyFixes, describeParams, fixActions, targetCandidates } from '../../server/faults/index.js';
import { loadLabs } from '../../server/lab/index.js';
import type { FixActionSpec, LabSpec } from '../../server/lab/schema.js';
import { labsDir } from '../integration/appHarness.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

const docs = await loadLabs(labsDir);
let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/**
 * A plausible wrong fix: another action on what the lab's own fix acts on, else the same
 * action on something else, else any; one that applies to this lab, needs no params, and
 * that grading counts wrong — so the faults stay in place and Verify must stay red.
 */
function wrongFixFor(spec: LabSpec): FixActionSpec {
  const broken = applyFaults(spec, spec.faults);
  const own = spec.scenario.fix[0]!;
  const candidates = [...fixActions.values()]
    .filter((action) => describeParams(action.params).every((param) => !param.required))
    .flatMap((action) => targetCandidates(spec, action.target).map((target): FixActionSpec => ({ action: action.action, target, params: {} })));
  const rank = (fix: FixActionSpec): number => (fix.target === own.target && fix.action !== own.action ? 0 : fix.action === own.action ? 1 : 2);
  for (const fix of candidates.sort((a, b) => rank(a) - rank(b))) {
    let after: LabSpec;
    try {
      after = applyFixes(broken, [fix]);
    } catch {
      continue;
    }
    if (isWrongFix(spec, broken, broken, fix, after)) return fix;
  }
  throw new Error(`no wrong fix for lab ${spec.id}`);
}

/** Chooses a fix in the fix panel, as a learner does, and waits until it is applied. */
async function applyInPage(page: Page, fix: FixActionSpec, applied: number): Promise<void> {
  await page.getByTestId('fix-choose-action').selectOption(fix.action);
  await page.getByTestId('fix-choose-target').selectOption(fix.target!);
  for (const [name, value] of Object.entries(fix.params)) {
    await page.locator(`[data-testid="fix-param"][data-param="${name}"]`).fill(String(value));
  }
  await page.getByTestId('apply-fix').click();
  await expect.poll(() => page.getByTestId('fix-applied').count(), { timeout: 30_000 }).toBe(applied);
  await expect.poll(() => page.getByTestId('sandbox-status').textContent()).toContain('running');
}

/** Presses Verify and reads the verdict the page shows once the server's answer is in. */
async function verifyInPage(page: Page): Promise<VerifyResponse> {
  const [response] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === 'POST' && res.url().endsWith('/verify'), { timeout: 60_000 }),
    page.getByRole('button', { name: 'Verify', exact: true }).click(),
  ]);
  const verdict = (await response.json()) as VerifyResponse;
  await expect.poll(() => page.getByTestId('verify-result').getAttribute('data-green')).toBe(String(verdict.green));
  return verdict;
}

/** Verify's verdict, and each edge's check when it is not the one expected. */
async function expectVerify(page: Page, green: boolean, when: string): Promise<void> {
  const verdict = await verifyInPage(page);
  expect(verdict.green, `Verify ${when}: ${JSON.stringify(verdict.checks)}`).toBe(green);
}

describe('solving every lab in Chromium', () => {
  for (const doc of docs) {
    const { id, scenario } = doc.spec;
    test(`${id}: start, see the failure, diagnose wrong then right, verify red, a wrong fix red, the right fix green`, { timeout: 180_000 }, async () => {
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
      // The event that proves the root cause, as the server's trace pushes it; then found in the page.
      const proof = await traceEvent(sandbox, (event) => gradeDiagnosis(scenario, scenario.answer, event).correct);
      const proofInPage = page.locator(`[data-testid="trace-event"][data-conn="${proof.conn}"][data-seq="${proof.seq}"]`);
      await proofInPage.waitFor();
      const alert = scenario.evidence?.find((evidence) => evidence.alert !== undefined && proof.type.startsWith(`alert ${evidence.alert} `))?.alert;
      if (alert) {
        // The failing handshake shows the right alert, at the message that carries it, as a failure.
        expect(await proofInPage.getAttribute('data-type')).toMatch(new RegExp(`^alert ${alert} \\(\\d+\\)$`));
        expect(await proofInPage.getAttribute('data-severity')).toBe('error');
      }
      await proofInPage.click();
      await page.getByTestId('pin-evidence').click();
      await expect.poll(() => page.getByTestId('evidence').textContent()).toContain(proof.type);

      // Before the diagnosis no panel names the cause; only the choice offering it does.
      await lab.screenshot(`before-diagnosis-${id}`);
      const shown = await page.evaluate(() => {
        const body = document.body.cloneNode(true) as HTMLElement;
        for (const choice of body.querySelectorAll('label:has(input[name="root-cause"])')) choice.remove();
        return body.innerText;
      });
      expect(shown.toLowerCase()).not.toContain(rootCauseTitle(scenario.answer).toLowerCase());

      const wrong = Object.keys(scenario.distractors)[0]!;
      await page.locator(`input[name="root-cause"][value="${wrong}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('diagnosis-result').getAttribute('data-correct')).toBe('false');

      await page.locator(`input[name="root-cause"][value="${scenario.answer}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('diagnosis-result').getAttribute('data-correct')).toBe('true');
      await page.getByRole('heading', { name: 'What happened' }).waitFor();
      const diagnosedScore = Number(await page.getByTestId('score').textContent());

      if (scenario.fix.length === 0) {
        // Nothing is broken (the answer is `none`): Verify is green as the lab stands.
        await expectVerify(page, true, 'with nothing broken');
      } else {
        await expectVerify(page, false, 'with no fix');

        await applyInPage(page, wrongFixFor(doc.spec), 1);
        await expect.poll(() => page.getByTestId('score').textContent()).toBe(String(diagnosedScore - wrongFixCost));
        await expectVerify(page, false, 'after a wrong fix');

        for (const [i, fix] of scenario.fix.entries()) await applyInPage(page, fix, i + 2);
        await expectVerify(page, true, "after the lab's own fix");
      }
      await page.getByTestId('solved').waitFor();

      const view = (await app.api('GET', `/api/sandboxes/${sandbox.id}`)).json as SandboxView;
      expect(view).toMatchObject({ completed: true, diagnosed: true, wrongDiagnoses: 1, wrongFixes: scenario.fix.length === 0 ? 0 : 1 });
      expect(await page.getByTestId('score').textContent()).toBe(String(view.score));
      await lab.screenshot(`solved-${id}`);
      expect(lab.pageErrors).toEqual([]);
    });
  }
});
