/**
 * The page's initial JavaScript, gzipped: every script the built index.html loads or
 * preloads, and what they import statically — the terminal (xterm) must not be among them,
 * it loads only when the terminal opens.
 *
 *   dist/web/index.html ──<script src>, <link rel=modulepreload>──▶ chunks ──static imports──▶ … ──gzip -9──▶ bytes
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BundleFigures {
  files: string[];
  rawBytes: number;
  gzipBytes: number;
  /** Whether xterm's code is in the initial chunks. */
  includesTerminal: boolean;
}

export async function initialJavaScript(webRoot: string): Promise<BundleFigures> {
  const html = await readFile(path.join(webRoot, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  let rawBytes = 0;
  let gzipBytes = 0;
  let includesTerminal = false;
  const visit = async (url: string): Promise<void> => {
    const file = path.join(webRoot, url.replace(/^\//, ''));
    if (seen.has(file)) return;
    seen.add(file);
    const code = await readFile(file);
    rawBytes += code.length;
    gzipBytes += gzipSync(code, { level: 9 }).length;
    const text = code.toString('utf8');
    if (/xterm-helper-textarea|class \w*Terminal\w* extends/.test(text)) includesTerminal = true;
    // Static imports only (`import … from "./x.js"`, `import "./x.js"`); `import("…")` is lazy.
    for (const m of text.matchAll(/(?:^|[;\s}])import\s*(?:[\w${},*\s]+from\s*)?["']([^"']+\.js)["']/g)) {
      await visit(path.posix.join(path.posix.dirname(url), m[1]!));
    }
  };
  for (const entry of entries) await visit(entry);
  return { files: [...seen].map((file) => path.relative(webRoot, file)), rawBytes, gzipBytes, includesTerminal };
}
