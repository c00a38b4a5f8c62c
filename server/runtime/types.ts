/**
 * The runtime's public shapes: what the CLI and the web server see of a running sandbox.
 *
 *   LabSpec ──startSandbox──▶ Sandbox: services, clients, every connection via the tap
 *     client ⇄ tap ⇄ service        (tap: bytes + timestamps; keylog from both ends)
 */
import type { EventEmitter } from 'node:events';
import type { ClientSpec, LabSpec, ServiceSpec } from '../lab/schema.js';
import type { CertificateFacts } from '../pki/index.js';
import type { Tap } from './tap.js';
import type { WarmPool } from './warmPool.js';
import type { WireFaultInput, WireFaultSpec } from './wireFaults/catalogue.js';

export interface SandboxOptions {
  /** The clock the PKI issues against (validity is relative to it). */
  now?: Date;
  /** Where the sandbox directory is created; os.tmpdir() by default. */
  baseDir?: string;
  /** Warm processes to take before spawning any (warmPool.ts); none by default. */
  warmPool?: WarmPool;
}

export interface ServiceDescription {
  host: string;
  address: string;
  /** The tap's port: the one to dial. */
  port: number;
  /** `https://<host>:<port>/` (`http://` for mode disable). */
  url: string;
  /** `<host>:<port>:<address>`, for `curl --resolve`. */
  resolve: string;
  stack: ServiceSpec['stack'];
  mode: ServiceSpec['mode'];
  clientAuth: ServiceSpec['clientAuth'];
  /** What the service presents: its leaf, with the intermediates after it for `chain: full`. */
  cert: string;
  /** The private key deployed beside it: its certificate's own, unless the lab says another's (`key:`). */
  key: string;
  /** Why the service could not start, in its TLS stack's words; its port then refuses every connect. */
  startError?: string;
  /** The CA bundle it verifies client certificates with; absent when the lab gives it none. */
  trust?: string;
  /** Where the service itself listens, behind the tap. */
  internalPort: number;
  pid: number;
  /** openssl s_server's pid, for stack openssl. */
  opensslPid?: number;
}

export interface ClientDescription {
  calls: string;
  cert?: string;
  key?: string;
  /** Leaf + intermediates, for tools that send a chain (`openssl s_client -cert_chain`). */
  chain?: string;
  /** The CA bundle this client trusts; absent when the lab gives it none (the system's then). */
  trust?: string;
  url: string;
  protocol: ClientSpec['protocol'];
  pid: number;
}

export interface SandboxDescription {
  id: string;
  lab: string;
  dir: string;
  address: string;
  /**
   * Point SSLKEYLOGFILE here (curl) or pass it to `openssl s_client -keylogfile`: connections
   * of tools run by hand through the tap are then decrypted in the trace and the capture too.
   */
  sslKeylogFile: string;
  services: Record<string, ServiceDescription>;
  clients: Record<string, ClientDescription>;
  /** Each CA of the lab: its certificate file. */
  cas: Record<string, string>;
  /** Every child process of the sandbox (services, clients, openssl). */
  pids: number[];
}

/** Something a process of the sandbox did or said. */
export interface ProcessEvent {
  /** µs on process.hrtime's clock, like the tap's chunks. */
  t: number;
  role: 'service' | 'client';
  /** The lab's name for the service or client. */
  name: string;
  pid?: number;
  kind: 'spawned' | 'listening' | 'start-error' | 'files-renewed' | 'ready' | 'tls-error' | 'client-error' | 'request' | 'log' | 'exit' | 'fatal';
  code?: string;
  message?: string;
  /** For `log`: which stream of the process. */
  stream?: 'stdout' | 'stderr';
  /** The tap connection the event belongs to, when known. */
  connection?: number;
  /** For `files-renewed`: the certificate now in the service's files. */
  certificate?: RenewedCertificate;
}

/** A certificate a renewal job wrote, as the decoder names a certificate on the wire. */
export type RenewedCertificate = Pick<CertificateFacts, 'subject' | 'serialNumber' | 'notAfter' | 'sha256'>;

/** One client → service edge after a run of traffic. */
export interface EdgeReport {
  client: string;
  service: string;
  requests: number;
  ok: number;
  failed: number;
  timeouts: number;
  /** Keyed by the error code the client saw (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, CERT_HAS_EXPIRED, ECONNRESET …). */
  clientErrors: Record<string, { count: number; message: string }>;
  /** What the service process logged for this client's connections, keyed the same way. */
  serverErrors: Record<string, { count: number; message: string }>;
  /** Alerts the client's errors prove it received, e.g. `certificate_required (116)`. */
  alertsReceived: string[];
  statusCodes: Record<string, number>;
  /** Full TLS handshakes completed on new connections; resumed ones are counted in `resumed`. */
  handshakes: number;
  resumed: number;
  handshakesPerRequest: number;
  handshakesPerSecond: number;
  /** Over every request of the run, failed ones included (queueing to response or error). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Most requests ever waiting for a socket in the client's pool. */
  maxQueueDepth: number;
  durationMs: number;
  /** The first response body seen (the service says whom it saw). */
  sample?: string;
}

/** What a live change touched (Sandbox.reconfigure). */
export interface SpecChange {
  /** Certificates issued again: new serials, same files. */
  reissued: string[];
  /** `reloaded`: in its running process; `restarted`: a new process (a new stack or mode). */
  services: Record<string, 'reloaded' | 'restarted'>;
  /** Clients with a new pool and TLS context for their requests from now on. */
  clients: string[];
}

export interface TrafficOptions {
  /** Requests each client sends, at its rps. */
  requests: number;
  /**
   * Stops the run early: once it aborts no client sends another request; those in flight
   * finish (each within its pool's timeoutMs) and each report counts what was sent.
   */
  signal?: AbortSignal;
  /**
   * The run's turn on this machine (app/trafficBudget.ts): until it resolves, each client
   * sends only its first request; then the rest at its rate. Absent: all at once.
   */
  admitted?: Promise<unknown>;
}

export interface Sandbox {
  id: string;
  lab: string;
  dir: string;
  address: string;
  describe(): SandboxDescription;
  /** Drives every client: `requests` requests each at its rps; resolves when all are done. */
  runTraffic(options: TrafficOptions): Promise<EdgeReport[]>;
  /** Every connection through the sandbox, recorded. */
  readonly tap: Tap;
  /** NSS key-log lines from both ends, in arrival order. */
  readonly keylog: string[];
  /**
   * What happened while the sandbox started, before anyone could listen — a service that could
   * not start (`start-error`), files renewed under a running service (`files-renewed`) — so a
   * trace built later starts from these.
   */
  readonly startEvents: readonly ProcessEvent[];
  /**
   * `process-event` (ProcessEvent), `connection` / `close` (TapConnection), `keylog` (line),
   * `request-result` (client name, RequestResult: each request a client finished), `truncated`.
   */
  readonly events: EventEmitter;
  /**
   * Replaces every wire fault of the sandbox (an empty list clears them), live: no process
   * restarts, connections opened from now on meet them in the tap's thread:
   *
   *   client ⇄ tap ⇄ [upstream faults of the edge] ⇄ service, and back through [downstream faults]
   *
   * All or none: one that does not fit throws (WireFaultError, or a ParamsError for its
   * params) and nothing changes. Resolves with them validated, defaults filled.
   */
  setWireFaults(faults: readonly WireFaultInput[]): Promise<readonly WireFaultSpec[]>;
  /** The wire faults set last. */
  readonly wireFaults: readonly WireFaultSpec[];
  /**
   * Realises a new spec of the same lab live (a fault injected or cleared, a fix): only the
   * certificates whose spec changed are issued again (files rewritten in place), and only the
   * processes whose config or files changed take it — a Node service a new secure context (open
   * connections keep the identity they were made with), an s_server a restart by its service
   * process, a client a new pool; a new stack or mode restarts that one service. Every other
   * process keeps its pid. Changes run one at a time; the services, clients and edges must stay.
   */
  reconfigure(spec: LabSpec): Promise<SpecChange>;
  /** Kills every child, closes every listener, removes the directory. Idempotent. */
  stop(): Promise<void>;
}
