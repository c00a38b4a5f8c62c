import { spawn } from 'node:child_process';
import path from 'node:path';
import { createAppServer } from '../app/index.js';
import { createToken } from '../app/token.js';
import { labSummary } from '../lab/summary.js';
import { CliError } from './cliError.js';
import { labsDir, loadAllLabs } from './labFiles.js';
import { findExecutable } from './preflight.js';
import { stopOnSignals } from './signals.js';

export interface ServeOptions {
  host: string;
  port: number;
  open: boolean;
}

/** `mtls-lab serve`: the web lab on loopback, guarded by a per-run token. */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const token = createToken();
  const server = createAppServer({
    host: options.host,
    port: options.port,
    token,
    webRoot: path.join(path.dirname(labsDir()), 'dist', 'web'),
    listLabs: async () => (await loadAllLabs()).map((doc) => labSummary(doc.spec)),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port N (or --port 0 for any free one)`));
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(new CliError(`cannot bind ${options.host}: no such address on this machine; use --host 127.0.0.1`));
      } else reject(error);
    });
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  process.stdout.write(`mtls-lab is serving at ${url}\nPress Ctrl-C to stop.\n`);
  const opener = options.open ? findExecutable('xdg-open') : undefined;
  if (opener) spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  stopOnSignals(() => new Promise((resolve) => server.close(() => resolve())));
}
