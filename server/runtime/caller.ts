/**
 * One lab client's connection pool and the way it makes a request, in its client process.
 *
 *   caller ──https.Agent (keepAlive, maxSockets, session cache)──▶ tap ⇄ service
 *
 * The agent and its TLS context are built once: the pool, the session cache and the
 * keep-alive sockets are exactly what the lab's `pool` block describes, and a new connection
 * does not parse the CA, certificate and key again (an agent given them as options would:
 * tls.connect builds a context per socket — under a room's load, a retry storm's cost). A new config (a live
 * fault or fix) is a new caller; the old one is retired.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { checkServerIdentity, createSecureContext, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { ClientConfig, ErrorInfo, RequestResult } from './messages.js';
import { nodeTlsPolicy } from './tlsPolicy.js';

export type CallResult = Omit<RequestResult, 'runId' | 'seq' | 'queueDepth' | 'body'> & { body?: string };

export interface Caller {
  call(): { queueDepth: number; result: Promise<CallResult> };
  /** No new requests: idle sockets close now, busy ones after their response (and the queued ones it still serves). */
  retire(): void;
}

/**
 * Node's own name check without the subject CN to fall back on (RFC 9525 §6.3; Go 1.15+):
 * a certificate with no DNS SAN fails it with Node's words, "Cert does not contain a DNS name".
 */
function sansOnly(host: string, cert: PeerCertificate): Error | undefined {
  const { CN: _ignored, ...subject } = cert.subject ?? {};
  return checkServerIdentity(host, { ...cert, subject: subject as PeerCertificate['subject'] });
}

/** Node's default session cache size (lib/_http_agent.js); the lab only switches it on or off. */
const defaultCachedSessions = 100;

export function createCaller(config: ClientConfig, onKeylog: (line: string) => void): Caller {
  const tls = config.protocol === 'tls';
  const poolOptions = { keepAlive: config.pool.keepAlive, maxSockets: config.pool.maxSockets, timeout: config.pool.timeoutMs };
  const agent = tls
    ? new https.Agent({
        ...poolOptions,
        maxCachedSessions: config.pool.sessionResumption ? defaultCachedSessions : 0,
        servername: config.host,
        secureContext: createSecureContext({
          ...(config.trustPath ? { ca: readFileSync(config.trustPath) } : {}),
          ...(config.certPath && config.keyPath ? { cert: readFileSync(config.certPath), key: readFileSync(config.keyPath) } : {}),
          ...(config.crlPaths.length ? { crl: config.crlPaths.map((path) => readFileSync(path)) } : {}),
          ...nodeTlsPolicy(config.tls),
        }),
        ...(config.commonNameFallback ? {} : { checkServerIdentity: sansOnly }),
      })
    : new http.Agent(poolOptions);
  if (tls) agent.on('keylog', (line: Buffer) => onKeylog(line.toString('latin1').trimEnd()));

  const requestOptions: https.RequestOptions = {
    agent,
    host: config.address,
    port: config.port,
    path: config.path,
    method: 'GET',
    headers: {
      // The lab's DNS name, as a real caller would send it; the tap's address is only routing.
      host: `${config.host}:${config.port}`,
      // `keepAlive: false` means no connection is ever reused, as with Go's DisableKeepAlives.
      // Node's agent alone would still reuse a socket for requests already queued on it
      // (lib/_http_client.js keeps `Connection: keep-alive` whenever maxSockets is finite).
      ...(config.pool.keepAlive ? {} : { connection: 'close' }),
    },
    ...(tls ? { servername: config.host } : {}),
  };
  const send = tls ? https.request : http.request;
  const seen = new WeakSet<net.Socket>();
  const timeoutMs = config.pool.timeoutMs;

  const queueDepth = (): number => {
    let depth = 0;
    for (const waiting of Object.values(agent.requests)) depth += waiting?.length ?? 0;
    return depth;
  };

  const call = (): { queueDepth: number; result: Promise<CallResult> } => {
    const queuedAt = performance.now();
    let tlsState: CallResult['tls'] = 'none';
    let localPort: number | undefined;
    let timedOut = false;
    let settle: (result: CallResult) => void = () => {};
    const result = new Promise<CallResult>((resolve) => (settle = resolve));
    let settled = false;
    const finish = (outcome: Pick<CallResult, 'ok'> & Partial<CallResult>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle({ tls: tlsState, localPort, timedOut, latencyMs: performance.now() - queuedAt, ...outcome });
    };
    const timeout = (): void => {
      timedOut = true;
      const error = Object.assign(new Error(`no response within ${timeoutMs} ms of queueing the request (pool.timeoutMs)`), { code: 'ETIMEDOUT' });
      req.destroy(error);
      // A request still queued for a socket hears of its destruction only once the agent
      // hands it one (lib/_http_client.js onSocket), which a pool that never frees a socket
      // never does: it ends here, or its run would wait forever.
      finish({ ok: false, error: errorInfo(error) });
    };

    let req: http.ClientRequest;
    const attempt = (retry: boolean): void => {
      req = send(requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          finish({ ok: status >= 200 && status < 300, status, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => finish({ ok: false, status: res.statusCode, error: errorInfo(err) }));
      });
      req.on('socket', (socket: net.Socket) => {
        if (seen.has(socket)) {
          tlsState = tls ? 'reused' : 'none';
          localPort = socket.localPort;
          return;
        }
        seen.add(socket);
        const connected = (): void => void (localPort = socket.localPort);
        if (socket.connecting) socket.once('connect', connected);
        else connected();
        // TLS 1.3: secureConnect comes before the server has judged our certificate; a
        // rejection then arrives on the first read and fails this request, as it should.
        if (tls) socket.once('secureConnect', () => (tlsState = (socket as TLSSocket).isSessionReused() ? 'resumed' : 'full'));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as we wrote on it (its idle timeout, a drain):
        // the request never reached it, and a GET is safe to send again on a fresh connection —
        // what Node's docs advise (request.reusedSocket) and Go's Transport does.
        if (retry && req.reusedSocket && !timedOut && staleSocketCodes.has(err.code ?? '')) return attempt(false);
        finish({ ok: false, error: errorInfo(err) });
      });
      // The agent's `timeout` is an idle-socket timeout; it only emits, so end the request here.
      req.on('timeout', timeout);
      req.end();
    };
    const timer = setTimeout(timeout, timeoutMs);
    attempt(true);
    return { queueDepth: queueDepth(), result };
  };

  const retire = (): void => {
    // Read for each socket the agent frees (lib/_http_agent.js 'free'): false closes it.
    Object.assign(agent, { keepAlive: false });
    for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  };

  return { call, retire };
}

/** How a write on a socket the peer already closed fails: a reset, or a close before any response. */
const staleSocketCodes = new Set(['ECONNRESET', 'EPIPE']);

function errorInfo(err: NodeJS.ErrnoException): ErrorInfo {
  return { code: err.code ?? err.name, message: err.message.trim() };
}
