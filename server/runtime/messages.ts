/**
 * The IPC vocabulary between a sandbox (the parent) and its child processes. Types only:
 * children import this file, and it must stay free of anything heavy.
 *
 *   parent ──argv[2] (JSON config)──▶ child
 *   parent ◀──ServiceMessage / ClientMessage── child      (process.send)
 *   parent ──ClientCommand / ServiceCommand──▶ child       (child.send)
 *
 * A child exits when its IPC channel closes, so a parent that dies takes its children along.
 */
import type { ClientSpec, PoolSpec, ServiceSpec, TlsPolicySpec } from '../lab/schema.js';

/** Everything a service process needs, with file paths already resolved in the sandbox dir. */
export interface ServiceConfig {
  name: string;
  stack: ServiceSpec['stack'];
  host: string;
  /** The sandbox's loopback address; the service listens on it, port chosen by the OS. */
  address: string;
  certPath: string;
  keyPath: string;
  /** What the service sends: the leaf alone (`chain: leaf`) or leaf + intermediates. */
  chainPath: string;
  /** Intermediates only, for `openssl s_server -cert_chain` (which adds them after the leaf). */
  intermediatesPath?: string;
  trustPath?: string;
  /** One CRL per file (Node's `crl` reads the first CRL of each); empty: no revocation check. */
  crlPaths: string[];
  /** openssl s_server: trustPath holds the CRLs too, and they are checked (-crl_check). */
  crlsInTrust?: boolean;
  /** openssl s_server: the instant (seconds since the epoch) it verifies certificates at (-attime): a clock behind or ahead. */
  verifyAtSeconds?: number;
  clientAuth: ServiceSpec['clientAuth'];
  mode: ServiceSpec['mode'];
  latencyMs: number;
  maxConnections?: number;
  /** Protocol versions and TLS 1.2 ciphers (tlsPolicy.ts). */
  tls?: TlsPolicySpec;
  /** URI SANs (`spiffe://…`, without `uri:`) that may call; absent: every verified caller. */
  allow?: string[];
  /** The signature schemes its CertificateRequest names (Node `sigalgs`, s_server `-client_sigalgs`). */
  certRequestSigalgs?: string;
  /** For `stack: openssl`: the file s_server appends NSS key-log lines to. */
  keylogPath: string;
}

export interface ClientConfig {
  name: string;
  service: string;
  /** The DNS name of the service: SNI, certificate name check and Host header. */
  host: string;
  /** Where the tap listens for this service. */
  address: string;
  port: number;
  protocol: ClientSpec['protocol'];
  path: string;
  certPath?: string;
  keyPath?: string;
  trustPath?: string;
  crlPaths: string[];
  /** false: the server's name is matched against its DNS SANs only, never its subject CN. */
  commonNameFallback: boolean;
  /** Protocol versions and TLS 1.2 ciphers (tlsPolicy.ts). */
  tls?: TlsPolicySpec;
  pool: PoolSpec;
  rps: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

/** service ──▶ parent */
export type ServiceMessage =
  /** The internal port the tap connects to. */
  | { type: 'listening'; port: number }
  /** A grandchild (openssl s_server) the parent must be able to kill if this process cannot. */
  | { type: 'spawned'; pid: number; command: string }
  /**
   * A TLS failure as the stack logged it. `remotePort` is the tap's upstream port, which
   * names the connection; openssl's log carries no port, so it is absent there.
   */
  | { type: 'tls-error'; code: string; message: string; remotePort?: number }
  | { type: 'request'; remotePort?: number; method: string; path: string; status: number; peer: string; tls: boolean }
  | { type: 'keylog'; line: string }
  /** A line of openssl's own output: its verify errors are the server's log. */
  | { type: 'log'; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'flushed'; id: number }
  /**
   * Its TLS stack refused its configuration (a key that does not match the certificate): the
   * service cannot start, and says so in its stack's words before it exits.
   */
  | { type: 'start-failed'; code?: string; message: string }
  /** A reconfigure is in effect for connections from now on; `port`: where it listens now (a restarted s_server moves). */
  | { type: 'reconfigured'; id: number; port: number }
  | { type: 'fatal'; message: string };

/**
 * parent ──▶ service: `reconfigure` — the config it runs with from now on, for a live fault or
 * fix (stack and mode stay; the sandbox restarts the process for those).
 */
export type ServiceCommand = { type: 'flush'; id: number } | { type: 'reconfigure'; id: number; config: ServiceConfig };

/** One request as the client lived it. */
export interface RequestResult {
  runId: number;
  seq: number;
  ok: boolean;
  status?: number;
  /** From queueing the request to the end of the response (or the error). */
  latencyMs: number;
  error?: ErrorInfo;
  timedOut: boolean;
  /**
   * `full`: a new connection with a full handshake; `resumed`: a new connection that resumed
   * a session; `reused`: an idle keep-alive connection; `none`: no TLS session was established
   * (failed before the handshake finished, or plaintext).
   */
  tls: 'full' | 'resumed' | 'reused' | 'none';
  /** The client's local port: the tap's `clientPort`, which names the connection. */
  localPort?: number;
  /** Requests waiting for a socket in the pool right after this one was queued. */
  queueDepth: number;
  /** The first response body of a run, to show whom the service saw. */
  body?: string;
}

/** client ──▶ parent */
export type ClientMessage =
  | { type: 'ready' }
  | ({ type: 'result' } & RequestResult)
  | { type: 'done'; runId: number; durationMs: number }
  | { type: 'keylog'; line: string }
  | { type: 'reconfigured'; id: number }
  | { type: 'fatal'; message: string };

/**
 * parent ──▶ client: start a run; stop one (send nothing more, finish what is in flight, then
 * `done`); reconfigure (requests from now on use the new config's pool and TLS context).
 */
export type ClientCommand =
  /** held: the first request only, the rest once `go` comes. */
  | { type: 'run'; runId: number; requests: number; held?: boolean }
  | { type: 'go'; runId: number }
  | { type: 'stop'; runId: number }
  | { type: 'reconfigure'; id: number; config: ClientConfig };

/** parent ──▶ reaper */
export type ReaperCommand =
  | { type: 'register'; pid?: number; dir?: string }
  | { type: 'unregister'; pid?: number; dir?: string };
