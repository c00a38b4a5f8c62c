/**
 * The local web server, composed in order; each part lives in its own file.
 *
 *   browser ──HTTP──▶ errors ▸ headers ▸ Host ▸ Origin ▸ token (the run's or a participant's) ▸ learner ▸ JSON body ▸ /api/* (join, labs, me, sandboxes, progress, rooms, interviews) ▸ web app
 *   browser ──/ws upgrade──▶ Host ▸ Origin ▸ token ──▶ WsHub (the socket's learner) ◀── LabSession messages (trace, health, status), Room and Interview pushes
 *   host ──rooms / interviews──▶ Participants.invite ──join code or link──▶ a participant ──▶ their sandboxes, started for them (SandboxRegistry)
 *                                                        WsHub ⇄ TerminalHost ⇄ a shell per sandbox (loopback only, unless --terminal on)
 *                                                        WsHub ──pages of a learner's sandbox──▶ idle stop ──▶ SandboxRegistry.stop
 *   LabSession ──▶ runtime sandboxes ──▶ tap ──▶ explain (TraceEvents) · verify ──▶ progress.json (per learner)
 *
 * Shutdown is one Promise.allSettled over every subsystem: the HTTP server, the WebSocket
 * hub, every terminal's shell, every sandbox (their child processes with them), the warm processes, the idle
 * timers and the progress file's last write.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { certificateRoutes } from './api/certificates.js';
import { labRoutes } from './api/labs.js';
import { meRoutes } from './api/me.js';
import { sandboxRoutes } from './api/sandboxes.js';
import { faultRoutes } from './api/faults.js';
import { interviewRoutes } from './api/interviews.js';
import { interviewFollower } from './interviews/interviewFollower.js';
import { Interviews } from './interviews/interviews.js';
import { wireFaultRoutes } from './api/wireFaults.js';
import { scoreboardRoutes } from './api/scoreboard.js';
import { roomRoutes } from './api/rooms.js';
import { Rooms } from './rooms/rooms.js';
import { ApiError } from './errors.js';
import { errorHandler } from './errorHandler.js';
import { hostCheck, allowedHostNames } from './hostCheck.js';
import { idleStop, type PagePresence } from './idleStop.js';
import { compose, sendApiError, type RequestContext } from './http.js';
import { jsonBody } from './jsonBody.js';
import { LabCatalogue } from './labCatalogue.js';
import { joinRoutes } from './api/join.js';
import { participantCookieName, type CredentialSource } from './credentials.js';
import { JoinLimiter } from './joinLimiter.js';
import { identify, learnerCookieName, learnerIdentity, LearnerNames, nobody } from './learners.js';
import { Participants } from './participants.js';
import { reachableAddresses } from './listenAddresses.js';
import { resolveAppOptions, terminalEnabled, type AppOptions } from './options.js';
import { originCheck } from './originCheck.js';
import { ProgressStore } from './progressStore.js';
import { router } from './router.js';
import { SandboxRegistry } from './sandboxRegistry.js';
import { Scoreboard } from './scoreboard.js';
import { terminalHost, type TerminalHost } from './sandboxTerminals.js';
import { securityHeaders } from './securityHeaders.js';
import { staticFiles } from './staticFiles.js';
import { tokenCookieName } from './token.js';
import { tokenAuth } from './tokenAuth.js';
import { TrafficBudget } from './trafficBudget.js';
import { upgradeGuard } from './upgradeGuard.js';
import { WsHub } from './wsHub.js';
import { createWarmPool, type WarmPool } from '../runtime/warmPool.js';

export { createToken } from './token.js';
export { defaultDataDir, type AppOptions } from './options.js';

export interface App {
  readonly options: AppOptions;
  readonly server: http.Server;
  readonly sandboxes: SandboxRegistry;
  /** The warm processes sandboxes start on (options.warmProcesses of each kind). */
  readonly warmPool: WarmPool;
  readonly progress: ProgressStore;
  readonly hub: WsHub;
  /** Who joined through a drill's code or an interview's link. */
  readonly participants: Participants;
  /** Why the browser terminal cannot start on this machine (no jail can be built), or undefined. */
  terminalUnavailable(): Promise<string | undefined>;
  /**
   * Listens on options.host:options.port; resolves with the port and the URLs that carry the
   * token, one per address it answers on (each interface's, for the wildcard), loopback first;
   * `url` is the first.
   */
  listen(): Promise<{ port: number; url: string; urls: string[] }>;
  /** Stops everything; rejects with an AggregateError naming what did not stop cleanly. */
  close(): Promise<void>;
}

export async function createApp(given: Partial<AppOptions>): Promise<App> {
  const options = resolveAppOptions(given);
  if (options.webRoot !== undefined && !existsSync(path.join(options.webRoot, 'index.html'))) {
    throw new TypeError(`createApp: the web app is not built at ${options.webRoot}; run \`npm run build\``);
  }
  const { logger } = options;
  let port = options.port;
  const cookieName = (): string => tokenCookieName(port);
  const learnerCookie = (): string => learnerCookieName(port);
  const participants = new Participants();
  const credentials: CredentialSource = { token: options.token, tokenCookie: cookieName, participantCookie: () => participantCookieName(port), participants };
  // The addresses join once the server listens: only then is the bound address known.
  let allowedHosts = allowedHostNames({ bindHost: options.host, extra: options.allowedHosts });
  const hostsAllowed = (): ReadonlySet<string> => allowedHosts;

  const progress = await ProgressStore.open(options.dataDir, logger);
  const catalogue = new LabCatalogue(options.labsDir, logger);
  const warmPool = createWarmPool(options.warmProcesses);
  const sandboxes = new SandboxRegistry(catalogue, {
    maxSandboxes: options.maxSandboxes,
    maxSandboxesPerLearner: options.maxSandboxesPerLearner,
    sandboxOptions: { ...(options.sandboxBaseDir ? { baseDir: options.sandboxBaseDir } : {}), warmPool },
    progress,
    verifyRequests: options.verifyRequests,
    trafficBudget: new TrafficBudget(options.trafficRps),
    quizSeed: options.quizSeed,
    logger,
  });
  const scoreboard = new Scoreboard(sandboxes);
  const names = new LearnerNames();
  const presence = idleStop(sandboxes, options.idleStopMs, logger);
  const interviews = new Interviews(catalogue, sandboxes, participants, logger);
  const rooms = new Rooms(catalogue, { registry: sandboxes, participants, logger, warmPool });

  const handle = compose([
    errorHandler(logger),
    securityHeaders(),
    hostCheck(hostsAllowed),
    originCheck(hostsAllowed),
    tokenAuth(credentials),
    learnerIdentity(learnerCookie, (learner) => progress.adopt(learner)),
    jsonBody(options.maxBodyBytes),
    router('/api/', [
      ...joinRoutes(participants, names, new JoinLimiter(), credentials.participantCookie),
      ...labRoutes(catalogue, progress),
      ...meRoutes(sandboxes, names),
      ...sandboxRoutes(sandboxes, names, options),
      ...faultRoutes(sandboxes),
      ...wireFaultRoutes(sandboxes),
      ...certificateRoutes(sandboxes),
      ...scoreboardRoutes(scoreboard),
      ...interviewRoutes(interviews, sandboxes),
      ...roomRoutes(rooms),
    ]),
    staticFiles(options.webRoot),
  ]);

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendApiError(res, new ApiError('BAD_REQUEST', 'the request target is not a URL path'));
    }
    const ctx: RequestContext = { req, res, url, body: undefined, params: {}, caller: nobody };
    void handle(ctx);
  });

  const terminals = terminalHost(terminalEnabled(options));
  const hub = new WsHub(sandboxes, scoreboard, upgradeGuard(hostsAllowed, credentials), {
    path: '/ws',
    maxPayloadBytes: options.maxBodyBytes,
    maxBufferedBytes: 16 * 1024 * 1024,
    terminals,
    identify: (req) => identify(req, credentials, learnerCookie()),
    presence,
    interviews: interviewFollower(interviews),
    rooms,
    logger,
  });
  server.on('upgrade', hub.handleUpgrade);

  let closing: Promise<void> | undefined;
  return {
    options,
    server,
    sandboxes,
    warmPool,
    progress,
    hub,
    participants,
    terminalUnavailable: () => terminals.unavailable(),
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          port = address.port;
          const listening = reachableAddresses(address.address, networkInterfaces());
          allowedHosts = allowedHostNames({ bindHost: options.host, listening, extra: options.allowedHosts });
          const urls = listening.map((host) => `http://${host}:${port}/?token=${options.token}`);
          resolve({ port, url: urls[0]!, urls });
        });
      }),
    close: () => (closing ??= Promise.allSettled([interviews.close(), rooms.close()]).then(() => closeAll(server, hub, terminals, sandboxes, warmPool, presence, progress))),
  };
}

async function closeAll(server: http.Server, hub: WsHub, terminals: TerminalHost, sandboxes: SandboxRegistry, warmPool: WarmPool, presence: PagePresence, progress: ProgressStore): Promise<void> {
  presence.close();
  const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const results = await Promise.allSettled([
    httpClosed,
    hub.close(),
    terminals.close(),
    // Requests still running (a traffic run) end when their sandbox stops; then their sockets close.
    sandboxes.close().finally(() => server.closeAllConnections()),
    warmPool.close(),
    progress.flush(),
  ]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), 'mtls-lab: some parts did not stop cleanly');
}
