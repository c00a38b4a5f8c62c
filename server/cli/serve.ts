import { spawn } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { createApp } from '../app/index.js';
import { reachableAddresses } from '../app/listenAddresses.js';
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
  /** Names a proxy forwards in Host, matched exactly (`--allowed-hosts`). */
  allowedHosts: string[];
  /** A learner's sandbox with no page open stops after this long; 0 never (`--idle-stop`). */
  idleStopMinutes: number;
  /** Labs running at once on the server, and from one learner's pages (`--max-sandboxes`, `--max-sandboxes-per-learner`). */
  maxSandboxes: number;
  maxSandboxesPerLearner: number;
  /** Service and client processes each kept started for the next sandbox (`--warm-processes`). */
  warmProcesses: number;
  /** Requests per second the labs' traffic sends at once; the rest waits its turn (`--traffic-rps`). */
  trafficRps: number;
}

/**
 * `mtls-lab serve`: the web lab, guarded by a per-run token. Prints one URL per address it
 * answers on (each interface's when `--host` is the wildcard), loopback first; those, and the
 * `--allowed-hosts` names, are what its Host check lets in.
 */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const webRoot = path.join(path.dirname(labsDir()), 'dist', 'web');
  const built = existsSync(path.join(webRoot, 'index.html'));
  const app = await createApp({ host: options.host, port: options.port, terminal: options.terminal, allowedHosts: options.allowedHosts, idleStopMs: options.idleStopMinutes * 60_000, maxSandboxes: options.maxSandboxes, maxSandboxesPerLearner: options.maxSandboxesPerLearner, warmProcesses: options.warmProcesses, trafficRps: options.trafficRps, labsDir: labsDir(), webRoot: built ? webRoot : undefined });
  let urls: string[];
  try {
    ({ urls } = await app.listen());
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenError(error, options);
  }
  // Tried now, once: the page and this line say why when no jail can be built.
  const noJail = await app.terminalUnavailable();
  const notes = [
    ...(built ? [] : ['Note: the web app is not built (npm run build); the JSON API works.']),
    ...(options.allowedHosts.length > 0 ? [`Note: it also answers to ${options.allowedHosts.join(', ')} (--allowed-hosts); through a proxy, open the proxy's URL with /?token=${app.options.token}.`] : []),
    ...(options.terminal === 'auto' && !terminalEnabled(app.options) ? [`Note: the browser terminal is off because ${options.host} is beyond loopback; --terminal on allows it (a shell for anyone with the token).`] : []),
    ...(noJail ? [`Note: the browser terminal is off: ${noJail}.`] : []),
  ];
  const serving = urls.length === 1 ? `mtls-lab is serving at ${urls[0]}\n` : `mtls-lab is serving at:\n${urls.map((url) => `  ${url}\n`).join('')}`;
  process.stdout.write(`${serving}${notes.map((note) => note + '\n').join('')}Press Ctrl-C to stop.\n`);
  const opener = options.open ? findExecutable('xdg-open') : undefined;
  if (opener) spawn(opener, [urls[0]!], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  stopOnSignals(() => app.close().catch((error: unknown) => console.error(error)).finally(() => stopAllSandboxes()));
}

/** A failed listen as the user's mistake, one line with what to do; anything else as it is. */
function listenError(error: unknown, options: ServeOptions): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const at = `${options.host} port ${options.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port N (or --port 0 for any free one)`);
    case 'EADDRNOTAVAIL': {
      const own = reachableAddresses('::', networkInterfaces()).map((host) => host.replace(/^\[|\]$/g, ''));
      return new CliError(`cannot listen on ${at}: "${options.host}" is not an address of this machine (its addresses: ${own.join(', ')}); use one of them, or --host 0.0.0.0 for all`);
    }
    case 'EACCES':
      return new CliError(`cannot listen on ${at}: permission denied${options.port > 0 && options.port < 1024 ? ' (ports below 1024 need privileges)' : ''}; pick a port above 1023 with --port N (default 8470)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`cannot listen on ${at}: "${options.host}" is not a name this machine can resolve; use an address, e.g. --host 127.0.0.1 or --host 0.0.0.0`);
    default:
      return error;
  }
}
