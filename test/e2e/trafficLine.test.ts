/**
 * The machine's traffic line, in Chromium: while another lab's run holds the whole traffic
 * budget, a learner's Start sends each caller's first request at once (the trace shows it), the
 * page says the rest waits its turn, and once the run ahead ends the rest goes and the page
 * says so no more.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { TraceResponse } from '../../server/app/protocol.js';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('the traffic line in Chromium', () => {
  test('a run that does not fit shows its first requests at once, says it waits, and goes when the run ahead ends', { timeout: 120_000 }, async () => {
    // baseline's two callers send 5 requests a second each: one run fills a budget of 10.
    lab = await openBrowserLab({ trafficRps: 10 });
    const { app, page } = lab;
    const live = { timeout: 30_000 };

    const ahead = (await app.api('POST', '/api/sandboxes', { lab: 'baseline' })).json as { id: string };
    const aheadRun = app.api('POST', `/api/sandboxes/${ahead.id}/traffic`, { requests: 1000 });
    // Under way once its first connection is traced: it holds the budget from its start.
    await expect.poll(async () => ((await app.api('GET', `/api/sandboxes/${ahead.id}/trace`)).json as TraceResponse).events.length, live).toBeGreaterThan(0);

    await page.goto(`${app.origin}/#/lab/baseline`);
    await page.getByRole('button', { name: 'Start lab', exact: true }).click();
    const waiting = page.getByTestId('traffic-waiting');
    await expect.poll(() => waiting.textContent(), live).toMatch(/First requests sent\..*the rest goes at the lab's own rate when its turn\s+comes \(next in line\)/s);
    // Each caller's first request went: browser → www and payments → auth, one connection each.
    await expect.poll(() => page.locator('[data-testid="trace-lane"]').count(), live).toBeGreaterThanOrEqual(2);
    await lab.screenshot('traffic-line-waiting');
    expect(await page.getByRole('button', { name: 'Sending…', exact: true }).isDisabled()).toBe(true);

    expect((await app.api('DELETE', `/api/sandboxes/${ahead.id}`)).status).toBe(204);
    await aheadRun;
    await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isEnabled(), live).toBe(true);
    expect(await waiting.count()).toBe(0);
    expect(lab.pageErrors).toEqual([]);
  });
});
