/**
 * Learners are people, in Chromium: two browser contexts (two people) with different names on
 * one server start the same lab; each reload brings each back to their own sandbox with its
 * score; a second tab of one learner shows the same sandbox; their progress stays apart; an
 * interview says so and counts down.
 */
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { learnerCookieName } from '../../server/app/learners.js';
import type { TraceEvent, TraceResponse } from '../../server/app/protocol.js';
import { waitForValue } from '../helpers/waitFor.js';
import { openBrowserLab, screenshotDir, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** The sandbox id the page follows, read off its capture link. */
const sandboxOf = async (page: Page): Promise<string> => /\/api\/sandboxes\/([^/]+)\//.exec((await page.getByRole('link', { name: 'capture.pcapng' }).getAttribute('href')) ?? '')![1]!;
const scoreOf = async (page: Page): Promise<number> => Number(await page.getByTestId('score').textContent());
const running = (page: Page) => expect.poll(() => page.getByTestId('sandbox-status').textContent(), { timeout: 30_000 }).toContain('running');

async function startLab(page: Page, origin: string, labId: string, name: string, interview = false): Promise<void> {
  await page.goto(`${origin}/#/lab/${labId}`);
  await page.getByTestId('learner').fill(name);
  if (interview) await page.getByTestId('interview-mode').check();
  await page.getByRole('button', { name: 'Start lab', exact: true }).click();
  await running(page);
}

describe('learners in Chromium', () => {
  test('two learners reload into their own labs, a second tab shows the same one, progress stays apart, an interview counts down', { timeout: 180_000 }, async () => {
    lab = await openBrowserLab();
    const { app, browser, context, page: ada } = lab;
    const otherErrors: string[] = [];
    const watch = (page: Page): Page => {
      page.on('pageerror', (error) => otherErrors.push(error.message));
      return page;
    };

    const bobContext = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const bob = watch(await bobContext.newPage());
    await bob.goto(`${app.origin}/?token=${app.token}`);

    await startLab(ada, app.origin, 'wrong-eku', 'ada');
    await ada.getByRole('button', { name: /hint/i }).click();
    await expect.poll(() => scoreOf(ada)).toBeLessThan(100);
    const adaScore = await scoreOf(ada);
    const adaSandbox = await sandboxOf(ada);

    await startLab(bob, app.origin, 'wrong-eku', 'bob');
    const bobSandbox = await sandboxOf(bob);
    expect(bobSandbox).not.toBe(adaSandbox);
    expect(await scoreOf(bob)).toBe(100);

    // A reload mid-lab: each is back in their own sandbox, with its score and hint.
    await ada.reload();
    await running(ada);
    expect(await sandboxOf(ada)).toBe(adaSandbox);
    expect(await scoreOf(ada)).toBe(adaScore);
    await bob.reload();
    await running(bob);
    expect(await sandboxOf(bob)).toBe(bobSandbox);
    expect(await scoreOf(bob)).toBe(100);

    // A second tab of ada's: the same sandbox, not a third one.
    const adaTab = watch(await context.newPage());
    await adaTab.goto(`${app.origin}/#/lab/wrong-eku`);
    await running(adaTab);
    expect(await sandboxOf(adaTab)).toBe(adaSandbox);
    expect(await scoreOf(adaTab)).toBe(adaScore);
    expect(app.app.sandboxes.list()).toHaveLength(2);
    await lab.screenshot('learner-reloaded');

    // ada solves baseline (through the API, as her browser's learner); only her catalogue counts it.
    const adaLearner = (await context.cookies()).find((cookie) => cookie.name === learnerCookieName(app.port))!.value;
    const bobLearner = (await bobContext.cookies()).find((cookie) => cookie.name === learnerCookieName(app.port))!.value;
    expect(bobLearner).not.toBe(adaLearner);
    const id = (await app.pageApi(adaLearner, 'POST', '/api/sandboxes', { lab: 'baseline' })).json.id as string;
    await app.pageApi(adaLearner, 'POST', `/api/sandboxes/${id}/traffic`, { requests: 1 });
    const proof = await waitForValue<TraceEvent>('a CertificateRequest', async () =>
      ((await app.pageApi(adaLearner, 'GET', `/api/sandboxes/${id}/trace`)).json as TraceResponse).events.find((e) => e.type === 'CertificateRequest'),
    );
    expect((await app.pageApi(adaLearner, 'POST', `/api/sandboxes/${id}/diagnosis`, { rootCause: 'none', evidence: { conn: proof.conn, seq: proof.seq } })).json.correct).toBe(true);
    expect((await app.pageApi(adaLearner, 'POST', `/api/sandboxes/${id}/verify`)).json.green).toBe(true);
    await ada.goto(`${app.origin}/#/`);
    await expect.poll(() => ada.locator('.totals').textContent()).toMatch(/^1 of \d+ labs solved/);
    // The catalogue names each one's running lab, with its own score.
    expect(await ada.locator('[data-lab="wrong-eku"] [data-testid="running"]').textContent()).toContain(`${adaScore} pts`);
    await bob.goto(`${app.origin}/#/`);
    await expect.poll(() => bob.locator('.totals').textContent()).toMatch(/^0 of \d+ labs solved/);
    expect(await bob.locator('[data-lab="wrong-eku"] [data-testid="running"]').textContent()).toContain('100 pts');
    expect(await bob.locator('[data-lab="baseline"] [data-testid="running"]').count()).toBe(0);

    // bob, in interview mode: the page says so and counts down the lab's minutes.
    await startLab(bob, app.origin, 'clock-skew', 'bob', true);
    await bob.getByTestId('interview').waitFor();
    const first = await bob.getByTestId('interview-countdown').textContent();
    expect(first).toMatch(/^\d+ min \d{2} s$/);
    await expect.poll(() => bob.getByTestId('interview-countdown').textContent()).not.toBe(first);
    await bob.screenshot({ path: path.join(screenshotDir, 'learner-interview.png'), fullPage: true });

    await bobContext.close();
    expect(lab.pageErrors).toEqual([]);
    expect(otherErrors).toEqual([]);
  });

  test("a lab's time counts from its start on the server, on a page whose clock is an hour behind", { timeout: 60_000 }, async () => {
    lab = await openBrowserLab();
    const { app, page } = lab;
    // Time flows on from here in the page; fastForward jumps it.
    await page.clock.install({ time: Date.now() - 3_600_000 });
    await startLab(page, app.origin, 'wrong-eku', 'ada');
    const elapsed = page.getByTestId('elapsed');
    expect(await elapsed.textContent()).toMatch(/^\d s$/);
    await page.clock.fastForward(65_000);
    await expect.poll(() => elapsed.textContent()).toMatch(/^1 min 0\d s$/);
    expect(lab.pageErrors).toEqual([]);
  });

  test("bob's browser cannot read ada's sandbox, its trace or its terminal; bob's lab left with no page stops after the idle time", { timeout: 120_000 }, async () => {
    lab = await openBrowserLab({ idleStopMs: 3000 });
    const { app, browser, page: ada } = lab;
    await startLab(ada, app.origin, 'expired-client-cert', 'ada');
    const adaSandbox = await sandboxOf(ada);

    const bobContext = await browser.newContext();
    const bob = await bobContext.newPage();
    await bob.goto(`${app.origin}/?token=${app.token}`);
    // From bob's page, with bob's cookies: the API and the socket, as any script on his page could.
    const seen = await bob.evaluate(async (id) => {
      const statuses: Record<string, number> = {};
      for (const rest of ['', '/trace', '/certificates', '/keys.log']) statuses[rest] = (await fetch(`/api/sandboxes/${id}${rest}`)).status;
      const listed = await (await fetch('/api/sandboxes')).text();
      const ws = new WebSocket(`ws://${location.host}/ws`);
      const replies: Array<{ id: number; ok: boolean; error?: { code: string } }> = [];
      await new Promise<void>((resolve) => {
        ws.onopen = () => {
          ws.send(JSON.stringify({ id: 1, type: 'subscribe', sandbox: id }));
          ws.send(JSON.stringify({ id: 2, type: 'terminal-open', sandbox: id, cols: 80, rows: 24 }));
        };
        ws.onmessage = (event) => {
          replies.push(JSON.parse(String(event.data)));
          if (replies.length === 2) resolve();
        };
      });
      ws.close();
      return { statuses, listed, replies };
    }, adaSandbox);
    expect(seen.statuses).toEqual({ '': 404, '/trace': 404, '/certificates': 404, '/keys.log': 404 });
    expect(seen.listed).toBe('{"sandboxes":[]}');
    expect(seen.replies.map((r) => [r.id, r.ok, r.error?.code])).toEqual([
      [1, false, 'SANDBOX_NOT_FOUND'],
      [2, false, 'SANDBOX_NOT_FOUND'],
    ]);

    // bob starts a lab, then closes his browser: with no page of his open, the server stops it.
    await startLab(bob, app.origin, 'baseline', 'bob');
    const bobSandbox = await sandboxOf(bob);
    const stopped = new Promise<string>((resolve) => app.app.sandboxes.changes.on('stopped', resolve));
    await bobContext.close();
    expect(await stopped).toBe(bobSandbox);
    // ada's page stayed open all along, and her lab (started before bob's) runs on.
    expect(app.app.sandboxes.list().map((session) => session.id)).toEqual([adaSandbox]);
    expect(await ada.getByTestId('sandbox-status').textContent()).toContain('running');
    expect(lab.pageErrors).toEqual([]);
  });
});
