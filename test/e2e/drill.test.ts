/**
 * A team incident drill in Chromium, four people in four browser contexts of one browser: the
 * facilitator (the run's token) creates a room in the page; three learners open its join link
 * (no token), each types a name and lands in their own room view. The facilitator starts the
 * drill: each learner gets a sandbox of their own. Mid-drill the facilitator injects a fault
 * into every sandbox from the console; it reaches every learner as a new incident in their
 * diagnosis panel and as failing connections in their trace. Each learner diagnoses it — one
 * wrong answer, then the right one — and is graded; one learner fixes it and verifies green,
 * and another's sandbox stays broken. A fault to one learner reaches only theirs. The console
 * and the room's scoreboard follow all of it live in every context, a pause too (the test waits
 * for the DOM to change). A scripted timeline written in the editor shows in the console. The
 * facilitator ends the drill; the postmortem page (printed: no nav, no buttons) and its Markdown
 * download list every injection and every learner's finding.
 *
 * The test knows the fault it injects and reads the server's own verdicts to find the event that
 * proves it (as solveLabs.test.ts reads the lab file); the pages learn it only from the server.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, test } from 'vitest';
import type { LabSession } from '../../server/app/labSession.js';
import { rootCauseTitle } from '../../server/app/grading.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { openBrowserLab, screenshotDir, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** What the facilitator injects: auth's server certificate expires, so payments → auth fails its handshake. */
const fault = { kind: 'expired-cert', target: 'auth-server' };
const wrongCause = 'wrong-ca';
const names = ['ada', 'bob', 'cy'] as const;

interface Learner {
  name: string;
  context: BrowserContext;
  page: Page;
  sandbox: string;
}

/** A learner's page: its uncaught errors and refused requests go to `errors`, which the test expects empty. */
function watch(page: Page, who: string, errors: string[]): Page {
  page.on('pageerror', (error) => errors.push(`${who}: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${who}: ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return page;
}

/** The sandbox id the page follows, read off its capture link. */
const sandboxOf = async (page: Page): Promise<string> => /\/api\/sandboxes\/([^/]+)\//.exec((await page.getByRole('link', { name: 'capture.pcapng' }).getAttribute('href')) ?? '')![1]!;

describe('a team incident drill in Chromium', () => {
  test('a facilitator and three learners: room, join by code, own sandboxes, a fault to all graded per learner, live console and scoreboard, postmortem', { timeout: 420_000 }, async () => {
    lab = await openBrowserLab();
    const { app, browser, page: facilitator } = lab;
    const errors: string[] = [];

    // The facilitator creates the room in the page: the baseline lab, isolated sandboxes, no terminal.
    await facilitator.getByRole('link', { name: 'Drills' }).click();
    await facilitator.getByTestId('room-title').fill('Friday drill');
    await facilitator.getByTestId('room-labs').selectOption(['baseline']);
    await facilitator.getByTestId('room-minutes').fill('30');
    await facilitator.getByTestId('room-isolated').check();
    // A scripted timeline, written in the editor: an injection late in the drill and its clear (neither fires within this test).
    await facilitator.getByTestId('step-add').click();
    await facilitator.getByTestId('step-add').click();
    const [scriptedInject, scriptedClear] = [facilitator.getByTestId('timeline-step-draft').nth(0), facilitator.getByTestId('timeline-step-draft').nth(1)];
    await scriptedInject.getByTestId('step-at').fill('25:00');
    await scriptedInject.getByTestId('step-kind').selectOption('expired-cert');
    await scriptedInject.getByTestId('step-target').fill('www-server');
    await scriptedClear.getByTestId('step-at').fill('28:30');
    await scriptedClear.getByTestId('step-action').selectOption('clear');
    await scriptedClear.getByTestId('step-clears').selectOption('s1');
    await facilitator.getByTestId('room-create').click();
    const code = (await facilitator.getByTestId('join-code').textContent())!.trim();
    const joinPath = (await facilitator.getByTestId('join-link').getAttribute('href'))!;
    expect(joinPath).toBe(`/join/${code}`);
    await facilitator.getByTestId('no-learners').waitFor();
    expect(await facilitator.getByTestId('room-clock').getAttribute('data-state')).toBe('open');
    const roomId = /#\/room\/([^/]+)$/.exec(facilitator.url())![1]!;
    const scripted = facilitator.getByTestId('timeline-step');
    expect(await scripted.count()).toBe(2);
    expect(await scripted.nth(0).innerText()).toContain('T+25:00: inject expired-cert on www-server for everyone');
    expect(await scripted.nth(1).innerText()).toContain('T+28:30: clear the incident of s1');
    expect(await scripted.nth(0).getAttribute('data-fired')).toBe('false');

    // Each learner joins by the code in a browser of their own, with no token: the join link's page, a name.
    const learners: Learner[] = [];
    for (const name of names) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = watch(await context.newPage(), name, errors);
      await page.goto(`${app.origin}${joinPath}`);
      expect(await page.getByTestId('join-page-code').textContent()).toBe(code);
      await page.getByTestId('join-name').fill(name);
      await page.getByTestId('join-submit').click();
      await page.getByTestId('drill-waiting').waitFor();
      expect(new URL(page.url()).hash).toBe('#/drill');
      expect(await page.getByTestId('drill-title').textContent()).toBe('Friday drill');
      // The host's pages are not theirs: no link to them, and home is their room.
      await expect.poll(() => page.getByRole('link', { name: 'mtls-lab: home' }).getAttribute('href')).toBe('#/drill');
      expect(await page.getByRole('link', { name: 'Drills' }).count()).toBe(0);
      learners.push({ name, context, page, sandbox: '' });
      // The console shows each join as it happens.
      await facilitator.locator(`[data-testid="learner-row"][data-name="${name}"]`).waitFor();
    }
    const [ada, bob, cy] = learners as [Learner, Learner, Learner];
    // The room's scoreboard in the first learner's page took in the later joins, live.
    await expect.poll(() => ada.page.getByTestId('room-standing').count()).toBe(3);

    // The facilitator starts the drill: each learner's page opens a sandbox of their own (the room started it).
    await facilitator.getByTestId('room-start').click();
    await expect.poll(() => facilitator.getByTestId('room-clock').getAttribute('data-state')).toBe('running');
    for (const learner of learners) {
      await expect.poll(() => learner.page.getByTestId('sandbox-status').textContent(), { timeout: 60_000 }).toContain('running');
      expect(await learner.page.getByTestId('room-clock').getAttribute('data-state')).toBe('running');
      learner.sandbox = await sandboxOf(learner.page);
      await expect.poll(() => facilitator.locator(`[data-testid="learner-row"][data-name="${learner.name}"] [data-testid="learner-started"]`).textContent()).toBe('yes');
    }
    expect(new Set(learners.map((learner) => learner.sandbox)).size).toBe(3);
    // The facilitator lets learners open a terminal; the console shows what the server now holds.
    await Promise.all([
      facilitator.waitForResponse((response) => response.request().method() === 'POST' && response.url().endsWith(`/api/rooms/${roomId}/terminal`)),
      facilitator.getByTestId('room-terminal-allowed').check(),
    ]);
    expect(((await app.api('GET', `/api/rooms/${roomId}`)).json as { terminal: boolean }).terminal).toBe(true);
    // A pause stops every learner's clock, live; the drill resumes.
    await facilitator.getByTestId('room-pause').click();
    for (const learner of learners) await expect.poll(() => learner.page.getByTestId('room-clock').getAttribute('data-state')).toBe('paused');
    await facilitator.getByTestId('room-resume').click();
    for (const learner of learners) await expect.poll(() => learner.page.getByTestId('room-clock').getAttribute('data-state')).toBe('running');
    // No learner's page offers to start, stop or break a sandbox: the room owns them.
    expect(await ada.page.getByRole('button', { name: 'Stop lab' }).count()).toBe(0);
    expect(await ada.page.getByTestId('chaos-panel').count()).toBe(0);
    const session = (learner: Learner): LabSession => app.app.sandboxes.list().find((each) => each.id === learner.sandbox)!;

    // Mid-drill, the facilitator injects the fault into every learner's sandbox from the console.
    await facilitator.getByTestId('inject-kind').selectOption(fault.kind);
    await facilitator.getByTestId('inject-target').fill(fault.target);
    await facilitator.getByTestId('inject-who').selectOption('all');
    await facilitator.getByTestId('inject-submit').click();
    const injected = facilitator.locator(`[data-testid="room-incident"][data-kind="${fault.kind}"]`);
    await injected.waitFor();
    const incident = (await injected.getAttribute('data-incident'))!;
    expect(await facilitator.getByTestId('console-error').count()).toBe(0);

    // It reaches every learner: a new incident in their diagnosis panel (its kind unnamed), failing connections in their trace.
    for (const learner of learners) {
      const shown = learner.page.locator(`[data-testid="drill-incident"][data-incident="${incident}"]`);
      await shown.waitFor({ timeout: 60_000 });
      expect(await shown.getAttribute('data-diagnosis')).toBe('none');
      expect((await learner.page.getByTestId('incidents').textContent())!.toLowerCase()).not.toContain(rootCauseTitle(fault.kind).toLowerCase());
      const send = learner.page.getByRole('button', { name: 'Send', exact: true });
      await expect.poll(() => send.isEnabled(), { timeout: 60_000 }).toBe(true);
      await send.click();
      await learner.page.locator('[data-testid="trace-lane"][data-outcome="failed"]').first().waitFor({ timeout: 60_000 });
    }

    // Each learner diagnoses the incident: a wrong root cause first (graded wrong), then the right one with the event that proves it.
    for (const learner of learners) {
      const { page } = learner;
      const own = session(learner);
      // The event the server's own verdict cites for a connection it puts down to the fault (auth's expired Certificate).
      const proof = await traceEvent(own, (event) => own.verdicts().some((verdict) => verdict.conn === event.conn && verdict.rootCause === fault.kind && verdict.evidence.seq === event.seq));
      await page.locator(`[data-testid="drill-incident"][data-incident="${incident}"] [data-testid="incident-choose"]`).check();
      await page.locator(`[data-testid="trace-event"][data-conn="${proof.conn}"][data-seq="${proof.seq}"]`).click();
      await page.getByTestId('pin-evidence').click();
      await expect.poll(() => page.getByTestId('evidence').textContent()).toContain(proof.type);

      await page.locator(`input[name="root-cause"][value="${wrongCause}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('incident-result').getAttribute('data-correct')).toBe('false');
      // The console counts the wrong answer, live.
      const row = facilitator.locator(`[data-testid="learner-row"][data-name="${learner.name}"]`);
      await expect.poll(() => row.getByTestId('learner-wrong-answers').textContent()).toBe('1');

      await page.locator(`input[name="root-cause"][value="${fault.kind}"]`).check();
      await page.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
      await expect.poll(() => page.getByTestId('incident-result').getAttribute('data-correct')).toBe('true');
      expect(await page.getByTestId('incident-result').textContent()).toContain(rootCauseTitle(fault.kind));
      await expect.poll(() => row.locator(`[data-testid="learner-incident"][data-incident="${incident}"]`).getAttribute('data-detected')).toBe('true');
      // The room's scoreboard in every other learner's page moves with it.
      for (const other of learners) {
        await expect.poll(() => other.page.locator(`[data-testid="room-standing"][data-name="${learner.name}"] [data-testid="room-standing-stage"]`).textContent()).toBe('diagnosed, fixing');
      }
    }
    await lab.screenshot('drill-console-diagnosed');
    await ada.page.screenshot({ path: path.join(screenshotDir, 'drill-learner-diagnosed.png'), fullPage: true });

    // ada repairs her sandbox and verifies green; bob's, untouched by her fix, stays broken.
    await ada.page.getByTestId('fix-choose-action').selectOption('reissue');
    await ada.page.getByTestId('fix-choose-target').selectOption(fault.target);
    await ada.page.getByTestId('apply-fix').click();
    await expect.poll(() => ada.page.getByTestId('fix-applied').count(), { timeout: 60_000 }).toBe(1);
    await ada.page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => ada.page.getByTestId('verify-result').getAttribute('data-green'), { timeout: 90_000 }).toBe('true');
    await expect.poll(() => ada.page.locator(`[data-testid="drill-incident"][data-incident="${incident}"]`).getAttribute('data-fixed')).toBe('true');
    await bob.page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => bob.page.getByTestId('verify-result').getAttribute('data-green'), { timeout: 90_000 }).toBe('false');
    // The facilitator then clears the fault everywhere.
    await injected.getByTestId('incident-clear').click();
    await expect.poll(() => injected.getAttribute('data-cleared')).toBe('true');

    // A fault to one learner reaches only their sandbox: cy's page gets a second incident, ada's and bob's sandboxes none.
    const cyId = (await facilitator.locator('[data-testid="learner-row"][data-name="cy"]').getAttribute('data-participant'))!;
    await facilitator.getByTestId('inject-kind').selectOption(fault.kind);
    await facilitator.getByTestId('inject-target').fill('www-server');
    await facilitator.getByTestId('inject-who').selectOption(cyId);
    await facilitator.getByTestId('inject-submit').click();
    await expect.poll(() => facilitator.getByTestId('room-incident').count()).toBe(2);
    const toCy = facilitator.getByTestId('room-incident').nth(1);
    expect(await toCy.innerText()).toContain('to cy');
    const cyIncident = (await toCy.getAttribute('data-incident'))!;
    await cy.page.locator(`[data-testid="drill-incident"][data-incident="${cyIncident}"]`).waitFor();
    for (const other of [ada, bob]) {
      expect(session(other).incidentRecords().map((record) => record.id)).toEqual([incident]);
      expect(await other.page.getByTestId('drill-incident').count()).toBe(1);
    }

    // The console and every scoreboard follow: ada fixed and verified, bob and cy not.
    const adaRow = facilitator.locator('[data-testid="learner-row"][data-name="ada"]');
    await expect.poll(() => adaRow.locator(`[data-testid="learner-incident"][data-incident="${incident}"]`).getAttribute('data-fixed')).toBe('true');
    await expect.poll(() => adaRow.getByTestId('learner-verified').textContent()).toBe('✓');
    expect(await facilitator.locator('[data-testid="learner-row"][data-name="bob"] [data-testid="learner-verified"]').textContent()).toBe('—');
    for (const learner of [facilitator, bob.page, cy.page]) {
      await expect.poll(() => learner.locator('[data-testid="room-standing"][data-name="ada"] [data-testid="room-standing-stage"]').textContent()).toBe('✓ fixed and verified');
    }
    // Equal scores (one wrong answer each), and ada alone verified: she leads every scoreboard.
    expect(await cy.page.getByTestId('room-standing').first().getAttribute('data-name')).toBe('ada');

    // The facilitator ends the drill: every learner's page says so, and the postmortem holds what happened.
    await facilitator.getByTestId('room-end').click();
    await expect.poll(() => facilitator.getByTestId('room-clock').getAttribute('data-state')).toBe('ended');
    for (const learner of learners) await learner.page.getByTestId('drill-ended').waitFor();

    await facilitator.getByTestId('postmortem-link').click();
    await facilitator.getByTestId('postmortem-title').waitFor();
    expect(new URL(facilitator.url()).hash).toBe(`#/room/${roomId}/postmortem`);
    expect(await facilitator.locator(`[data-testid="postmortem-incident"][data-incident="${incident}"]`).getAttribute('data-kind')).toBe(fault.kind);
    expect(await facilitator.locator(`[data-testid="postmortem-event"][data-what="injected"][data-incident="${incident}"]`).count()).toBe(1);
    expect(await facilitator.locator(`[data-testid="postmortem-event"][data-what="cleared"][data-incident="${incident}"]`).count()).toBe(1);
    // Only what happened: the two injections by hand (the scripted steps never fired); cy alone met the second.
    expect(await facilitator.getByTestId('postmortem-incident').count()).toBe(2);
    const second = facilitator.locator(`[data-testid="postmortem-incident"][data-incident="${cyIncident}"]`);
    expect(await second.getByTestId('postmortem-finding').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-name'), row.getAttribute('data-diagnosis')]))).toEqual([['cy', 'none']]);
    for (const name of names) {
      const finding = facilitator.locator(`[data-testid="postmortem-incident"][data-incident="${incident}"] [data-testid="postmortem-finding"][data-name="${name}"]`);
      expect(await finding.getAttribute('data-diagnosis')).toBe('correct');
      expect(await facilitator.locator(`[data-testid="postmortem-event"][data-what="detected"][data-name="${name}"]`).count()).toBe(1);
      expect(await facilitator.locator(`[data-testid="postmortem-event"][data-what="wrong-diagnosis"][data-name="${name}"]`).count()).toBe(1);
    }
    expect(await facilitator.locator('[data-testid="postmortem-event"][data-what="fixed"][data-name="ada"]').count()).toBe(1);
    expect(await facilitator.locator('[data-testid="postmortem-event"][data-what="fixed"][data-name="bob"]').count()).toBe(0);
    // Printed, the page is the report alone.
    await facilitator.emulateMedia({ media: 'print' });
    expect(await facilitator.getByTestId('postmortem-download').isVisible()).toBe(false);
    expect(await facilitator.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await facilitator.getByRole('link', { name: 'Drills' }).isVisible()).toBe(false);
    await lab.screenshot('drill-postmortem');
    await facilitator.emulateMedia({ media: 'screen' });

    // The Markdown download holds the same: the injection and every learner's finding.
    const [download] = await Promise.all([facilitator.waitForEvent('download'), facilitator.getByTestId('postmortem-download').click()]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const markdown = await readFile((await download.path())!, 'utf8');
    expect(markdown).toContain(fault.kind);
    expect(markdown).toContain(fault.target);
    for (const name of names) expect(markdown).toContain(name);
    expect(markdown).toContain(rootCauseTitle(fault.kind));

    expect(errors).toEqual([]);
    expect(lab.pageErrors).toEqual([]);
  });

  test('a shared room: every learner who joins works the room\'s one sandbox', { timeout: 180_000 }, async () => {
    lab = await openBrowserLab();
    const { app, browser, page: facilitator } = lab;
    await facilitator.getByRole('link', { name: 'Drills' }).click();
    await facilitator.getByTestId('room-labs').selectOption(['baseline']);
    await facilitator.getByTestId('room-shared').check();
    await facilitator.getByTestId('room-create').click();
    const joinPath = (await facilitator.getByTestId('join-link').getAttribute('href'))!;

    const errors: string[] = [];
    const pages: Page[] = [];
    for (const name of ['dee', 'eve']) {
      const page = watch(await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage(), name, errors);
      await page.goto(`${app.origin}${joinPath}`);
      await page.getByTestId('join-name').fill(name);
      await page.getByTestId('join-submit').click();
      await page.getByTestId('drill-waiting').waitFor();
      pages.push(page);
    }
    await facilitator.getByTestId('room-start').click();
    for (const page of pages) await expect.poll(() => page.getByTestId('sandbox-status').textContent(), { timeout: 60_000 }).toContain('running');
    const [dee, eve] = await Promise.all(pages.map(sandboxOf));
    expect(dee).toBe(eve);
    expect(app.app.sandboxes.list()).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(lab.pageErrors).toEqual([]);
  });
});
