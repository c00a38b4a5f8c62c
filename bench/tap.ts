/**
 * The wire tap's cost: the same mTLS server dialled directly and through a Tap relaying to
 * it and decoding every connection live, in rounds that take turns in the same run —
 *
 *   direct:  client ⇄ server              (both on this process's main thread)
 *   tap:     client ⇄ Tap ⇄ server        (the tap's thread relays and decodes, as in a sandbox)
 *   relay:   client ⇄ Tap ⇄ server        (a second Tap without the decoder: what the decoding costs)
 *
 *   (a) full mTLS handshakes per second, 16 concurrent, a new connection each
 *   (b) keep-alive HTTPS requests per second, 16 sockets
 *   (c) p50 latency of one keep-alive request, sequential
 *
 * Client and server share the main thread, so the figures compare the paths with each other;
 * they are not the absolute capacity of a sandbox. Through a Tap, each request crosses to
 * another thread and back, twice, where the direct path never leaves its own: in a sandbox
 * the two ends are processes of their own and pay those crossings anyway. The server's
 * key-log lines go to the live decoder as a sandbox's do; decoded results stay in the tap's
 * thread until asked for (the app's trace store asks as each connection closes), and the
 * bench asks for the last connections' at the end, to show what was decoded.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as v from 'valibot';
import { CertificateSchema } from '../server/lab/schema.js';
import { issuePki, writeMaterials } from '../server/pki/index.js';
import { Tap, type TapConnection } from '../server/runtime/tap.js';
import { LiveDecoding } from '../server/wire/liveDecoding.js';
import { median, timed } from './stats.js';

const address = '127.0.0.1';
export const benchHost = 'svc.bench.test';

export interface BenchPki {
  /** Server-side TLS options (built once into each server's shared context). */
  server: { cert: Buffer; key: Buffer; ca: Buffer };
  /** Created once with tls.createSecureContext; reused by every client connection. */
  clientContext: tls.SecureContext;
  /** Removes the temp dir holding the PEM files. */
  cleanup(): Promise<void>;
}

/** A root, an issuing CA, a server and a client leaf, written to a temp dir (removed by cleanup). */
export async function benchPki(): Promise<BenchPki> {
  const spec = v.parse(v.record(v.string(), CertificateSchema), {
    'bench-root': { ca: true, commonName: 'Bench Root CA' },
    'bench-issuing': { issuer: 'bench-root', ca: true, pathLen: 0 },
    'bench-server': { issuer: 'bench-issuing', san: [`dns:${benchHost}`], eku: ['serverAuth'] },
    'bench-client': { issuer: 'bench-issuing', san: ['uri:spiffe://bench.test/client'], eku: ['clientAuth'] },
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mtls-lab-bench-'));
  try {
    const materials = await writeMaterials(await issuePki(spec), dir);
    const trust = await materials.trustBundle(['bench-root']);
    const [serverChain, serverKey, clientChain, clientKey, ca] = await Promise.all(
      [
        materials.paths('bench-server').chain,
        materials.paths('bench-server').key,
        materials.paths('bench-client').chain,
        materials.paths('bench-client').key,
        trust,
      ].map((file) => readFile(file)),
    );
    return {
      server: { cert: serverChain!, key: serverKey!, ca: ca! },
      clientContext: tls.createSecureContext({ cert: clientChain!, key: clientKey!, ca: ca! }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function listen(server: net.Server): Promise<number> {
  server.listen(0, address);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

const quiet = (socket: net.Socket): void => void socket.on('error', () => {});

/** One full mTLS handshake: done when the server, having verified the client, sends its byte. */
function handshake(port: number, context: tls.SecureContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, servername: benchHost, secureContext: context });
    socket.once('data', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** Runs `step` `count` times, `concurrency` at once; completions per second. */
async function perSecond(count: number, concurrency: number, step: () => Promise<void>): Promise<number> {
  let left = count;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        await step();
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function handshakesPerSecond(port: number, context: tls.SecureContext, count: number, concurrency: number): Promise<number> {
  return perSecond(count, concurrency, () => handshake(port, context));
}

function get(port: number, agent: https.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: address, port, servername: benchHost, headers: { host: benchHost }, agent }, (response: IncomingMessage) => {
      response.resume();
      response.once('end', resolve);
      response.once('error', reject);
    });
    request.once('error', reject);
  });
}

function keepAliveAgent(context: tls.SecureContext, maxSockets: number): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets, secureContext: context, servername: benchHost } as https.AgentOptions);
}

async function requestsPerSecond(port: number, context: tls.SecureContext, count: number, concurrency: number): Promise<number> {
  const agent = keepAliveAgent(context, concurrency);
  try {
    // Warm-up (untimed): open the 16 sockets, so the timed part is keep-alive requests only.
    await Promise.all(Array.from({ length: concurrency * 2 }, () => get(port, agent)));
    return await perSecond(count, concurrency, () => get(port, agent));
  } finally {
    agent.destroy();
  }
}

/** p50 µs of one request at a time on one kept-alive socket. */
async function sequentialP50(port: number, context: tls.SecureContext, count: number): Promise<number> {
  const agent = keepAliveAgent(context, 1);
  try {
    for (let i = 0; i < 20; i++) await get(port, agent);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await get(port, agent);
      samples.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
    return median(samples);
  } finally {
    agent.destroy();
  }
}

export async function benchTap(rounds = 5): Promise<string[]> {
  rounds = Math.min(Math.max(rounds, 5), 11);
  const pki = await benchPki();
  const mtls = { ...pki.server, requestCert: true, rejectUnauthorized: true };
  // Each server builds its shared secure context once, at creation, from these options.
  const tlsServer = tls.createServer(mtls, (socket) => {
    quiet(socket);
    socket.end('k');
  });
  const httpsServer = https.createServer(mtls, (_request, response) => response.end('ok'));
  for (const server of [tlsServer, httpsServer]) {
    server.on('tlsClientError', () => {});
    server.on('connection', quiet);
  }
  const tap = new Tap({ address });
  const relay = new Tap({ address });
  let live: LiveDecoding | undefined;
  try {
    const tlsPort = await listen(tlsServer);
    const httpsPort = await listen(httpsServer);
    const through = async (t: Tap): Promise<{ tlsPort: number; httpsPort: number }> => {
      t.setMaxListeners(0);
      const ports = { tlsPort: await t.listen('tls'), httpsPort: await t.listen('https') };
      t.setUpstream('tls', tlsPort);
      t.setUpstream('https', httpsPort);
      return ports;
    };
    const paths = [
      { name: 'direct' as const, tlsPort, httpsPort },
      { name: 'relay' as const, ...(await through(relay)) },
      { name: 'tap' as const, ...(await through(tap)) },
    ];
    const decoding = await LiveDecoding.start(tap);
    live = decoding;
    for (const server of [tlsServer, httpsServer]) server.on('keylog', (line: Buffer) => decoding.addKeylogLine(line.toString('latin1').trimEnd()));
    const closed: TapConnection[] = [];
    tap.on('close', (conn: TapConnection) => closed.push(conn));

    const handshakes = 300;
    const requests = 3000;
    const sequential = 500;
    const sampled = 32;
    const ctx = pki.clientContext;
    const result = Object.fromEntries(paths.map((p) => [p.name, { hs: [] as number[], rps: [] as number[], p50: [] as number[] }])) as Record<(typeof paths)[number]['name'], { hs: number[]; rps: number[]; p50: number[] }>;
    // Untimed warm-up of every path (JIT here and in the tap's thread, first contexts).
    for (const p of paths) {
      await handshakesPerSecond(p.tlsPort, ctx, 64, 16);
      await requestsPerSecond(p.httpsPort, ctx, 1000, 16);
    }
    for (let round = 0; round < rounds; round++) {
      // Each round starts with another path, so drift in the machine's state hits all alike.
      for (const p of [...paths.slice(round % paths.length), ...paths.slice(0, round % paths.length)]) {
        result[p.name].hs.push(await handshakesPerSecond(p.tlsPort, ctx, handshakes, 16));
        result[p.name].rps.push(await requestsPerSecond(p.httpsPort, ctx, requests, 16));
        result[p.name].p50.push(await sequentialP50(p.httpsPort, ctx, sequential));
      }
    }
    // The decoder works behind the relay: the last connection's result comes once it has caught up.
    const last = closed.slice(-sampled);
    const [lastResult, lagMs] = await timed(() => decoding.decoded(last.at(-1)!));
    const results = [lastResult, ...(await Promise.all(last.slice(0, -1).map((conn) => decoding.decoded(conn))))];
    const liveResults = results.filter((r) => r.source === 'live');
    const messages = liveResults.reduce((n, r) => n + r.decoded.messages.length, 0);
    const decrypted = liveResults.reduce((n, r) => n + r.decoded.messages.filter((message) => message.encrypted).length, 0);

    const m = (values: number[]): number => median(values);
    const line = (label: string, metric: 'hs' | 'rps' | 'p50', unit: string): string => {
      const [direct, relayOnly, tapped] = [m(result.direct[metric]), m(result.relay[metric]), m(result.tap[metric])];
      const shown = (value: number): string => `${value.toFixed(0)}${unit}`;
      const cost = (value: number): string => (metric === 'p50' ? `+${(value - direct).toFixed(0)} µs added` : `tap/direct = ${(value / direct).toFixed(2)}×`);
      return `  ${label}: direct ${shown(direct)}, tap ${shown(tapped)}  → ${cost(tapped)}  (relay only, no decoding: ${shown(relayOnly)}, ${cost(relayOnly)})`;
    };
    return [
      `wire tap overhead (one mTLS server, direct vs through a Tap that relays and decodes every connection live in its own thread, ${rounds} rounds, medians; client and server share the main thread):`,
      line(`(a) full mTLS handshakes/s, 16 concurrent, ${handshakes} new connections per round`, 'hs', '/s'),
      line(`(b) keep-alive HTTPS requests/s, 16 sockets, ${requests} per round`, 'rps', '/s'),
      line(`(c) p50 keep-alive request latency, sequential, ${sequential} per round`, 'p50', ' µs'),
      `  live decoding: of the last ${last.length} connections, ${liveResults.length} decoded live (${messages} messages, ${decrypted} of them decrypted); the last one's result came ${lagMs.toFixed(1)} ms after the last round`,
      `  recorded through the tap: ${tap.connections.length} connections, ${(tap.recordedBytes / 1e6).toFixed(1)} MB kept, ${(tap.droppedBytes / 1e6).toFixed(1)} MB dropped at the cap`,
    ];
  } finally {
    live?.stop();
    await Promise.all([tap.close(), relay.close()]);
    httpsServer.closeAllConnections();
    await Promise.all([tlsServer, httpsServer].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await pki.cleanup();
  }
}
