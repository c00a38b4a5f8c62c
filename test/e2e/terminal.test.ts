/**
 * The terminal in a real Chromium: the learner types a real `openssl s_client` command in
 * the sandbox's shell, reads openssl's own verdict, and sees that very connection appear in
 * the trace — decrypted with the key log the shell's SSLKEYLOGFILE fed, so the encrypted
 * TLS 1.3 alert is named at the message that carries it. The triage list pastes a command
 * with one click.
 */
import { afterEach, expect, test } from 'vitest';
import { openBrowserLab, type BrowserLab } from './browserLab.js';

let lab: BrowserLab | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function startLabWithTerminal(id: string): Promise<BrowserLab> {
  lab = await openBrowserLab();
  const { page, app } = lab;
  await page.goto(`${app.origin}/#/lab/${id}`);
  await page.getByRole('button', { name: 'Start lab', exact: true }).click();
  await expect.poll(() => page.getByTestId('sandbox-status').textContent()).toContain('running');
  // The lab's own first burst of traffic, so the learner's connection is a later one.
  await page.locator('[data-testid="trace-event"]').first().waitFor();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByTestId('triage-paste').first().waitFor();
  await expect.poll(() => page.getByTestId('triage-paste').first().isEnabled()).toBe(true);
  return lab;
}

const lanes = (lab: BrowserLab): Promise<number[]> =>
  lab.page.locator('[data-testid="trace-event"]').evaluateAll((nodes) => [...new Set(nodes.map((n) => Number(n.getAttribute('data-conn'))))]);

test('a typed openssl s_client command crosses the tap and its decrypted alert appears in the trace', { timeout: 90_000 }, async () => {
  const lab = await startLabWithTerminal('expired-client-cert');
  const { page } = lab;
  const before = await lanes(lab);

  const command = (await page.locator('li', { has: page.getByText(/the handshake as openssl s_client sees it/) }).locator('code').first().textContent())!;
  expect(command).toMatch(/openssl s_client .*-cert /);
  await page.locator('[data-testid="terminal"] .xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');

  // openssl's own words, printed in the terminal.
  await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').textContent(), { timeout: 20_000 }).toMatch(/certificate expired/);

  // The same connection, in the trace: a lane the lab's traffic did not make, with auth's
  // alert 45 decrypted at the message that carries it.
  const alert = page.locator('[data-testid="trace-event"][data-type="alert certificate_expired (45)"]');
  await expect.poll(async () => {
    const conns = await alert.evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-conn'))));
    return conns.some((conn) => !before.includes(conn));
  }, { timeout: 20_000 }).toBe(true);
  await lab.screenshot('terminal-expired-client-cert');
  expect(lab.pageErrors).toEqual([]);
});

test('a triage command is pasted with one click and runs with Enter', { timeout: 90_000 }, async () => {
  const lab = await startLabWithTerminal('baseline');
  const { page } = lab;
  const curlItem = page.locator('li', { has: page.getByText(/payments → auth: one request with curl/) });
  await curlItem.getByTestId('triage-paste').click();
  await page.keyboard.press('Enter');
  // curl -v shows the TLS handshake and the service's answer, which names the caller's identity.
  await expect.poll(() => page.locator('[data-testid="terminal"] .xterm-rows').textContent(), { timeout: 20_000 }).toMatch(/HTTP\/1\.1 200/);
  expect(lab.pageErrors).toEqual([]);
});
