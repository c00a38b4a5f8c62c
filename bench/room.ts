/**
 * A room on this machine: 30 learners press Start on the baseline lab at once, through the real
 * HTTP API of a server composed as `mtls-lab serve` composes it (its warm pool, its caps).
 *
 *   30 × POST /api/sandboxes (each its own learner) ──▶ each: an mTLS request with payments'
 *   certificate ──▶ tap ⇄ auth ──▶ 200          time until all 30 have answered (median of rounds)
 *   memory of this process (the server) and every process under it, once all 30 run
 *   30 × POST …/traffic running ──▶ a 31st learner: POST /api/sandboxes ──▶ /ws subscribe ──▶
 *   POST …/traffic ──▶ first 'trace' message          its first trace (as bench/firstTrace.ts's API path)
 *
 * Every sandbox is stopped between rounds. It prints; it never fails on a figure.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../server/app/index.js';
import { learnerCookieName, newLearnerId } from '../server/app/learners.js';
import { serveWarmProcesses } from '../server/app/options.js';
import { tokenCookieName } from '../server/app/token.js';
import { processTree } from './childProcesses.js';
import { firstTraceAt } from './firstTrace.js';
import { formatMs, median, timed } from './stats.js';

const lab = 'baseline';
const learners = 30;
/** A room's pool: each of the 30 baseline labs takes 2 services and 2 clients, and the 31st learner finds 4 more. */
export const roomWarmProcesses = 64;
/** Requests per client for the 30 rooms' background traffic: at the lab's 5 rps, longer than any first trace takes. */
const backgroundRequests = 100;

interface Server {
  app: App;
  origin: string;
  /** A learner's page: the token's cookie and its own learner cookie. */
  page(learner: string): Record<string, string>;
  operator: Record<string, string>;
}

/**
 * `warmProcesses`: the server's pool (--warm-processes), refilled before each round as it is
 * between a room's rounds; a room's own, sized to it, takes the whole burst without a spawn.
 */
export async function benchRoom(labsDir: string, runs: number, warmProcesses: number): Promise<string[]> {
  const dirs = await Promise.all(['data', 'sandboxes'].map((name) => mkdtemp(path.join(tmpdir(), `mtls-lab-bench-room-${name}-`))));
  const app = await createApp({ host: '127.0.0.1', port: 0, labsDir, dataDir: dirs[0]!, sandboxBaseDir: dirs[1]!, warmProcesses });
  const { port } = await app.listen();
  const origin = `http://127.0.0.1:${port}`;
  const server: Server = {
    app,
    origin,
    page: (learner) => ({ origin, cookie: `${tokenCookieName(port)}=${app.options.token}; ${learnerCookieName(port)}=${learner}` }),
    operator: { origin, authorization: `Bearer ${app.options.token}` },
  };
  const answering: number[] = [];
  const firstTraces: number[] = [];
  let memory = { pssMb: 0, rssMb: 0, processes: 0 };
  try {
    for (let round = 0; round < runs; round++) {
      await app.warmPool.filled();
      const [ids, ms] = await timed(() => startRoom(server));
      answering.push(ms);
      memory = treeMemory();
      // Runs still going when their sandbox stops end with 409 SANDBOX_NOT_RUNNING: that is how they end here.
      const traffic = ids.map((id) => post(server, `/api/sandboxes/${id}/traffic`, server.operator, { requests: backgroundRequests }).catch(() => undefined));
      firstTraces.push(await thirtyFirst(server));
      await Promise.all(app.sandboxes.list().map((session) => app.sandboxes.stop(session.id, 'stopped')));
      await Promise.all(traffic);
    }
  } finally {
    await app.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
  const pool = warmProcesses === serveWarmProcesses ? `serve's default warm pool, ${warmProcesses} of each kind` : `--warm-processes ${warmProcesses}`;
  return [
    `a room: ${learners} learners start the ${lab} lab at once through the API (${pool}), until all ${learners} answer an mTLS request, median of ${runs}: ${formatMs(median(answering))}  (target ≤ 10000 ms)`,
    `  memory of the server and its ${memory.processes - 1} descendant processes with ${learners} sandboxes running: PSS ${(memory.pssMb / 1024).toFixed(2)} GB (RSS summed: ${(memory.rssMb / 1024).toFixed(2)} GB, shared pages counted in each process)  (target ≤ 4 GB)`,
    `  a ${learners + 1}st learner's first trace event while the ${learners} run traffic (POST /api/sandboxes → first 'trace' over /ws), median of ${runs}: ${formatMs(median(firstTraces))}  (target ≤ 1000 ms)`,
  ];
}

/** The room presses Start; resolves with the 30 sandbox ids once each has answered a real mTLS request. */
async function startRoom(server: Server): Promise<string[]> {
  return Promise.all(
    Array.from({ length: learners }, async () => {
      const created = await post(server, '/api/sandboxes', server.page(newLearnerId()), { lab });
      const { id } = created as { id: string };
      const status = await mtlsRequest(server.app, id);
      if (status !== 200) throw new Error(`sandbox ${id}: payments' request to auth got HTTP ${status}`);
      return id;
    }),
  );
}

/** payments → auth as payments itself would call it: its certificate and trust, through the tap. */
async function mtlsRequest(app: App, id: string): Promise<number> {
  const description = app.sandboxes.list().find((session) => session.id === id)?.description;
  if (!description) throw new Error(`sandbox ${id} is not running`);
  const caller = description.clients.payments!;
  const service = description.services[caller.calls]!;
  const [cert, key, ca] = await Promise.all([caller.cert!, caller.key!, caller.trust!].map((file) => readFile(file)));
  const request = https.get({ host: service.address, port: service.port, servername: service.host, headers: { host: service.host }, cert, key, ca, agent: false });
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode ?? 0;
}

/** One more learner, while the room runs traffic: from POST /api/sandboxes to the first trace event over /ws. */
async function thirtyFirst(server: Server): Promise<number> {
  const started = performance.now();
  const { id } = (await post(server, '/api/sandboxes', server.page(newLearnerId()), { lab })) as { id: string };
  return (await firstTraceAt(server.origin, server.operator, id)) - started;
}

async function post(server: Server, target: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const response = await fetch(`${server.origin}${target}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`POST ${target}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** PSS and RSS summed over this process and every process under it. */
function treeMemory(): { pssMb: number; rssMb: number; processes: number } {
  const tree = processTree();
  return {
    pssMb: tree.reduce((sum, p) => sum + (p.pssMb ?? p.rssMb), 0),
    rssMb: tree.reduce((sum, p) => sum + p.rssMb, 0),
    processes: tree.length,
  };
}
