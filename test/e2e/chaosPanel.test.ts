/**
 * A facilitator's chaos panel in a real Chromium, on the six-service topology lab: expired-cert
 * injected live on auth's certificate through the panel turns payments → auth red on the next
 * traffic, shows in the incident timeline and fails handshakes in the trace; cleared through
 * the panel, the edge is healthy again and the clear is in the timeline. A wire fault is
 * listed and cleared the same way, and a bad param is refused in one line with its code.
 */
import { afterEach, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;
/** How long a poll waits for the server's next push or answer: a loaded machine only makes it come later. */
const live = { timeout: 60_000 };

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const edgeToAuth = (page: Page) => page.locator('[data-testid="edge"][data-client="payments-to-auth"]');

/**
 * payments → auth as the topology shows the last run: requests answered, refused (failed, not
 * timed out — a loaded machine may time a request out, a refusal is the fault's) and timed out.
 */
async function authEdge(page: Page): Promise<{ outcome: string | null; answered: boolean; refused: number; timedOut: number }> {
  const edge = edgeToAuth(page);
  const figures = (await edge.locator('.figures').textContent({ timeout: 1000 }).catch(() => '')) ?? '';
  const count = (word: string): number => Number(new RegExp(`(\\d+)(/s)? ${word}`).exec(figures)?.[1] ?? 0);
  const timedOut = count('timed out');
  return { outcome: await edge.getAttribute('data-outcome'), answered: count('ok') > 0, refused: count('failed') - timedOut, timedOut };
}

/** A fresh burst of the lab's traffic: edge health is what the callers saw on it. */
async function sendTraffic(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isEnabled(), live).toBe(true);
}

test('inject and clear a certificate fault and a wire fault by hand: edge red then healthy, the incident timeline, the trace', { timeout: 300_000 }, async () => {
  lab = await openBrowserLab();
  const { page, app } = lab;
  await page.goto(`${app.origin}/#/lab/topology-lab`);
  await page.getByRole('button', { name: 'Start lab', exact: true }).click();
  await expect.poll(() => page.getByTestId('sandbox-status').textContent(), { timeout: 120_000 }).toContain('running');
  await expect.poll(() => authEdge(page), { timeout: 120_000 }).toMatchObject({ answered: true, refused: 0 });
  const sandbox = app.app.sandboxes.list()[0]!;

  await page.getByTestId('chaos-open').click();
  await page.getByTestId('chaos-kind').selectOption('fault:expired-cert');
  await page.getByTestId('chaos-target').selectOption('auth-server');
  await page.getByTestId('chaos-inject').click();
  const active = page.getByTestId('chaos-active');
  await expect.poll(() => active.textContent(), live).toContain('expired-cert on auth-server');
  expect(sandbox.faults.map((fault) => `${fault.kind} ${fault.target}`)).toEqual(['expired-cert auth-server']);
  await expect.poll(() => page.locator('[data-testid="incident"][data-injected="true"]').textContent(), live).toContain('auth-server');

  await sendTraffic(page);
  await expect.poll(() => authEdge(page), live).toMatchObject({ outcome: 'failing', answered: false });
  expect((await authEdge(page)).refused).toBeGreaterThan(0);
  await expect.poll(() => page.locator('[data-testid="trace-lane"][data-outcome="failed"][aria-label*="to auth"]').count(), live).toBeGreaterThan(0);
  await lab.screenshot('chaos-panel-expired-cert-injected');

  await page.getByTestId('chaos-clear').click();
  await expect.poll(() => active.count(), live).toBe(0);
  await expect.poll(() => page.locator('[data-testid="incident"][data-injected="false"]').textContent(), live).toContain('auth-server');
  // Healthy again within a few bursts: a loaded machine may still be re-issuing and restarting auth's s_server as the first one starts.
  let healed = false;
  for (let burst = 0; burst < 5 && !healed; burst++) {
    await sendTraffic(page);
    const edge = await authEdge(page);
    healed = edge.answered && edge.refused === 0;
  }
  expect(await authEdge(page)).toMatchObject({ answered: true, refused: 0 });

  // A wire fault: a bad param is refused in one line, a good one listed, then cleared.
  await page.getByTestId('chaos-kind').selectOption('wire:latency');
  await page.getByTestId('chaos-target').selectOption('ledger');
  await page.locator('[data-testid="chaos-param"][data-param="latencyMs"]').fill('soon');
  await page.getByTestId('chaos-inject').click();
  await expect.poll(() => page.getByTestId('chaos-error').textContent(), live).toMatch(/^BAD_PARAMS: .*latencyMs/);
  await page.locator('[data-testid="chaos-param"][data-param="latencyMs"]').fill('50');
  await page.getByTestId('chaos-inject').click();
  const wire = page.getByTestId('chaos-active-wire');
  await expect.poll(() => wire.textContent(), live).toContain('latency on ledger downstream latencyMs=50');
  expect(sandbox.wireFaults.map((fault) => `${fault.kind} ${fault.edge} ${String(fault.params.latencyMs)}`)).toEqual(['latency ledger 50']);
  expect(await page.getByTestId('chaos-error').count()).toBe(0);
  await page.getByTestId('chaos-clear-wire').click();
  await expect.poll(() => wire.count(), live).toBe(0);
  expect(sandbox.wireFaults).toEqual([]);

  expect(lab.pageErrors).toEqual([`400 PUT ${app.origin}/api/sandboxes/${sandbox.id}/wire-faults`]);
});
