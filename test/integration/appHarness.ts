/**
 * The web app on 127.0.0.1, port 0, with a temporary data dir and sandbox dir: requests with
 * full control of Host, Origin, Cookie and Authorization (node:http, not fetch, which
 * fixes Host itself), and WebSocket clients that await real events.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import WebSocket from 'ws';
import { createApp, type App, type AppOptions } from '../../server/app/index.js';
import { learnerCookieName, newLearnerId } from '../../server/app/learners.js';
import type { ServerMessage } from '../../server/app/protocol.js';

export const labsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../labs');

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: any;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  /** A value is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  /** The address to connect to (127.0.0.1 by default); `host` sets the Host header apart from it. */
  address?: string;
}

export interface TestApp {
  app: App;
  port: number;
  token: string;
  /** `http://127.0.0.1:<port>`: the page's own origin. */
  origin: string;
  dataDir: string;
  sandboxDir: string;
  logged: Array<{ message: string; error?: unknown }>;
  /** The learner id `api` and `openPageSocket` act as, unless told another. */
  learner: string;
  /**
   * A request as the test's script sends it: own Host and Origin, the token as Bearer (the
   * operator's key: every sandbox) and the learner cookie of `learner` (whose sandboxes and
   * progress it starts and reads).
   */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** A request as a page of `learner` sends it: own Host and Origin, the token's cookie and the learner's, no Bearer. */
  pageApi(learner: string, method: string, path: string, body?: unknown): Promise<Response>;
  request(path: string, options?: RequestOptions): Promise<Response>;
  stop(): Promise<void>;
}

/** `dataDir`: a folder the test prepared (a progress file to load); removed on stop like a fresh one. */
export async function startTestApp(given: Partial<Pick<AppOptions, 'webRoot' | 'host' | 'terminal' | 'allowedHosts' | 'dataDir' | 'idleStopMs' | 'quizSeed' | 'trafficRps'>> = {}): Promise<TestApp> {
  const dataDir = given.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'mtls-lab-app-data-')));
  const sandboxDir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-app-sandboxes-'));
  // A terminal's jailed user passes through it to its own sandbox, as through /tmp.
  await chmod(sandboxDir, 0o711);
  const logged: TestApp['logged'] = [];
  const app = await createApp({
    host: '127.0.0.1',
    port: 0,
    labsDir,
    sandboxBaseDir: sandboxDir,
    ...given,
    dataDir,
    logger: { error: (message, error) => void logged.push({ message, error }) },
  });
  const { port } = await app.listen();
  const token = app.options.token;
  const origin = `http://127.0.0.1:${port}`;
  const request = (target: string, options: RequestOptions = {}) => send(port, target, options);
  const learner = newLearnerId();
  return {
    app,
    port,
    token,
    origin,
    dataDir,
    sandboxDir,
    logged,
    learner,
    request,
    api: (method, target, body) =>
      request(target, {
        method,
        headers: { origin, authorization: `Bearer ${token}`, cookie: `${learnerCookieName(port)}=${learner}` },
        ...(body === undefined ? {} : { body }),
      }),
    pageApi: (as, method, target, body) =>
      request(target, {
        method,
        headers: { origin, cookie: pageCookies(port, token, as) },
        ...(body === undefined ? {} : { body }),
      }),
    async stop() {
      await app.close();
      await Promise.all([rm(dataDir, { recursive: true, force: true }), rm(sandboxDir, { recursive: true, force: true })]);
    },
  };
}

function send(port: number, target: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: options.address ?? '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** How an upgrade ended: open (a client to use), or refused with a status. */
/** Before a file's tests, an app with one baseline sandbox started through the API (`id`); after them, the app stopped. */
export function appWithBaselineSandbox(): { readonly t: TestApp; readonly id: string } {
  const running = { t: undefined as unknown as TestApp, id: '' };
  beforeAll(async () => {
    running.t = await startTestApp();
    const start = await running.t.api('POST', '/api/sandboxes', { lab: 'baseline' });
    expect(start.status).toBe(201);
    running.id = start.json.id;
  });
  afterAll(() => running.t?.stop());
  return running;
}

export type UpgradeOutcome = { open: true; client: LabSocket } | { open: false; status: number; body: string };

export function connectWs(port: number, headers: Record<string, string>, wsPath = '/ws'): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${wsPath}`, { headers: { host: `127.0.0.1:${port}`, ...headers } });
    ws.once('open', () => resolve({ open: true, client: new LabSocket(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ open: false, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    ws.once('error', (error) => reject(error));
  });
}

/** The cookies a page of `learner` sends: the run's token and the learner's id. */
export function pageCookies(port: number, token: string, learner: string): string {
  return `mtls_lab_token_${port}=${token}; ${learnerCookieName(port)}=${learner}`;
}

/** The lab socket as a page of `learner` (t.learner by default) opens it: same origin, the token and the learner in cookies. */
export async function openPageSocket(t: TestApp, learner = t.learner): Promise<LabSocket> {
  const outcome = await connectWs(t.port, { origin: t.origin, cookie: pageCookies(t.port, t.token, learner) });
  if (!outcome.open) throw new Error(`WebSocket refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

/** A test's end of the lab socket: every message kept, waits resolved by real messages. */
export class LabSocket {
  readonly messages: ServerMessage[] = [];
  readonly #waiters = new Set<() => void>();
  #nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.#waiters) wake();
    });
    ws.on('close', () => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** Resolves with the first message (already received or future) that satisfies `match`. */
  waitFor<T extends ServerMessage>(what: string, match: (message: ServerMessage) => message is T, timeoutMs?: number): Promise<T>;
  waitFor(what: string, match: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  waitFor(what: string, match: (message: ServerMessage) => boolean, timeoutMs = 20_000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.messages.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`the socket closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(', ')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends a request and resolves with its reply. */
  async call(message: Record<string, unknown>): Promise<Extract<ServerMessage, { type: 'reply' }>> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ id, ...message }));
    return (await this.waitFor(`the reply to request ${id}`, (m) => m.type === 'reply' && m.id === id)) as Extract<ServerMessage, { type: 'reply' }>;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
