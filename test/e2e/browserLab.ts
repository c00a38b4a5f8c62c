/**
 * A real Chromium (Debian's, through playwright-core) on the real web lab: the built page
 * (`npm run build` → dist/web), the app on 127.0.0.1 port 0 with temporary data and sandbox
 * dirs, and a page that entered through the URL with the run's token, as a learner does.
 *
 *   test ──playwright──▶ chromium ──HTTP + /ws (token cookie)──▶ createApp ──▶ sandboxes
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../integration/appHarness.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webRoot = path.join(root, 'dist/web');
/** Kept by CI as the run's artefacts (ignored by git). */
export const screenshotDir = path.join(root, 'test-results/screenshots');
export const chromiumPath = '/usr/bin/chromium';

export interface BrowserLab {
  app: TestApp;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests of the page: a test ends by expecting none. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `idleStopMs`: the server's idle stop, shortened for a test that waits for it; `quizSeed`: fixes the order of every
 * sandbox's choices; `trafficRps`: the machine's traffic budget, small for a test of the line.
 */
export async function openBrowserLab(options: { colorScheme?: 'light' | 'dark'; idleStopMs?: number; quizSeed?: number; trafficRps?: number } = {}): Promise<BrowserLab> {
  if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error(`the web app is not built at ${webRoot}: run \`npm run build\` (npm test does)`);
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (.ci/run does)`);
  const app = await startTestApp({
    webRoot,
    ...(options.idleStopMs === undefined ? {} : { idleStopMs: options.idleStopMs }),
    ...(options.quizSeed === undefined ? {} : { quizSeed: options.quizSeed }),
    ...(options.trafficRps === undefined ? {} : { trafficRps: options.trafficRps }),
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, colorScheme: options.colorScheme ?? 'light' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on('console', (message) => {
      // A failed request is reported above, with its URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    await page.goto(`${app.origin}/?token=${app.token}`);
    const opened = browser;
    return {
      app,
      browser: opened,
      context,
      page,
      pageErrors,
      async screenshot(name) {
        await mkdir(screenshotDir, { recursive: true });
        const file = path.join(screenshotDir, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      async close() {
        await opened.close();
        await app.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await app.stop();
    throw error;
  }
}
