/**
 * A drill in Chromium: the facilitator's tab shows the scoreboard while a learner, in a tab
 * of their own, types a name and starts a lab; the learner's row appears, and follows a hint
 * and the end of the sandbox, live over the socket — no reload.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('the drill scoreboard in Chromium', () => {
  test('shows a learner who starts a lab, their hint, and their sandbox going away, live', { timeout: 120_000 }, async () => {
    lab = await openBrowserLab();
    const { page: facilitator, app, context } = lab;
    await facilitator.getByRole('link', { name: 'Scoreboard' }).click();
    await facilitator.getByTestId('scoreboard-empty').waitFor();

    const learner = await context.newPage();
    await learner.goto(`${app.origin}/#/lab/wrong-eku`);
    await learner.getByTestId('learner').fill('ada');
    await learner.getByRole('button', { name: 'Start lab', exact: true }).click();
    await expect.poll(() => learner.getByTestId('sandbox-status').textContent()).toContain('running');

    const row = facilitator.locator('[data-testid="standing"][data-learner="ada"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Issued from the wrong template');
    expect(await row.getByTestId('stage').textContent()).toBe('investigating');

    // The learner asks for a hint in their tab; the facilitator's row follows.
    await learner.getByRole('button', { name: /hint/i }).click();
    await expect.poll(() => row.getByTestId('hints').textContent()).toBe('1');
    expect(Number(await row.getByTestId('standing-score').textContent())).toBeLessThan(100);
    await lab.screenshot('scoreboard');

    // The scoreboard names no sandbox; the operator's token lists every one.
    const [sandbox] = (await app.api('GET', '/api/sandboxes')).json.sandboxes as Array<{ id: string }>;
    await app.api('DELETE', `/api/sandboxes/${sandbox!.id}`);
    await facilitator.getByTestId('scoreboard-empty').waitFor();
    expect(lab.pageErrors).toEqual([]);
  });
});
