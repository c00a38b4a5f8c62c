/**
 * The whole codebase typechecks: the server, tests and benches with tsc (the build compiles
 * only what ships), and the web app's .svelte and .ts files with svelte-check, which the
 * Vite build does not do.
 */
import { expect, test } from 'vitest';
import { runCommand } from '../helpers/command.js';

test('server, tests and benches typecheck with tsc', { timeout: 120_000 }, async () => {
  const result = await runCommand(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
});

test('the web app typechecks with svelte-check, with no warnings', { timeout: 120_000 }, async () => {
  const result = await runCommand(process.execPath, [
    'node_modules/svelte-check/bin/svelte-check',
    '--tsconfig',
    'web/tsconfig.json',
    '--output',
    'machine',
    '--fail-on-warnings',
  ]);
  const problems = result.stdout.split('\n').filter((line) => / (ERROR|WARNING) /.test(line));
  expect(problems).toEqual([]);
  expect(result.code).toBe(0);
});
