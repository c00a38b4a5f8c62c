/**
 * `npm test`: every test (unit, integration, browser) through vitest, closed by the one line
 * CI reads — `N passed, N failed` — counting every test that ran. Exits non-zero on any
 * failure, on a test that did not run, and when vitest itself failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
}

const dir = mkdtempSync(path.join(tmpdir(), 'mtls-lab-test-'));
const report = path.join(dir, 'report.json');
const vitest = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let counts: VitestJson | undefined;
try {
  counts = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
} catch {
  counts = undefined;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!counts) {
  process.stdout.write(`vitest wrote no report (exit ${vitest.status ?? vitest.signal})\n0 passed, 1 failed\n`);
  process.exit(1);
}
const notRun = counts.numPendingTests + counts.numTodoTests;
const failed = counts.numFailedTests + notRun;
const ok = vitest.status === 0 && failed === 0 && counts.numPassedTests > 0;
if (notRun > 0) process.stdout.write(`${notRun} tests were skipped or left as todo; every test must run\n`);
process.stdout.write(`${counts.numPassedTests} passed, ${ok ? failed : Math.max(failed, 1)} failed\n`);
process.exit(ok ? 0 : 1);
