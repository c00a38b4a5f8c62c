import { spawn } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { createApp } from '../app/index.js';
import { terminalEnabled } from '../app/options.js';
import { stopAllSandboxes } from '../runtime/index.js';
import { CliError } from './cliError.js';
import { labsDir } from './labFiles.js';
import { findExecutable } from './preflight.js';
import { stopOnSignals } from './signals.js';

export interface ServeOptions {
  host: string;
  port: number;
  open: boolean;
  /** The browser terminal: auto (loopback only), on, off. */
  terminal: 'auto' | 'on' | 'off';
}

/** `mtls-lab serve`: the web lab on loopback, guarded by a per-run token. */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const webRoot = path.join(path.dirname(labsDir()), 'dist', 'web');
  const built = existsSync(path.join(webRoot, 'index.html'));
  const app = await createApp({ host: options.host, port: options.port, terminal: options.terminal, labsDir: labsDir(), webRoot: built ? webRoot : undefined });
  let url: string;
  try {
    ({ url } = await app.listen());
  } catch (error) {
    await app.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port N (or --port 0 for any free one)`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot bind ${options.host}: no such address on this machine; use --host 127.0.0.1`);
    throw error;
  }
  const notes = [
    ...(built ? [] : ['Note: the web app is not built (npm run build); the JSON API works.']),
    ...(options.terminal === 'auto' && !terminalEnabled(app.options) ? [`Note: the browser terminal is off because ${options.host} is beyond loopback; --terminal on allows it (a shell for anyone with the token).`] : []),
  ];
  process.stdout.write(`mtls-lab is serving at ${url}\n${notes.map((note) => note + '\n').join('')}Press Ctrl-C to stop.\n`);
  const opener = options.open ? findExecutable('xdg-open') : undefined;
  if (opener) spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  stopOnSignals(() => app.close().catch((error: unknown) => console.error(error)).finally(() => stopAllSandboxes()));
}
