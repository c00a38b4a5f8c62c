/**
 * From a trace to a root cause: for each failed connection, which side detected what, why,
 * and the one event that proves it.
 *
 *   TraceEvent[] ──connectionFacts──▶ ConnectionFacts ──rules, in order──▶ Verdict per connection
 *   EdgeReport[] (handshakes per request, timeouts, queue depth) ──edge rules──▶ Verdict per starved edge
 *   start-error reports (a service that never listened) ──start rules──▶ Verdict per service down
 *
 * Each rule lives with its root cause (server/faults/); this file only builds the facts and
 * says in which order the rules are asked. Verdicts are derived from what crossed the wire and
 * what the processes said — never from the lab's configuration or its fault list: the same
 * reasoning must work on a capture of a real incident, where no one wrote the faults down.
 */
import { rootCauseCatalogue, type ChainCertificate, type ConnectionFacts, type EdgeFacts, type Evidence, type FactCertificates, type FactReport, type FactSource, type Finding, type Rule, type StackWordings, type StartFacts } from '../faults/index.js';
import { clientMissingIntermediate } from '../faults/clientMissingIntermediate.js';
import { caRotationWrongOrder } from '../faults/caRotationWrongOrder.js';
import { clientCertNotOffered } from '../faults/clientCertNotOffered.js';
import { expiredCert } from '../faults/expiredCert.js';
import { identityNotAllowed } from '../faults/identityNotAllowed.js';
import { expiredIntermediate } from '../faults/expiredIntermediate.js';
import { missingClientCert } from '../faults/missingClientCert.js';
import { missingIntermediate } from '../faults/missingIntermediate.js';
import { noSharedCipher } from '../faults/noSharedCipher.js';
import { none } from '../faults/none.js';
import { notYetValid } from '../faults/notYetValid.js';
import { optionalClientAuth } from '../faults/optionalClientAuth.js';
import { overBroadTrust } from '../faults/overBroadTrust.js';
import { permissiveMode } from '../faults/permissiveMode.js';
import { protocolVersionMismatch } from '../faults/protocolVersionMismatch.js';
import { plaintextToStrictPort } from '../faults/plaintextToStrictPort.js';
import { renewedNotReloaded } from '../faults/renewedNotReloaded.js';
import { revokedCert } from '../faults/revokedCert.js';
import { staleCrl } from '../faults/staleCrl.js';
import { verifierClockBehind } from '../faults/verifierClockBehind.js';
import { tlsToPlaintextPort } from '../faults/tlsToPlaintextPort.js';
import { wrongCa } from '../faults/wrongCa.js';
import { wrongEku } from '../faults/wrongEku.js';
import { wrongSan } from '../faults/wrongSan.js';
import { wireFault } from '../faults/wireFault.js';
import { cnWithoutSan } from '../faults/cnWithoutSan.js';
import { described, detector, evidenceOf, finding, reportValue } from '../faults/evidence.js';
import type { EdgeReport } from '../runtime/index.js';
import { acceptableCas, certificateChain, validityAt } from './certificateFacts.js';
import { fieldValue, type TraceEvent } from './traceEvent.js';

/** A fault kind from the catalogue, `none` (working as intended), or `unknown`. */
export type RootCause = string;

export type VerdictEvidence = Evidence;

export interface Verdict extends Finding {
  /** The connection; 0 for a verdict about a whole edge (a starved pool). */
  conn: number;
  edge?: { client: string; service: string };
  /** How each stack words this root cause. */
  wording: StackWordings;
}

export interface SandboxVerdicts {
  verdicts: Verdict[];
  /** One line for the whole lab. */
  diagnosis: string;
}

/** Rules asked of every connection, failed or not: what worked but should not have, or was refused as it should be. */
const securityRules: readonly Rule[] = [
  permissiveMode.rules.plaintextServed!,
  // A refused plaintext caller that complained of it is a failure before it is STRICT at work.
  plaintextToStrictPort.rules.refusedCaller!,
  none.rules.plaintextRefused!,
  optionalClientAuth.rules.servedWithout!,
  // Served, with a client certificate from another tenant's CA than the service's own.
  overBroadTrust.rules.foreignServed!,
];

/**
 * Rules asked of a failed connection, first match wins. The order settles what the bytes
 * alone leave open: a port that is not TLS at all first; a missing certificate before anything about certificates; "not yet
 * valid" before "expired" (a 45 can mean either); named verify errors before unknown CA,
 * which is also what a chain cut short looks like; dates alone last, for a peer that closed
 * without a reason.
 */
const failureRules: readonly Rule[] = [
  // Bytes the network changed or cut: whatever the ends said next follows from it.
  wireFault.rules.tampered!,
  tlsToPlaintextPort.rules.answeredInClear!,
  // No version in common ends the handshake at the ClientHello, before any certificate.
  protocolVersionMismatch.rules.reported!,
  noSharedCipher.rules.reported!,
  // An empty Certificate where the request excluded schemes the client offered: before missing-client-cert.
  clientCertNotOffered.rules.excludedScheme!,
  missingClientCert.rules.reported!,
  // "Not yet valid" of a chain in its dates by the capture's clock: the verifier's clock is off.
  verifierClockBehind.rules.reported!,
  notYetValid.rules.reported!,
  // A CRL out of date: OpenSSL's alert is 45 too, so its verify error is asked first.
  staleCrl.rules.reported!,
  // An expired server certificate whose renewal sits in the service's files: before expired-cert, only where the sandbox knows.
  renewedNotReloaded.rules.servedStale!,
  // An issuer out of date before the leaf: the same 45 and verify error 10, a CA on the wire.
  expiredIntermediate.rules.reported!,
  expiredCert.rules.reported!,
  revokedCert.rules.reported!,
  wrongEku.rules.reported!,
  // A client's leaf-only chain refused as an unknown CA: before missing-intermediate and wrong-ca read the same 48.
  clientMissingIntermediate.rules.leafOnly!,
  missingIntermediate.rules.reported!,
  // A leaf with no SAN at all, refused for its name: a client that ignores the CN.
  cnWithoutSan.rules.reported!,
  wrongSan.rules.reported!,
  // An unknown CA that other callers of the service accept: a rotation half rolled out.
  caRotationWrongOrder.rules.partlyTrusted!,
  wrongCa.rules.reported!,
  // A clean handshake, then 403: nothing above said a word about the certificate.
  identityNotAllowed.rules.forbidden!,
  expiredIntermediate.rules.dates!,
  expiredCert.rules.dates!,
  notYetValid.rules.dates!,
];

/** Codes that only say a connection was cut or waited too long: no TLS reason in them. */
const transportCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE']);

const alertCode = (event: TraceEvent): number | undefined => {
  const match = /\((\d+)\)$/.exec(event.type);
  return match ? Number(match[1]) : undefined;
};

/** A Certificate message's chain, each certificate judged at `atMs`. */
function certificates(event: TraceEvent | undefined, atMs: number | undefined): FactCertificates | undefined {
  if (!event) return undefined;
  return { seq: event.seq, type: event.type, chain: certificateChain(event.fields).map((cert) => ({ ...cert, validity: validityAt(cert, atMs) })) };
}

function report(event: TraceEvent): FactReport {
  const code = fieldValue(event.fields, 'code');
  const message = fieldValue(event.fields, 'message');
  return { seq: event.seq, type: event.type, note: event.note, ...(event.side ? { side: event.side } : {}), ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}

/** What one connection's events show, in the terms the rules read. */
export function connectionFacts(conn: number, events: readonly TraceEvent[], mtlsPort: boolean): ConnectionFacts {
  const open = events.find((e) => e.type === 'tcp-open');
  const opened = fieldValue(open?.fields, 'openedAt');
  const atMs = opened ? Date.parse(opened) : undefined;
  const handshake = (type: string, dir: 'c2s' | 's2c'): TraceEvent | undefined => events.find((e) => e.layer === 'handshake' && e.type === type && e.dir === dir);
  const alerts = events.filter((e) => e.layer === 'alert').map((e) => ({ seq: e.seq, type: e.type, code: alertCode(e) ?? -1, from: e.dir === 'c2s' ? ('client' as const) : ('server' as const), fatal: e.severity === 'error', note: e.note }));
  const reports = events.filter((e) => e.layer === 'process' && e.severity === 'error').map(report);
  const plaintext = events.find((e) => e.layer === 'plaintext' && e.dir === 'c2s');
  const answerInClear = events.find((e) => e.layer === 'plaintext' && e.dir === 's2c');
  const servedByLog = events.some((e) => e.layer === 'process' && e.type === 'request' && /^2\d\d$/.test(fieldValue(e.fields, 'code') ?? ''));
  // A 2xx status line on the wire: in plaintext, or in application data decrypted with the key log.
  const servedOnWire = events.some((e) => (e.layer === 'plaintext' || e.layer === 'application') && e.dir === 's2c' && /^HTTP\/\S+ 2\d\d/.test(fieldValue(e.fields, 'first_line') ?? ''));
  const answered = events.some((e) => e.dir === 's2c' && (e.layer === 'application' || e.layer === 'plaintext'));
  const response = httpResponse(events);
  const close = events.find((e) => e.type === 'tcp-close');
  const reason = fieldValue(close?.fields, 'reason');
  const hello = handshake('ClientHello', 'c2s');
  const serverName = fieldValue(hello?.fields, 'host_name');
  const request = handshake('CertificateRequest', 's2c');
  const quitUnasked = alerts.some((a) => a.from === 'client' && a.code === 0) && !events.some((e) => e.dir === 'c2s' && (e.layer === 'application' || e.layer === 'plaintext'));
  const facts: ConnectionFacts = {
    conn,
    service: fieldValue(open?.fields, 'service') ?? 'the service',
    client: fieldValue(open?.fields, 'client') ?? 'the client',
    mtlsPort,
    alerts,
    reports,
    served: servedByLog || servedOnWire,
    answered,
    // A client that closes its TLS session (close_notify) without a request has given up on
    // the server, even when the capture ends before the TCP close.
    // A ClientHello answered in plaintext failed, however politely the answer reads ("400 Bad Request").
    // 401 and 403 are refusals after the handshake: authenticated, not authorized.
    tampering: events.filter((e) => e.type === 'wire-fault').map((e) => ({ seq: e.seq, type: e.type, fault: fieldValue(e.fields, 'fault') ?? '', did: fieldValue(e.fields, 'did') ?? '' })),
    failed: response?.status === 401 || response?.status === 403 || alerts.some((a) => a.fatal) || reports.length > 0 || (hello !== undefined && answerInClear !== undefined) || (!answered && (reason === 'reset' || reason === 'error' || reason === 'refused' || reason === 'end' || quitUnasked)),
  };
  if (atMs !== undefined) facts.atMs = atMs;
  if (response) facts.response = response;
  const versions = fieldValue(hello?.fields, 'supported_versions');
  if (hello) facts.clientHello = { seq: hello.seq, type: hello.type, ...(serverName ? { serverName } : {}), ...(versions ? { versions } : {}) };
  const clientCert = certificates(handshake('Certificate', 'c2s'), atMs);
  if (clientCert) facts.clientCert = clientCert;
  const serverCert = certificates(handshake('Certificate', 's2c'), atMs);
  if (serverCert) facts.serverCert = serverCert;
  const requested = schemesOf(request);
  if (request) facts.certRequest = { seq: request.seq, type: request.type, authorities: acceptableCas(request.fields), ...(requested ? { signatureSchemes: requested } : {}) };
  const offered = schemesOf(hello);
  if (offered) facts.offeredSchemes = offered;
  if (plaintext) facts.plaintext = { seq: plaintext.seq, type: plaintext.type, firstLine: fieldValue(plaintext.fields, 'first_line') ?? '', expected: plaintext.severity === 'info' };
  if (answerInClear) facts.serverPlaintext = { seq: answerInClear.seq, type: answerInClear.type, firstLine: fieldValue(answerInClear.fields, 'first_line') ?? '' };
  if (close) facts.close = { seq: close.seq, type: close.type, ...(reason !== undefined ? { reason } : {}) };
  return facts;
}

/** The signature schemes a ClientHello or CertificateRequest lists (its signature_algorithms, TLS 1.3 and 1.2). */
function schemesOf(event: TraceEvent | undefined): string[] | undefined {
  const value = fieldValue(event?.fields, 'signature_algorithms') ?? fieldValue(event?.fields, 'supported_signature_algorithms');
  return value ? value.split(', ') : undefined;
}

/** The status of the service's answer: its status line on the wire (decrypted, or plaintext), else what its log says. */
function httpResponse(events: readonly TraceEvent[]): ConnectionFacts['response'] {
  for (const e of events) {
    const onWire = e.dir === 's2c' && (e.layer === 'application' || e.layer === 'plaintext') ? /^HTTP\/\S+ (\d{3})/.exec(fieldValue(e.fields, 'first_line') ?? '')?.[1] : undefined;
    const logged = e.layer === 'process' && e.type === 'request' ? fieldValue(e.fields, 'code') : undefined;
    const status = onWire ?? logged;
    if (status !== undefined && /^\d{3}$/.test(status)) return { seq: e.seq, type: e.type, status: Number(status) };
  }
  return undefined;
}

const verdictOf = (conn: number, found: Finding): Verdict => ({ conn, ...found, wording: rootCauseCatalogue.get(found.rootCause)?.wording ?? {} });

/** No rule explains it: the first error that crossed the wire or was reported, or how the connection ended. */
function unexplained(f: ConnectionFacts): Finding | undefined {
  const first = [...f.alerts.filter((a) => a.fatal), ...f.reports].sort((a, b) => a.seq - b.seq)[0];
  if (first) {
    return finding('unknown', detector(first, 'client'), reportValue(first), `no TLS reason on the wire: ${described(first)}: ${first.note}`);
  }
  if (!f.close) return undefined;
  return finding('unknown', 'client', evidenceOf(f.close, 'reason', f.close.reason), `no TLS reason on the wire: the connection ended (${f.close.reason}) before ${f.service} answered`);
}

/** What other connections of the sandbox tell about this one. */
export interface VerdictContext {
  /** Services seen sending a CertificateRequest on some connection: their port is an mTLS port. */
  mtlsServices?: ReadonlySet<string>;
  /** `service sha256` of each server certificate some connection was served with. */
  servedServerCerts?: ReadonlySet<string>;
  /** By service: the certificate its files hold, where the sandbox renewed them under it (a files-renewed report). */
  renewedOnDisk?: ReadonlyMap<string, FactSource & ChainCertificate>;
}

/** The key servedServerCerts holds a connection's server certificate under. */
const serverCertKey = (f: ConnectionFacts): string | undefined => {
  const sha256 = f.serverCert?.chain[0]?.sha256;
  return sha256 === undefined ? undefined : `${f.service} ${sha256}`;
};

/** The verdict for one connection's events, or undefined when it did not fail (and served no plaintext). */
export function connectionVerdict(conn: number, events: readonly TraceEvent[], context: VerdictContext = {}): Verdict | undefined {
  const service = fieldValue(events.find((e) => e.type === 'tcp-open')?.fields, 'service') ?? 'the service';
  const f = connectionFacts(conn, events, context.mtlsServices?.has(service) ?? false);
  const key = serverCertKey(f);
  if (key !== undefined && context.servedServerCerts?.has(key)) f.serverCertAcceptedElsewhere = true;
  const onDisk = context.renewedOnDisk?.get(f.service);
  if (onDisk) f.serverCertOnDisk = onDisk;
  const rules = f.failed ? [...securityRules, ...failureRules, unexplained] : securityRules;
  for (const rule of rules) {
    const found = rule(f);
    if (found) return verdictOf(conn, found);
  }
  return undefined;
}

/** A traffic run's edge, in the terms an edge rule reads. */
function edgeFacts(edge: EdgeReport, trace: readonly TraceEvent[]): EdgeFacts {
  const process = `client ${edge.client}`;
  const timeout = trace.find((e) => e.layer === 'process' && e.type === 'client-error' && fieldValue(e.fields, 'code') === 'ETIMEDOUT' && (fieldValue(e.fields, 'process') ?? '').startsWith(process));
  const lastOpen = trace.filter((e) => e.type === 'tcp-open' && fieldValue(e.fields, 'service') === edge.service).at(-1);
  const { client, service, requests, handshakes, handshakesPerRequest, resumed, timeouts, maxQueueDepth } = edge;
  return {
    client, service, requests, handshakes, handshakesPerRequest, resumed, timeouts, maxQueueDepth,
    p99Ms: edge.latencyMs.p99,
    ...(timeout ? { timeout: { seq: timeout.seq, type: timeout.type } } : {}),
    ...(lastOpen ? { lastOpen: { seq: lastOpen.seq, type: lastOpen.type } } : {}),
  };
}

/** The first root cause whose edge rule finds something on this edge. */
export function edgeVerdict(edge: EdgeReport, trace: readonly TraceEvent[]): Verdict | undefined {
  const facts = edgeFacts(edge, trace);
  for (const cause of rootCauseCatalogue.values()) {
    const found = cause.edgeRule?.(facts);
    if (found) return { ...verdictOf(0, found), edge: { client: edge.client, service: edge.service } };
  }
  return undefined;
}

/** By service, the certificate the sandbox's renewal job wrote into its files while it ran. */
function renewedOnDisk(trace: readonly TraceEvent[]): Map<string, FactSource & ChainCertificate> {
  const renewed = trace.filter((e) => e.conn === 0 && e.type === 'files-renewed');
  return new Map(renewed.map((e) => [serviceOf(e), { seq: e.seq, type: e.type, subject: fieldValue(e.fields, 'subject'), serialNumber: fieldValue(e.fields, 'serialNumber'), notAfter: fieldValue(e.fields, 'notAfter'), sha256: fieldValue(e.fields, 'sha256') }]));
}

/** The service a process report of the lane without a connection comes from. */
const serviceOf = (event: TraceEvent): string => /^service (\S+)/.exec(fieldValue(event.fields, 'process') ?? '')?.[1] ?? 'a service';

/** Each service the trace shows failing to start, with the refused connects of its lane (no connection reached anything). */
function startFacts(trace: readonly TraceEvent[]): StartFacts[] {
  const lane = trace.filter((e) => e.conn === 0 && e.layer === 'process' && e.severity === 'error');
  const refused = lane.filter((e) => e.type === 'client-error' && fieldValue(e.fields, 'code') === 'ECONNREFUSED').map(report);
  return lane
    .filter((e) => e.type === 'start-error')
    .map((e) => ({ service: serviceOf(e), error: report(e), refused }));
}

/** The first root cause whose start rule names why the service did not start; else what it said, unexplained. */
export function startVerdict(start: StartFacts): Verdict {
  for (const cause of rootCauseCatalogue.values()) {
    const found = cause.startRule?.(start);
    if (found) return verdictOf(0, found);
  }
  return verdictOf(0, finding('unknown', 'server', reportValue(start.error), `${start.service} did not start: ${described(start.error)}`));
}

/** Every verdict of a sandbox's trace (and run), and a one-line diagnosis of the lab. */
export function verdictsForSandbox(trace: readonly TraceEvent[], edges: readonly EdgeReport[] = []): SandboxVerdicts {
  const byConn = new Map<number, TraceEvent[]>();
  for (const event of trace) {
    if (event.conn === 0) continue;
    const list = byConn.get(event.conn);
    if (list) list.push(event);
    else byConn.set(event.conn, [event]);
  }
  const mtlsServices = new Set<string>();
  for (const events of byConn.values()) {
    if (events.some((e) => e.type === 'CertificateRequest')) {
      const service = fieldValue(events.find((e) => e.type === 'tcp-open')?.fields, 'service');
      if (service) mtlsServices.add(service);
    }
  }
  const servedServerCerts = new Set<string>();
  for (const [conn, events] of byConn) {
    const f = connectionFacts(conn, events, false);
    const key = serverCertKey(f);
    if (f.served && key !== undefined) servedServerCerts.add(key);
  }
  const renewed = renewedOnDisk(trace);
  const edgeVerdicts = edges.flatMap((edge) => edgeVerdict(edge, trace) ?? []);
  const starved = new Map(edgeVerdicts.map((v) => [v.edge!.service, v]));
  const verdicts: Verdict[] = [];
  for (const [conn, events] of byConn) {
    const v = connectionVerdict(conn, events, { mtlsServices, servedServerCerts, renewedOnDisk: renewed });
    if (!v) continue;
    // A reset or timeout with no TLS reason, on an edge whose pool is starved, is that pool's doing.
    const service = fieldValue(events.find((e) => e.type === 'tcp-open')?.fields, 'service') ?? '';
    const pool = starved.get(service);
    const codes = events.filter((e) => e.layer === 'process' && e.severity === 'error').map((e) => fieldValue(e.fields, 'code') ?? '');
    if (v.rootCause === 'unknown' && pool && codes.every((code) => transportCodes.has(code))) {
      verdicts.push({ ...v, rootCause: pool.rootCause, wording: pool.wording, summary: `${v.summary} — a casualty of the starved pool on ${pool.edge!.client} → ${service}` });
    } else verdicts.push(v);
  }
  verdicts.push(...edgeVerdicts, ...startFacts(trace).map(startVerdict));
  return { verdicts, diagnosis: diagnose(verdicts) };
}

function diagnose(verdicts: readonly Verdict[]): string {
  const findings = verdicts.filter((v) => v.severity !== 'info');
  if (findings.length === 0) {
    const refused = verdicts.length;
    return refused === 0
      ? 'no failures: every recorded connection completed its handshake and was answered'
      : `no failures: every mTLS connection was answered, and ${refused} plaintext connection${refused === 1 ? ' was' : 's were'} refused as a TLS-only port should`;
  }
  const groups = new Map<string, Verdict[]>();
  for (const v of findings) groups.set(v.rootCause, [...(groups.get(v.rootCause) ?? []), v]);
  const ranked = [...groups.entries()].sort(([, a], [, b]) => rank(b) - rank(a));
  return ranked
    .map(([cause, list]) => {
      const lead = list.find((v) => v.edge) ?? list[0]!;
      const conns = list.filter((v) => v.conn !== 0).length;
      // conn 0: a whole edge (a starved pool), or a service that never started.
      const count = conns ? `${conns} connection${conns === 1 ? '' : 's'}` : lead.edge ? 'the edge' : 'at start';
      return `${cause} (${count}${lead.severity === 'warning' ? ', security finding' : ''}): ${lead.summary}`;
    })
    .join('; ');
}

/** Errors before warnings, then the commoner cause first. */
const rank = (list: readonly Verdict[]): number => list.length + (list.some((v) => v.severity === 'error') ? 1_000_000 : 0) + (list.some((v) => v.edge) ? 500_000 : 0);
