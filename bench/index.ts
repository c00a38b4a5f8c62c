/**
 * `npm run bench`: medians and ratios against baselines measured in the same run. It
 * prints; it never fails on a figure.
 */
import { labsDir } from '../server/cli/labFiles.js';
import { benchColdStart } from './coldStart.js';
import { benchDecoder } from './decoder.js';
import { benchTap } from './tap.js';

const runs = Number(process.env.BENCH_RUNS ?? 11);
for (const line of await benchColdStart(labsDir(), runs)) process.stdout.write(line + '\n');
for (const line of await benchTap(runs)) process.stdout.write(line + '\n');
for (const line of await benchDecoder(runs)) process.stdout.write(line + '\n');
