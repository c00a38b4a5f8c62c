/**
 * A service on Node's own TLS stack (`stack: node`), in its service process.
 *
 *   tap ──▶ [strict]     https server (mTLS per clientAuth)
 *   tap ──▶ [permissive] net server ──first byte 0x16?──▶ https server
 *                                     └─ otherwise ───▶ http server (plaintext)
 *   tap ──▶ [disable]    http server
 *
 * Every handler answers with whom it saw, after `latencyMs`.
 *
 * Reconfigured live (a fault injected, a fix applied): new handshakes meet the new
 * certificate, trust and policy (`setSecureContext`), connections already open keep the
 * identity they were made with, as in a real rotation; the handler reads the new allow list
 * and latency. A change of whom it admits (client auth, trust, CRLs, protocol policy) drains
 * the connections admitted under the old one, as a proxy drains its listeners on a new
 * config: idle ones close at once, busy ones after their answer (`Connection: close`), so a
 * caller let in by the old policy meets the new one at its next handshake. A new mode is a
 * different server: the sandbox restarts the process for it.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { sendToParent } from './childIpc.js';
import type { ServiceConfig, ServiceMessage } from './messages.js';
import { x509ErrorMessage } from './opensslErrors.js';
import { nodeTlsPolicy } from './tlsPolicy.js';

const send = (message: ServiceMessage): void => sendToParent(message);

/** The first byte of a TLS record carrying a handshake (RFC 8446 §5.1, ContentType 22). */
const tlsHandshakeRecord = 0x16;

export interface RunningService {
  port: number;
  /** Takes every change but the mode, for connections from now on. */
  reconfigure(config: ServiceConfig): void;
}

/** The config a service runs with now: replaced whole on each reconfigure. */
interface Current {
  config: ServiceConfig;
  /** Bumped by each change of whom it admits. */
  admissionPolicy: number;
  /** The admission policy each TLS connection was let in under. */
  admittedUnder: WeakMap<net.Socket, number>;
}

export async function startNodeService(config: ServiceConfig): Promise<RunningService> {
  const current: Current = { config, admissionPolicy: 0, admittedUnder: new WeakMap() };
  let admits = admission(config);
  const handler = answer(current);
  const secure = config.mode === 'disable' ? undefined : tlsServer(current, handler);
  const listening = secure === undefined ? plainServer(handler) : config.mode === 'strict' ? secure : permissiveServer(secure, handler);
  const limitConnections = (): void => void (listening.maxConnections = current.config.maxConnections ?? Infinity);
  limitConnections();
  await new Promise<void>((resolve, reject) => {
    listening.once('error', reject);
    listening.listen({ host: config.address, port: 0 }, () => {
      listening.off('error', reject);
      resolve();
    });
  });
  return {
    port: (listening.address() as net.AddressInfo).port,
    reconfigure(next) {
      if (next.mode !== current.config.mode) throw new TypeError(`service "${next.name}": mode ${current.config.mode} cannot become ${next.mode} without a restart`);
      // Throws (a key that does not match its certificate) before anything changed.
      if (secure) reloadTls(secure, next);
      current.config = next;
      limitConnections();
      const nextAdmits = admission(next);
      if (secure && nextAdmits !== admits) {
        current.admissionPolicy++;
        secure.closeIdleConnections();
      }
      admits = nextAdmits;
    },
  };
}

/** Whom the service lets in, read from its files now (a change rewrites them in place): its certificate alone is not part of it. */
function admission(config: ServiceConfig): string {
  const read = (path: string): string => readFileSync(path, 'utf8');
  return JSON.stringify([clientAuthOptions(config), config.trustPath && read(config.trustPath), config.crlPaths.map(read), config.tls, config.certRequestSigalgs]);
}

function answer(current: Current): http.RequestListener {
  const peers = new WeakMap<net.Socket, string>();
  return (req, res) => {
    const config = current.config;
    req.resume();
    const socket = req.socket;
    // Let in under a policy since replaced: answered, then closed (drained).
    if ((current.admittedUnder.get(socket) ?? current.admissionPolicy) !== current.admissionPolicy) res.setHeader('connection', 'close');
    // Read now: once a `Connection: close` response ends, Node forgets the socket's remote port.
    const remotePort = socket.remotePort;
    const encrypted = 'encrypted' in socket && socket.encrypted === true;
    let peer = peers.get(socket);
    if (peer === undefined) {
      peer = encrypted ? describePeer(socket as TLSSocket) : 'no client certificate (plaintext HTTP)';
      peers.set(socket, peer);
    }
    const seen = peer;
    const refusal = config.allow === undefined ? undefined : unauthorized(config, encrypted ? (socket as TLSSocket) : undefined);
    const respond = (): void => {
      const status = refusal === undefined ? 200 : 403;
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(refusal === undefined ? `hello from ${config.name}; ${seen}\n` : `forbidden: ${refusal}\n`);
      send({ type: 'request', remotePort, method: req.method ?? 'GET', path: req.url ?? '/', status, peer: refusal === undefined ? seen : `${seen}; ${refusal}`, tls: encrypted });
    };
    if (config.latencyMs > 0) setTimeout(respond, config.latencyMs);
    else respond();
  };
}

/**
 * Authorization after authentication: why the verified peer may not call, or undefined when
 * one of its URI SANs is on the allow list. Only a certificate the handshake verified counts.
 */
function unauthorized(config: ServiceConfig, socket: TLSSocket | undefined): string | undefined {
  const cert = socket?.authorized ? socket.getPeerCertificate() : undefined;
  // Node lists SANs as `DNS:a, URI:spiffe://…` (X509Certificate.subjectAltName's format).
  const identities = (cert?.subjectaltname ?? '').split(', ').filter((san) => san.startsWith('URI:')).map((san) => san.slice(4));
  if (identities.some((identity) => config.allow!.includes(identity))) return undefined;
  const who = identities.length ? identities.join(', ') : 'a caller without a verified URI SAN';
  return `${who} is not on ${config.name}'s allow list (${config.allow!.join(', ') || 'empty'})`;
}

/** `you are CN=payments-client, URI:spiffe://corp.test/ns/pay/sa/payments` or `no client certificate`. */
function describePeer(socket: TLSSocket): string {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return 'no client certificate';
  const cn = cert.subject?.CN;
  const names = [cn === undefined ? undefined : `CN=${Array.isArray(cn) ? cn.join('+') : cn}`, cert.subjectaltname].filter(Boolean);
  return `you are ${names.join(', ') || 'an unnamed certificate'}`;
}

/** What the service presents and verifies with: the options of its secure context. */
function secureContextOptions(config: ServiceConfig): SecureContextOptions {
  return {
    key: readFileSync(config.keyPath),
    cert: readFileSync(config.chainPath),
    ...(config.trustPath ? { ca: readFileSync(config.trustPath) } : {}),
    ...(config.crlPaths.length ? { crl: config.crlPaths.map((path) => readFileSync(path)) } : {}),
    ...nodeTlsPolicy(config.tls),
    // The schemes of the CertificateRequest; Node's one knob signs the server's own too.
    ...(config.certRequestSigalgs ? { sigalgs: config.certRequestSigalgs } : {}),
  };
}

/**
 * `require`: Node sets SSL_VERIFY_FAIL_IF_NO_PEER_CERT only with rejectUnauthorized, and
 * only that flag makes OpenSSL answer a missing certificate with the real alert
 * (certificate_required, 116). A bad certificate is then closed by Node without an alert
 * (lib/_tls_wrap.js onServerSocketSecure); its reason is still on the socket and is
 * reported from 'tlsClientError' below.
 * `optional`: verify a certificate if one comes; rejected in 'secureConnection'.
 */
function clientAuthOptions(config: ServiceConfig): { requestCert: boolean; rejectUnauthorized: boolean } {
  return { requestCert: config.clientAuth !== 'none', rejectUnauthorized: config.clientAuth === 'require' };
}

/**
 * The next handshakes' context. Node's server reads requestCert and rejectUnauthorized from
 * itself for each connection it accepts (lib/_tls_wrap.js tlsConnectionListener); open
 * connections keep the context they were made with.
 */
function reloadTls(server: https.Server, config: ServiceConfig): void {
  server.setSecureContext(secureContextOptions(config));
  Object.assign(server, clientAuthOptions(config));
}

function tlsServer(current: Current, handler: http.RequestListener): https.Server {
  const server = https.createServer({ ...secureContextOptions(current.config), ...clientAuthOptions(current.config) }, handler);

  // Read the remote port while the socket is alive: a socket destroyed mid-handshake no longer
  // knows it, and it is the only link from this log line to the tap's recording.
  server.prependListener('connection', (socket: net.Socket) => void socket.remotePort);

  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const reason = socket.authorizationError;
    // Node reports a certificate it rejected as "ECONNRESET socket hang up"; the real reason
    // is authorizationError (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE …).
    const code = reason ? String(reason) : (err.code ?? 'ERR_TLS');
    const message = reason ? x509ErrorMessage(String(reason)) : err.message.trim();
    send({ type: 'tls-error', code, message, remotePort: remotePortOf(socket) });
  });

  server.prependListener('secureConnection', (socket: TLSSocket) => {
    current.admittedUnder.set(socket, current.admissionPolicy);
    if (current.config.clientAuth !== 'optional' || socket.authorized) return;
    // Without a certificate Node reports UNABLE_TO_GET_ISSUER_CERT; optional lets that in.
    const cert = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) return;
    const code = String(socket.authorizationError);
    send({ type: 'tls-error', code, message: x509ErrorMessage(code), remotePort: socket.remotePort });
    socket.destroy();
  });

  server.on('keylog', (line: Buffer) => send({ type: 'keylog', line: line.toString('latin1').trimEnd() }));
  return server;
}

/**
 * The TCP socket under a TLS socket, whose peer name was cached on 'connection'. `_parent`
 * is Node's own field (lib/_tls_wrap.js); without it the port is simply unknown.
 */
function remotePortOf(socket: TLSSocket): number | undefined {
  return socket.remotePort ?? (socket as TLSSocket & { _parent?: net.Socket | null })._parent?.remotePort;
}

function plainServer(handler: http.RequestListener): http.Server {
  return http.createServer(handler);
}

/**
 * One port for mTLS and plaintext, like Istio's PERMISSIVE mode: Envoy's tls_inspector
 * peeks at the first byte and picks the filter chain. The peeked bytes are put back
 * (unshift) so the chosen server reads the connection from its first byte.
 */
function permissiveServer(secure: https.Server, handler: http.RequestListener): net.Server {
  const plain = plainServer(handler);
  return net.createServer({ noDelay: true }, (socket) => {
    void socket.remotePort;
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] === tlsHandshakeRecord) {
        // The TLS socket drains what is buffered on the raw socket itself (lib/_tls_wrap.js initRead).
        secure.emit('connection', socket);
      } else {
        plain.emit('connection', socket);
        // http adds its 'data' listener, which does not restart a socket paused by hand.
        socket.resume();
      }
    });
    socket.on('error', () => {});
  });
}
