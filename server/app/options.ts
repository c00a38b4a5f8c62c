/**
 * The app's options: a complete defaults object spread under the caller's, invalid
 * combinations refused at once (after ws's `WebSocketServer` constructor).
 */
import { randomInt } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ErrorLogger } from './errors.js';
import { isHostName } from './hostCheck.js';
import { createToken } from './token.js';
import { defaultTrafficRps } from './trafficBudget.js';

export interface AppOptions {
  /** Where to listen. Loopback by default: the lab runs processes and serves keys. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The per-run secret; a fresh random one by default. */
  token: string;
  /** The built web app (dist/web); undefined serves a placeholder page (API-only, tests). */
  webRoot: string | undefined;
  /** The folder of lab YAML files. */
  labsDir: string;
  /** Where progress.json lives (see defaultDataDir). */
  dataDir: string;
  /**
   * Extra names the Host header may carry, matched exactly (beyond localhost, 127.0.0.1, [::1],
   * `host` and the addresses the server listens on): a name a proxy forwards (`--allowed-hosts`).
   */
  allowedHosts: readonly string[];
  /** JSON request bodies above this are refused with PAYLOAD_TOO_LARGE. */
  maxBodyBytes: number;
  /** Sandboxes running at once (each one is several processes and listeners): a room of 30 learners and its host fit. */
  maxSandboxes: number;
  /** Labs one learner's pages may run at once (the operator's scripts, rooms and interviews meet only maxSandboxes). */
  maxSandboxesPerLearner: number;
  /**
   * Service and client processes kept started, each kind, waiting for a sandbox (runtime/warmPool.ts):
   * a sandbox starts without waiting for a Node start per process. 0 (the default, and tests') keeps none.
   */
  warmProcesses: number;
  /**
   * Requests per second the labs' traffic may send at once, summed over the runs under way; a
   * run beyond it waits its turn (trafficBudget.ts). 30 per core by default.
   */
  trafficRps: number;
  /** The most requests one traffic or verify call may ask each client for. */
  maxRequests: number;
  /** Requests per client that verify runs. */
  verifyRequests: number;
  /** Where start-up sandbox directories go; os.tmpdir() when undefined. */
  sandboxBaseDir: string | undefined;
  /**
   * The browser terminal (a shell per sandbox): `auto` is on only while `host` is loopback —
   * beyond it, anyone holding the token would get a shell as the server's user.
   */
  terminal: 'auto' | 'on' | 'off';
  /**
   * A learner's sandbox with no page of theirs open this long stops (idleStop.ts); 0 never.
   * Ten minutes: a reload or a dropped Wi-Fi comes back well within it.
   */
  idleStopMs: number;
  /** Seeds the order of every sandbox's choices (each draws its own from it); random per run, fixed in tests. */
  quizSeed: number;
  logger: ErrorLogger;
}

/**
 * `$MTLS_LAB_DATA_DIR`, else `$XDG_DATA_HOME/mtls-lab`, else `~/.local/share/mtls-lab`
 * (XDG Base Directory Specification: "$HOME/.local/share" when XDG_DATA_HOME is unset or empty).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MTLS_LAB_DATA_DIR) return path.resolve(env.MTLS_LAB_DATA_DIR);
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homedir(), '.local', 'share');
  return path.join(base, 'mtls-lab');
}

export const consoleLogger: ErrorLogger = {
  error(message, error) {
    console.error(`mtls-lab: ${message}`, error ?? '');
  },
};

/** Warm processes `mtls-lab serve` keeps of each kind unless told (`--warm-processes`): a baseline lab's two services and two clients, twice over. */
export const serveWarmProcesses = 4;

export function defaultAppOptions(): AppOptions {
  return {
    host: '127.0.0.1',
    port: 8470,
    token: createToken(),
    webRoot: undefined,
    labsDir: '',
    dataDir: defaultDataDir(),
    allowedHosts: [],
    maxBodyBytes: 64 * 1024,
    maxSandboxes: 48,
    maxSandboxesPerLearner: 3,
    warmProcesses: 0,
    trafficRps: defaultTrafficRps(),
    maxRequests: 1000,
    verifyRequests: 5,
    sandboxBaseDir: undefined,
    terminal: 'auto',
    idleStopMs: 10 * 60_000,
    quizSeed: randomInt(2 ** 32),
    logger: consoleLogger,
  };
}

const wholeInRange = (name: string, value: number, min: number, max: number): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`createApp: options.${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
};

/** The defaults with the caller's options over them; throws at once on what cannot work. */
export function resolveAppOptions(given: Partial<AppOptions>): AppOptions {
  const options: AppOptions = { ...defaultAppOptions(), ...stripUndefined(given) };
  if (!options.labsDir) throw new TypeError('createApp: options.labsDir is required (the folder of lab YAML files)');
  if (!options.dataDir) throw new TypeError('createApp: options.dataDir must name a folder');
  // 16+ bytes of randomness (createToken gives 24): a short token could be guessed over loopback.
  if (options.token.length < 16) throw new TypeError('createApp: options.token must be at least 16 characters');
  if (!/^[A-Za-z0-9_-]+$/.test(options.token)) throw new TypeError('createApp: options.token may hold only A-Z a-z 0-9 _ - (it travels in a URL and a cookie)');
  wholeInRange('port', options.port, 0, 65535);
  wholeInRange('maxBodyBytes', options.maxBodyBytes, 1, 16 * 1024 * 1024);
  wholeInRange('maxSandboxes', options.maxSandboxes, 1, 256);
  wholeInRange('maxSandboxesPerLearner', options.maxSandboxesPerLearner, 1, 256);
  wholeInRange('warmProcesses', options.warmProcesses, 0, 64);
  wholeInRange('trafficRps', options.trafficRps, 1, 1_000_000);
  wholeInRange('maxRequests', options.maxRequests, 1, 100_000);
  wholeInRange('verifyRequests', options.verifyRequests, 1, options.maxRequests);
  wholeInRange('idleStopMs', options.idleStopMs, 0, 7 * 24 * 3_600_000);
  wholeInRange('quizSeed', options.quizSeed, 0, 2 ** 32 - 1);
  if (!['auto', 'on', 'off'].includes(options.terminal)) throw new TypeError(`createApp: options.terminal must be auto, on or off, got "${String(options.terminal)}"`);
  for (const name of options.allowedHosts) {
    if (!isHostName(name)) throw new TypeError(`createApp: options.allowedHosts: "${name}" is not a host name (no port, no scheme)`);
  }
  return options;
}

/** Whether the browser terminal runs: `auto` means only while listening on loopback. */
export function terminalEnabled(options: Pick<AppOptions, 'host' | 'terminal'>): boolean {
  if (options.terminal !== 'auto') return options.terminal === 'on';
  const host = options.host.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `{ port: undefined }` means "the default", as with a missing key. */
function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
