/**
 * `npm run bench`: medians and ratios against baselines measured in the same run. It
 * prints; it never fails on a figure.
 */
import path from 'node:path';
import { labsDir } from '../server/cli/labFiles.js';
import { benchColdStart } from './coldStart.js';
import { benchDecoder } from './decoder.js';
import { benchFirstTrace } from './firstTrace.js';
import { benchLiveFault } from './liveFault.js';
import { benchRoom } from './room.js';
import { benchTap } from './tap.js';
import { initialJavaScript } from './webBundle.js';

const runs = Number(process.env.BENCH_RUNS ?? 11);
for (const line of await benchColdStart(labsDir(), runs)) process.stdout.write(line + '\n');
for (const line of await benchRoom(labsDir(), Math.min(runs, 3))) process.stdout.write(line + '\n');
for (const line of await benchTap(runs)) process.stdout.write(line + '\n');
for (const line of await benchDecoder(runs)) process.stdout.write(line + '\n');
for (const line of await benchLiveFault(labsDir(), runs)) process.stdout.write(line + '\n');

const webRoot = path.join(path.dirname(labsDir()), 'dist', 'web');
const bundle = await initialJavaScript(webRoot);
process.stdout.write(
  `initial JavaScript of the page, gzipped: ${(bundle.gzipBytes / 1024).toFixed(1)} KB (${(bundle.rawBytes / 1024).toFixed(1)} KB raw, ${bundle.files.length} files; ` +
    `terminal ${bundle.includesTerminal ? 'INCLUDED' : 'not included'}) (target ≤ 80 KB)\n`,
);
for (const line of await benchFirstTrace(labsDir(), webRoot, Math.max(runs, 10))) process.stdout.write(line + '\n');
