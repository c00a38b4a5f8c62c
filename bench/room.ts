/**
 * A room on this machine: a drill of 30 learners on the baseline lab, through the real HTTP API
 * of a server composed as `mtls-lab serve` composes it (its warm pool, its caps).
 *
 *   POST /api/rooms ──▶ 30 × POST /api/join (the pool warms their processes meanwhile)
 *   POST /api/rooms/:id/start ──▶ 30 sandboxes at once ──▶ each: an mTLS request with payments'
 *   certificate ──▶ tap ⇄ auth ──▶ 200          time until all 30 have answered (median of rounds)
 *   the same 30 without a room, 30 × POST /api/sandboxes at once on the server's own pool (first round)
 *   memory of this process (the server) and every process under it, once all 30 run
 *   30 × POST …/traffic, each under way (its first trace) ──▶ a 31st learner: POST /api/sandboxes ──▶
 *   /ws subscribe ──▶ POST …/traffic ──▶ first 'trace' message      its first trace (as bench/firstTrace.ts's API path)
 *
 * Every sandbox is stopped between rounds. It prints; it never fails on a figure.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../server/app/index.js';
import { learnerCookieName, newLearnerId } from '../server/app/learners.js';
import { serveWarmProcesses } from '../server/app/options.js';
import type { ServerMessage } from '../server/app/protocol.js';
import { tokenCookieName } from '../server/app/token.js';
import { processTree } from './childProcesses.js';
import { firstTraceAt } from './firstTrace.js';
import { formatMs, median, timed } from './stats.js';

const lab = 'baseline';
const learners = 30;
/** Requests per client for the 30 rooms' background traffic: at the lab's 5 rps, longer than any first trace takes. */
const backgroundRequests = 100;

interface Server {
  app: App;
  origin: string;
  /** A learner's page: the token's cookie and its own learner cookie. */
  page(learner: string): Record<string, string>;
  operator: Record<string, string>;
}

/** The server runs serve's own pool (--warm-processes), refilled before each round; a room warms its members' on top of it. */
export async function benchRoom(labsDir: string, runs: number): Promise<string[]> {
  const warmProcesses = serveWarmProcesses;
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
  const lastDone: number[] = [];
  const background = { requests: 0, answered: 0 };
  let withoutRoomMs = 0;
  let memory = { pssMb: 0, rssMb: 0, processes: 0 };
  try {
    await app.warmPool.filled();
    [, withoutRoomMs] = await timed(() => startWithoutRoom(server));
    await stopAll(app);
    for (let round = 0; round < runs; round++) {
      const room = await openRoom(server);
      await app.warmPool.filled();
      const [answered, ms] = await timed(() => startRoom(server, room));
      answering.push(ms);
      memory = treeMemory();
      const ids = [...answered.keys()];
      // Its own connections, after the one that answered.
      const underWay = Promise.all(ids.map((id) => traceAfter(server.app, id, answered.get(id)!)));
      const askedAt = performance.now();
      const traffic = ids.map((id) => post(server, `/api/sandboxes/${id}/traffic`, server.operator, { requests: backgroundRequests }));
      await underWay;
      firstTraces.push(await thirtyFirst(server));
      const answers = (await Promise.all(traffic)) as Array<{ edges: Array<{ requests: number; ok: number }> }>;
      lastDone.push(performance.now() - askedAt);
      for (const { edges } of answers) {
        for (const edge of edges) {
          background.requests += edge.requests;
          background.answered += edge.ok;
        }
      }
      await post(server, `/api/rooms/${room}/end`, server.operator, {});
      await stopAll(app);
    }
  } finally {
    await app.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
  const pool = `serve's default warm pool, ${warmProcesses} of each kind`;
  return [
    `a room: ${learners} learners joined, the room started (${pool}, and the room's members warmed as they joined), until all ${learners} sandboxes answer an mTLS request, median of ${runs}: ${formatMs(median(answering))}  (target ≤ 10000 ms)`,
    `  the same ${learners} without a room, ${learners} × POST /api/sandboxes at once on the pool alone (one round): ${formatMs(withoutRoomMs)}`,
    `  memory of the server and its ${memory.processes - 1} descendant processes with ${learners} sandboxes running: PSS ${(memory.pssMb / 1024).toFixed(2)} GB (RSS summed: ${(memory.rssMb / 1024).toFixed(2)} GB, shared pages counted in each process)  (target ≤ 4 GB)`,
    `  a ${learners + 1}st learner's first trace event while the ${learners} run traffic (all ${learners} runs under way, each with its first trace; then POST /api/sandboxes → first 'trace' over /ws), median of ${runs}: ${formatMs(median(firstTraces))} (each: ${firstTraces.map(formatMs).join(', ')})  (target ≤ 1000 ms)`,
    `  the ${learners}'s own traffic meanwhile (${backgroundRequests} requests per client at the lab's rate, all asked for together; ${app.options.trafficRps} requests/s under way at once, the rest in line): ${background.answered} of ${background.requests} requests answered, the last run done ${formatMs(median(lastDone))} after they asked`,
  ];
}

/** The facilitator opens an isolated room of the lab, and the learners join it by its code; resolves with the room's id. */
async function openRoom(server: Server): Promise<string> {
  const room = (await post(server, '/api/rooms', server.operator, { scenario: { labs: [lab] }, minutes: 30, mode: 'isolated', terminal: false })) as { id: string; code: string };
  for (let i = 0; i < learners; i++) await post(server, '/api/join', { origin: server.origin }, { code: room.code, name: `learner ${i + 1}` });
  return room.id;
}

/**
 * The facilitator starts the room; resolves once each of its 30 sandboxes has answered a real
 * mTLS request, with the connection that answered, by sandbox id.
 */
async function startRoom(server: Server, room: string): Promise<Map<string, number>> {
  await post(server, `/api/rooms/${room}/start`, server.operator, {});
  const ids = server.app.sandboxes.list().map((session) => session.id);
  if (ids.length !== learners) throw new Error(`room ${room} started ${ids.length} sandboxes for ${learners} learners`);
  return new Map(await Promise.all(ids.map(async (id) => [id, await answered(server.app, id)] as const)));
}

/** 30 learners press Start on their own, at once; resolves once each sandbox has answered a real mTLS request. */
async function startWithoutRoom(server: Server): Promise<void> {
  await Promise.all(
    Array.from({ length: learners }, async () => {
      const { id } = (await post(server, '/api/sandboxes', server.page(newLearnerId()), { lab })) as { id: string };
      await answered(server.app, id);
    }),
  );
}

/** Resolves once sandbox `id` has answered a real mTLS request and shown its trace, with that connection. */
async function answered(app: App, id: string): Promise<number> {
  const traced = traceAfter(app, id, 0);
  const status = await mtlsRequest(app, id);
  if (status !== 200) throw new Error(`sandbox ${id}: payments' request to auth got HTTP ${status}`);
  return traced;
}

async function stopAll(app: App): Promise<void> {
  await Promise.all(app.sandboxes.list().map((session) => app.sandboxes.stop(session.id, 'stopped')));
}

/** payments → auth as payments itself would call it: its certificate and trust, through the tap. */
async function mtlsRequest(app: App, id: string): Promise<number> {
  const description = app.sandboxes.list().find((session) => session.id === id)?.description;
  if (!description) throw new Error(`sandbox ${id} is not running`);
  const caller = description.clients.payments!;
  const service = description.services[caller.calls]!;
  const [cert, key, ca] = await Promise.all([caller.cert!, caller.key!, caller.trust!].map((file) => readFile(file)));
  const request = https.get({ host: service.address, port: service.port, servername: service.host, headers: { host: service.host }, cert, key, ca, agent: false });
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  response.resume();
  await once(response, 'end');
  return response.statusCode ?? 0;
}

/** Resolves, with its connection, once sandbox `id` has shown the trace of a connection opened after `conn` (the tap numbers them in order). */
function traceAfter(app: App, id: string, conn: number): Promise<number> {
  const session = app.sandboxes.list().find((each) => each.id === id)!;
  return new Promise((resolve) => {
    const onMessage = (message: ServerMessage): void => {
      if (message.type !== 'trace' || message.conn <= conn) return;
      session.events.off('message', onMessage);
      resolve(message.conn);
    };
    session.events.on('message', onMessage);
  });
}

/** One more learner, while the room runs traffic: from POST /api/sandboxes to the first trace event over /ws. */
async function thirtyFirst(server: Server): Promise<number> {
  const started = performance.now();
  const { id } = (await post(server, '/api/sandboxes', server.page(newLearnerId()), { lab })) as { id: string };
  return (await firstTraceAt(server.origin, server.operator, id)) - started;
}

/** A POST on a connection of its own: a kept-alive one could have idled past the server's keep-alive timeout during a 20 s run. */
async function post(server: Server, target: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const request = http.request(`${server.origin}${target}`, { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/json' } });
  request.end(JSON.stringify(body));
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  if ((response.statusCode ?? 0) >= 300) throw new Error(`POST ${target}: HTTP ${response.statusCode} ${JSON.stringify(json)}`);
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
