/**
 * From pressing *Start lab* to the first trace event drawn in the page, in a real Chromium
 * (Debian's, through playwright-core), against the same path without a browser measured in
 * the same run, alternately:
 *
 *   page:  click ──POST /api/sandboxes──▶ subscribe (/ws) ──POST traffic──▶ 'trace' push ──▶ event in the DOM, painted
 *   API:   POST /api/sandboxes ──▶ subscribe (ws) ──POST traffic──▶ first 'trace' message
 *
 * The page times itself (performance.now at the click, then the animation frame after the
 * first trace event enters the DOM), so Playwright's own round trips are not counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { createApp, type App } from '../server/app/index.js';
import { formatMs, median } from './stats.js';

const lab = 'expired-client-cert';

export async function benchFirstTrace(labsDir: string, webRoot: string, runs: number): Promise<string[]> {
  const dirs = await Promise.all(['data', 'sandboxes'].map((name) => mkdtemp(path.join(tmpdir(), `mtls-lab-bench-${name}-`))));
  const app = await createApp({ host: '127.0.0.1', port: 0, labsDir, webRoot, dataDir: dirs[0]!, sandboxBaseDir: dirs[1]! });
  const { url } = await app.listen();
  const origin = new URL(url).origin;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const inPage: number[] = [];
    const viaApi: number[] = [];
    for (let i = 0; i < runs; i++) {
      inPage.push(await pageRun(page, origin, app));
      viaApi.push(await apiRun(origin, app));
    }
    const pageMs = median(inPage);
    const apiMs = median(viaApi);
    return [
      `first trace event drawn after pressing Start (${lab}, Chromium, median of ${runs}): ${formatMs(pageMs)} (target ≤ 1000 ms)`,
      `  the same through the API without a browser: ${formatMs(apiMs)}; the page adds ${formatMs(pageMs - apiMs)} (${(pageMs / apiMs).toFixed(2)}×)`,
    ];
  } finally {
    await browser.close();
    await app.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

async function pageRun(page: import('playwright-core').Page, origin: string, app: App): Promise<number> {
  await page.goto(`${origin}/#/lab/${lab}`);
  const start = page.getByRole('button', { name: 'Start lab' });
  await start.waitFor();
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('main button.primary')?.disabled);
  await page.evaluate(() => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Start lab')!;
    (window as unknown as { firstTrace: Promise<number> }).firstTrace = new Promise((resolve) => {
      let clickedAt: number | undefined;
      button.addEventListener('click', () => (clickedAt = performance.now()), { capture: true, once: true });
      const observer = new MutationObserver(() => {
        if (clickedAt === undefined || !document.querySelector('[data-testid="trace-event"]')) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - clickedAt!));
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
  });
  await start.click();
  const ms = await page.evaluate(() => (window as unknown as { firstTrace: Promise<number> }).firstTrace);
  // A lab runs on when its page is left (a reload returns to it): stopped as its Stop button would.
  await page.goto(`${origin}/#/`);
  await Promise.all(app.sandboxes.list().map((session) => app.sandboxes.stop(session.id, 'stopped')));
  return ms;
}

async function apiRun(origin: string, app: App): Promise<number> {
  const headers = { origin, authorization: `Bearer ${app.options.token}`, 'content-type': 'application/json' };
  const started = performance.now();
  const created = await fetch(`${origin}/api/sandboxes`, { method: 'POST', headers, body: JSON.stringify({ lab }) });
  const { id } = (await created.json()) as { id: string };
  const ms = (await firstTraceAt(origin, { origin, authorization: headers.authorization }, id)) - started;
  // Answered once the sandbox has stopped.
  await fetch(`${origin}/api/sandboxes/${id}`, { method: 'DELETE', headers });
  return ms;
}

/**
 * Subscribes to sandbox `id` over /ws, asks it for a page's run of traffic (5 requests), and
 * resolves with the performance.now() at which its first 'trace' message arrived.
 */
export async function firstTraceAt(origin: string, headers: Record<string, string>, id: string): Promise<number> {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers });
  try {
    const firstTrace = new Promise<number>((resolve, reject) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'trace') resolve(performance.now());
      });
      ws.on('error', reject);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ id: 1, type: 'subscribe', sandbox: id }));
    const traffic = fetch(`${origin}/api/sandboxes/${id}/traffic`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ requests: 5 }) });
    const at = await firstTrace;
    await traffic;
    return at;
  } finally {
    ws.close();
  }
}
