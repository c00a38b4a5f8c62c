/**
 * An interview in Chromium, three people in three browser contexts of one browser: the host
 * (the run's token) creates it in the page and copies its two links; the interviewer opens
 * theirs and lands on the live view; the candidate opens theirs (no token) and lands on the lab
 * the interview started for them, with the countdown. The candidate opens a trace event,
 * inspects a certificate, types a command in the real terminal and diagnoses; the interviewer's
 * page shows each as it happens (the test waits for the DOM to change). The report page holds
 * the timeline and the rubric. Nothing the candidate's browser received — the page's DOM, any
 * response body (the bundle included), any WebSocket frame — holds a model answer or a follow-up.
 *
 * The test reads the server's own session to find the event that proves the lab's answer (as
 * solveLabs.test.ts reads the lab file); the pages learn it only from the server.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, test } from 'vitest';
import { gradeDiagnosis } from '../../server/app/grading.js';
import { questionBank } from '../../server/app/interviews/questionBank.js';
import { traceEvent } from '../helpers/traceEvent.js';
import { openBrowserLab, screenshotDir, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** The interviewer's activity list holds an entry of `kind` whose words match `text`. */
async function seesActivity(page: Page, kind: string, text: RegExp): Promise<void> {
  await expect.poll(() => page.locator(`[data-testid="activity-entry"][data-kind="${kind}"]`).allTextContents(), { timeout: 30_000 }).toContainEqual(expect.stringMatching(text));
}

describe('an interview in Chromium', () => {
  test('host creates it, candidate and interviewer join by link, the interviewer sees the candidate live, the report holds timeline and rubric, the candidate never the model answers', { timeout: 300_000 }, async () => {
    lab = await openBrowserLab();
    const { app, browser, page: host } = lab;
    const errors: string[] = [];

    // The host creates the interview in the page: one lab, 30 minutes, no hints.
    await host.getByRole('link', { name: 'Interviews' }).click();
    await host.locator('[data-testid="interview-lab"][value="wrong-ca"]').check();
    await host.getByTestId('interview-minutes').fill('30');
    await host.getByTestId('interview-create').click();
    const candidateLink = (await host.getByTestId('candidate-link').textContent())!.trim();
    const interviewerLink = (await host.getByTestId('interviewer-link').textContent())!.trim();
    expect(candidateLink).toMatch(new RegExp(`^${app.origin}/join/[A-Za-z0-9_-]{24}$`));
    expect(interviewerLink).not.toBe(candidateLink);

    // The interviewer joins by their link, in a browser of their own.
    const interviewerContext = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // The interviewer's clock runs an hour ahead of the server's: the watch counts from the server's word, not its own date.
    await interviewerContext.clock.install({ time: Date.now() + 3_600_000 });
    const interviewer = await interviewerContext.newPage();
    interviewer.on('pageerror', (error) => errors.push(`interviewer: ${error.message}`));
    await interviewer.goto(interviewerLink);
    await interviewer.getByTestId('join-name').fill('Grace');
    await interviewer.getByTestId('join-submit').click();
    await expect.poll(() => interviewer.getByTestId('watch-state').textContent(), { timeout: 20_000 }).toBe('waiting');
    expect(interviewer.url()).toMatch(/#\/interview\/iv-[0-9a-f]{12}\/watch$/);

    // The candidate joins by theirs; everything their browser receives is kept.
    const candidateContext = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const candidate = await candidateContext.newPage();
    const received: Array<Promise<string>> = [];
    candidate.on('response', (response) => received.push(response.text().catch(() => '')));
    candidate.on('websocket', (ws) => ws.on('framereceived', (frame) => received.push(Promise.resolve(String(frame.payload)))));
    candidate.on('pageerror', (error) => errors.push(`candidate: ${error.message}`));
    await candidate.goto(candidateLink);
    await candidate.getByTestId('join-name').fill('Ada');
    await candidate.getByTestId('join-submit').click();
    await candidate.getByTestId('candidate-interview').waitFor();
    await expect.poll(() => candidate.getByTestId('sandbox-status').textContent(), { timeout: 30_000 }).toContain('running');
    await candidate.getByTestId('interview-countdown').waitFor();
    await expect.poll(() => interviewer.getByTestId('watch-candidate').textContent()).toBe('Ada');
    await seesActivity(interviewer, 'lab-started', /lab wrong-ca started/);
    await interviewer.getByTestId('watch-clock').waitFor();
    expect(await interviewer.getByTestId('watch-clock').textContent()).toMatch(/^(30 min 00|29 min [0-5]\d) s$/);

    // The candidate sends traffic and opens the event that proves the answer.
    const session = app.app.sandboxes.list().find((each) => each.interview)!;
    const { scenario } = session.doc.spec;
    const proofFound = traceEvent(session, (event) => gradeDiagnosis(scenario, scenario.answer, event).correct);
    await candidate.getByRole('button', { name: 'Send', exact: true }).click();
    const proof = await proofFound;
    const proofInPage = candidate.locator(`[data-testid="trace-event"][data-conn="${proof.conn}"][data-seq="${proof.seq}"]`);
    await proofInPage.click();
    await seesActivity(interviewer, 'event-opened', new RegExp(`opened trace event ${proof.conn}\\.${proof.seq}`));

    // …inspects a certificate's details in the certificates tab…
    await candidate.locator('[data-testid="certificate"] details summary').first().click();
    await seesActivity(interviewer, 'certificate-inspected', /inspected certificate .+ \(from the files\)/);

    // …types a command in the terminal…
    await candidate.getByRole('tab', { name: 'Terminal' }).click();
    await candidate.getByTestId('triage-paste').first().waitFor();
    await candidate.locator('[data-testid="terminal"] .xterm-helper-textarea').focus();
    await candidate.keyboard.type('openssl version');
    await candidate.keyboard.press('Enter');
    await seesActivity(interviewer, 'command', /typed `openssl version`/);

    // …and diagnoses: one wrong answer, then the right one.
    await proofInPage.click();
    await candidate.getByTestId('pin-evidence').click();
    const wrong = Object.keys(scenario.distractors)[0]!;
    await candidate.locator(`input[name="root-cause"][value="${wrong}"]`).check();
    await candidate.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
    await seesActivity(interviewer, 'diagnosis', /— wrong$/);
    await candidate.locator(`input[name="root-cause"][value="${scenario.answer}"]`).check();
    await candidate.getByRole('button', { name: 'Submit diagnosis', exact: true }).click();
    await seesActivity(interviewer, 'diagnosis', /— right$/);
    await expect.poll(() => interviewer.getByTestId('watch-diagnosis').textContent()).toMatch(/\(right\)$/);
    await expect.poll(() => interviewer.getByTestId('watch-first-hypothesis').textContent()).not.toBe('—');

    // The report: the timeline and the rubric, and the questions with model answers — for the interviewer.
    await interviewer.getByRole('link', { name: 'Report' }).click();
    await interviewer.getByTestId('interview-report').waitFor();
    await expect.poll(() => interviewer.getByTestId('rubric-criterion').count()).toBe(5);
    const timeline = await interviewer.getByTestId('report-entry').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-kind')));
    expect(timeline).toEqual(['lab-started', 'event-opened', 'certificate-inspected', 'command', 'event-opened', 'diagnosis', 'diagnosis']);
    expect(await interviewer.locator('[data-testid="rubric-criterion"][data-id="root-cause"]').getAttribute('data-score')).toBe('2');
    expect(await interviewer.getByTestId('report-question').count()).toBeGreaterThan(0);
    expect(await interviewer.getByTestId('report-markdown').getAttribute('href')).toMatch(/\/api\/interviews\/iv-[0-9a-f]{12}\/report\.md$/);
    await mkdir(screenshotDir, { recursive: true });
    await interviewer.screenshot({ path: path.join(screenshotDir, 'interview-report.png'), fullPage: true });

    // The candidate's browser never held a model answer or a follow-up: not in the DOM, not in anything it received.
    const dom = await candidate.content();
    const bodies = (await Promise.all(received)).join('\n');
    expect(bodies).toContain('"interview":true');
    for (const question of questionBank) {
      const snippets = [question.modelAnswer.slice(0, 60), ...question.followUps];
      for (const snippet of snippets) {
        expect(dom).not.toContain(snippet);
        expect(bodies).not.toContain(snippet);
        expect(bodies).not.toContain(JSON.stringify(snippet).slice(1, -1));
      }
    }
    expect(errors).toEqual([]);
  });
});
