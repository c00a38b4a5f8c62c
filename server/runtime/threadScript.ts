/**
 * Which file a worker thread runs, or loads into one (childScript.ts does the same for child
 * processes). Built, the sibling `.js`; from sources (vitest, tsx) the `.ts` file, which
 * needs tsx's loader in the thread. A Worker takes no `--import` (Node 20 refuses loader
 * flags in a worker's execArgv), so a one-line ES module registers tsx inside the thread and
 * then imports the entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `name` next to the module at `from` (its import.meta.url): `name.js` when built, else `name.ts`. */
export function siblingModule(from: string, name: string): URL {
  const js = new URL(`./${name}.js`, from);
  return existsSync(fileURLToPath(js)) ? js : new URL(`./${name}.ts`, from);
}

/** tsx's ES-module API (`tsx/esm/api`, the `import` condition of its exports map). */
function tsxApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/** What `new Worker()` is given to run `entry`: the built file itself, or a bootstrap that loads the source under tsx. */
export function threadEntry(entry: URL): URL {
  if (entry.pathname.endsWith('.js')) return entry;
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi())}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
