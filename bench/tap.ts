/**
 * The wire tap's cost: the same mTLS server dialled directly and through a Tap relaying to
 * it and decoding every connection live, in short slices that take turns in the same run —
 *
 *   direct:  client ⇄ server              (both on this process's main thread)
 *   tap:     client ⇄ Tap ⇄ server        (the tap's thread relays and decodes, as in a sandbox)
 *   relay:   client ⇄ Tap ⇄ server        (a second Tap without the decoder: what the decoding costs)
 *
 *   (a) full mTLS handshakes per second, 16 concurrent, a new connection each; a tap slice
 *       ends when the live decoder has decoded its last connection
 *   (b) keep-alive HTTPS requests per second, 16 sockets kept open for the whole run
 *   (c) p50 latency of one keep-alive request, sequential
 *
 * Each figure is per round, against the direct path measured in the same round; the bench
 * prints their medians. Client and server share the main thread, so the figures compare the
 * paths with each other; they are not the absolute capacity of a sandbox. Through a Tap,
 * each request crosses to another thread and back, twice, where the direct path never
 * leaves its own: in a sandbox the two ends are processes of their own and pay those
 * crossings anyway. The server's key-log lines go to the live decoder as a sandbox's do;
 * decoded results stay in the tap's thread until asked for (the app's trace store asks as
 * each connection closes), and the bench asks for each tap slice's last connection.
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
type LiveDecoded = Awaited<ReturnType<LiveDecoding['decoded']>>;
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

/** Runs `step` `count` times, `concurrency` at once, then `after`; completions per second, `after` included. */
async function perSecond(count: number, concurrency: number, step: () => Promise<void>, after?: () => Promise<void>): Promise<number> {
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
  await after?.();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
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

/** p50 µs of `count` requests, one at a time, on an agent with one kept-alive socket. */
async function sequentialP50(port: number, agent: https.Agent, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await get(port, agent);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(samples);
}

const percentile = (values: readonly number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;

export async function benchTap(rounds = 5): Promise<string[]> {
  rounds = Math.min(Math.max(rounds, 5), 15);
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

    const ctx = pki.clientContext;
    /** Resolves once the tap has closed `count` connections, and the decoder has the last of them. */
    const decodedUpTo = async (count: number): Promise<LiveDecoded> => {
      while (closed.length < count) await once(tap, 'close');
      return decoding.decoded(closed.at(-1)!);
    };
    /** What the decoder made of each tap slice's last connection. */
    const sliceEnds: Array<LiveDecoded> = [];
    const measured = paths.map((p) => ({
      ...p,
      // Kept for the whole run: its sockets stay open, so (b) and (c) time keep-alive requests only.
      pool: keepAliveAgent(ctx, 16),
      single: keepAliveAgent(ctx, 1),
      // A tap slice of handshakes ends when the live decoder has decoded its last connection.
      handshakes(count: number): Promise<number> {
        const target = closed.length + count;
        const decoded = async (): Promise<void> => void sliceEnds.push(await decodedUpTo(target));
        return perSecond(count, 16, () => handshake(p.tlsPort, ctx), p.name === 'tap' ? decoded : undefined);
      },
    }));
    const handshakes = 100;
    const requests = 1000;
    const sequential = 200;
    const slices = rounds * 3;
    const result = Object.fromEntries(paths.map((p) => [p.name, { hs: [] as number[], rps: [] as number[], p50: [] as number[] }])) as Record<
      (typeof paths)[number]['name'],
      { hs: number[]; rps: number[]; p50: number[] }
    >;
    try {
      // Untimed warm-up of every path (JIT here and in the tap's thread, first contexts, the pools' sockets).
      for (const p of measured) {
        await p.handshakes(64);
        await perSecond(1000, 16, () => get(p.httpsPort, p.pool));
        await sequentialP50(p.httpsPort, p.single, 50);
      }
      sliceEnds.length = 0;
      // Short slices that take turns, each round starting with another path: the host's speed
      // drifts over seconds (a fixed loop of arithmetic runs anywhere from 310 to 530 ms here),
      // and a ratio taken within one round sees the same host for both of its paths.
      const inTurn = async (measure: (p: (typeof measured)[number]) => Promise<number>, metric: 'hs' | 'rps' | 'p50'): Promise<void> => {
        for (let round = 0; round < slices; round++) {
          for (const p of [...measured.slice(round % 3), ...measured.slice(0, round % 3)]) result[p.name][metric].push(await measure(p));
        }
      };
      await inTurn((p) => p.handshakes(handshakes), 'hs');
      await inTurn((p) => perSecond(requests, 16, () => get(p.httpsPort, p.pool)), 'rps');
      await inTurn((p) => sequentialP50(p.httpsPort, p.single, sequential), 'p50');
    } finally {
      for (const p of measured) {
        p.pool.destroy();
        p.single.destroy();
      }
    }
    // The decoder works behind the relay: the last connection's result comes once it has caught up.
    const [, lagMs] = await timed(() => decodedUpTo(tap.connections.length));
    const liveResults = sliceEnds.filter((r) => r.source === 'live');
    const messages = liveResults.reduce((n, r) => n + r.decoded.messages.length, 0);
    const decrypted = liveResults.reduce((n, r) => n + r.decoded.messages.filter((message) => message.encrypted).length, 0);

    const line = (label: string, metric: 'hs' | 'rps' | 'p50', unit: string): string => {
      const direct = result.direct[metric];
      const shown = (values: number[]): string => `${median(values).toFixed(0)}${unit}`;
      // Per round: each path against the direct path measured beside it.
      const cost = (values: number[]): string => {
        if (metric === 'p50') return `+${median(values.map((v, i) => v - direct[i]!)).toFixed(0)} µs added`;
        const ratios = values.map((v, i) => v / direct[i]!);
        return `tap/direct = ${median(ratios).toFixed(2)}× (middle half of rounds ${percentile(ratios, 0.25).toFixed(2)}–${percentile(ratios, 0.75).toFixed(2)})`;
      };
      return `  ${label}: direct ${shown(direct)}, tap ${shown(result.tap[metric])}  → ${cost(result.tap[metric])}  (relay only, no decoding: ${shown(result.relay[metric])}, ${cost(result.relay[metric])})`;
    };
    return [
      `wire tap overhead (one mTLS server, direct vs through a Tap that relays and decodes every connection live in its own thread; ${slices} rounds of short slices, the paths taking turns; medians of per-round figures; client and server share the main thread):`,
      line(`(a) full mTLS handshakes/s, 16 concurrent, ${handshakes} new connections per slice (a tap slice ends when its last one is decoded)`, 'hs', '/s'),
      line(`(b) keep-alive HTTPS requests/s, 16 sockets, ${requests} per slice`, 'rps', '/s'),
      line(`(c) p50 keep-alive request latency, sequential, ${sequential} per slice`, 'p50', ' µs'),
      `  live decoding: of the ${sliceEnds.length} tap slices' last connections, ${liveResults.length} decoded live (${messages} messages, ${decrypted} of them decrypted); after the last slice, the kept-alive connections were closed and decoded in ${lagMs.toFixed(1)} ms`,
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
