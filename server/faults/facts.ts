/**
 * What one connection showed, in the terms a root cause's detection rule reads: the messages
 * that crossed the wire (already decoded) and what each process reported. The explain room
 * builds these facts from a trace and runs the ordered list of rules over them; the rules live
 * here, in the faults room, beside the fault each one detects — so the facts are plain data
 * that names no room to the right (no TraceEvent, no Field).
 *
 *   TraceEvent[] ──explain: connectionFacts──▶ ConnectionFacts ──rootCause.rules[i]──▶ Finding | undefined
 */

/** A certificate as a Certificate message carried it, with its validity at the connection's time. */
export interface ChainCertificate {
  subject?: string;
  issuer?: string;
  serialNumber?: string;
  subjectAltNames?: string[];
  notBefore?: string;
  notAfter?: string;
  extendedKeyUsage?: string[];
  publicKey?: string;
  isCa?: boolean;
  /** SHA-256 of the DER, lower-case hex: matches the same certificate in a file. */
  sha256?: string;
  /** Why the decoder could not parse it. */
  error?: string;
}

export type Validity = 'valid' | 'expired' | 'not-yet-valid' | 'unknown';

export type Side = 'client' | 'server';

/** A trace event a fact comes from: what a finding cites as its evidence. */
export interface FactSource {
  /** Its position in the trace. */
  seq: number;
  /** Its type: `Certificate`, `alert certificate_expired (45)`, `client-error` … */
  type: string;
}

export interface FactCertificates extends FactSource {
  /** Leaf first (RFC 8446 §4.4.2), each with its validity when the connection opened. */
  chain: Array<ChainCertificate & { validity: Validity }>;
}

export interface FactAlert extends FactSource {
  code: number;
  /** Its sender: the client (c2s) or the server (s2c). */
  from: Side;
  fatal: boolean;
  /** The trace's note on it, for a connection no rule explains. */
  note: string;
}

/** What a process logged or threw: a server's verify error, a client's exception. */
export interface FactReport extends FactSource {
  side?: Side;
  /** Node's error code (`CERT_HAS_EXPIRED`) or OpenSSL's reason, when the stack gave one. */
  code?: string;
  message?: string;
  /** The trace's note on it, for a connection no rule explains. */
  note: string;
}

export interface ConnectionFacts {
  conn: number;
  service: string;
  client: string;
  /** When the connection opened (ms since the epoch): the instant certificates are judged at. */
  atMs?: number;
  /** The port asked for client certificates on some connection of the capture. */
  mtlsPort: boolean;
  /** The SNI of the ClientHello (RFC 6066 §3): the name the client dialled. */
  clientHello?: FactSource & { serverName?: string; /** Its supported_versions, as the decoder prints them: `TLS 1.3, TLS 1.2`. */ versions?: string };
  clientCert?: FactCertificates;
  serverCert?: FactCertificates;
  /** The CertificateRequest and the CA names it lists (empty: any CA the server trusts). */
  certRequest?: FactSource & { authorities: string[]; /** The signature schemes it accepts, by name. */ signatureSchemes?: string[] };
  /** The signature schemes the client's ClientHello offered, by name. */
  offeredSchemes?: string[];
  alerts: FactAlert[];
  /** Errors the processes reported on this connection. */
  reports: FactReport[];
  /** Plaintext the client sent on a TLS port; `expected` when the port is plain HTTP by design. */
  plaintext?: FactSource & { firstLine: string; expected: boolean };
  /** Plaintext the server sent back (an HTTP answer to a ClientHello, on a port that speaks HTTP). */
  serverPlaintext?: FactSource & { firstLine: string };
  /** The certificate the service's files hold on disk, when the runtime renewed them under the running service (its files-renewed report): what a reload would serve. */
  serverCertOnDisk?: FactSource & ChainCertificate;
  /** Another connection of the capture to the same service was served with the same server certificate: some callers trust its issuer. */
  serverCertAcceptedElsewhere?: boolean;
  /** The HTTP status the service answered with: its status line on the wire (decrypted), else its log. */
  response?: FactSource & { status: number };
  /** The server answered 2xx (its log, or the status line on the wire). */
  served: boolean;
  /** The server sent anything back above TLS. */
  answered: boolean;
  /** An error alert, an error report, or a close before any answer. */
  failed: boolean;
  close?: FactSource & { reason?: string };
  /** What wire faults did to it in flight, in order: each `wire-fault` event of its trace (explain/wireMarks.ts). */
  tampering: Array<FactSource & { fault: string; did: string }>;
}

export interface Evidence {
  /** The trace event that proves it. */
  seq: number;
  /** Its type: `Certificate`, `alert certificate_expired (45)`, `CertificateRequest`, `plaintext`, `client-error` … */
  message: string;
  field?: string;
  value?: string;
}

/** What a rule concludes about one connection. */
export interface Finding {
  rootCause: string;
  detectedBy: Side;
  /** error: the connection failed; warning: it worked but should not have (a security finding); info: refused as it should be. */
  severity: 'error' | 'warning' | 'info';
  evidence: Evidence;
  summary: string;
  /** Root causes the same bytes would also fit, when the bytes cannot tell them apart. */
  alternatives?: string[];
}

/** A detection rule: a finding when the facts show its root cause, else undefined (the next rule runs). */
export type Rule = (facts: ConnectionFacts) => Finding | undefined;

/** An X509_V_ERR_*: OpenSSL's number (`num=10`), Node's code for it and its text (crypto/x509/x509_txt.c). */
export interface VerifyError {
  num: number;
  code: string;
  text: string;
}

/**
 * How the stacks report one root cause: the alerts that name it, the verify errors (OpenSSL's
 * X509_V_ERR_* number and Node's code for it), the other error codes, and the texts.
 */
export interface Signal {
  alerts: readonly number[];
  verifyErrors: readonly VerifyError[];
  codes?: readonly string[];
  text?: RegExp;
}

/** One client → service edge of a traffic run, as a pool-level rule reads it. */
export interface EdgeFacts {
  client: string;
  service: string;
  requests: number;
  handshakes: number;
  handshakesPerRequest: number;
  resumed: number;
  timeouts: number;
  maxQueueDepth: number;
  p99Ms: number;
  /** The trace event of a request on this edge that timed out, if any. */
  timeout?: FactSource;
  /** The last connection opened to the service. */
  lastOpen?: FactSource;
}

/** A rule over a whole edge: a finding about the pool, not one connection. */
export type EdgeRule = (edge: EdgeFacts) => Finding | undefined;

/** A service that never listened, as the trace's lane of reports without a connection shows it. */
export interface StartFacts {
  service: string;
  /** What the service said as it failed to start: its own words. */
  error: FactReport;
  /** Callers' connects refused meanwhile (ECONNREFUSED): the symptom, not the cause. */
  refused: FactReport[];
}

/** A rule over a service's failed start: the cause a start error names. */
export type StartRule = (start: StartFacts) => Finding | undefined;
