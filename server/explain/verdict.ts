/**
 * From a trace to a root cause: for each failed connection, which side detected what, why,
 * and the one event that proves it.
 *
 *   TraceEvent[] (decoded certificates, alerts, process reports) ──▶ Verdict per failed connection
 *   EdgeReport[] (handshakes per request, timeouts, queue depth)  ──▶ Verdict per starved edge
 *
 * Verdicts are derived from what crossed the wire and what the processes said — never from
 * the lab's configuration or its fault list: the same reasoning must work on a capture of a
 * real incident, where no one wrote the faults down.
 */
import type { EdgeReport } from '../runtime/index.js';
import {
  acceptableCas,
  certificateChain,
  chainsTo,
  readableTime,
  roughDuration,
  shortName,
  stopsAtLeaf,
  validityAt,
  type ChainCertificate,
} from './certificateFacts.js';
import { possessive } from './annotate.js';
import { stackWording, type StackWordings } from './stackWording.js';
import { fieldValue, type TraceEvent } from './traceEvent.js';

/** A fault kind from the catalogue, or `missing-client-cert`, `none` (working as intended), `unknown`. */
export type RootCause = string;

export interface VerdictEvidence {
  /** The TraceEvent that proves it. */
  seq: number;
  /** Its type: `Certificate`, `alert certificate_expired (45)`, `CertificateRequest`, `plaintext`, `client-error` … */
  message: string;
  field?: string;
  value?: string;
}

export interface Verdict {
  /** The connection; 0 for a verdict about a whole edge (a starved pool). */
  conn: number;
  edge?: { client: string; service: string };
  detectedBy: 'client' | 'server';
  rootCause: RootCause;
  /** error: the connection failed; warning: it worked but should not have (a security finding); info: refused as it should be. */
  severity: 'error' | 'warning' | 'info';
  evidence: VerdictEvidence;
  summary: string;
  /** How each stack words this root cause. */
  wording: StackWordings;
}

export interface SandboxVerdicts {
  verdicts: Verdict[];
  /** One line for the whole lab. */
  diagnosis: string;
}

const alertCode = (event: TraceEvent): number | undefined => {
  const match = /\((\d+)\)$/.exec(event.type);
  return event.layer === 'alert' && match ? Number(match[1]) : undefined;
};

/** Signals in what the stacks reported: OpenSSL verify codes and texts, Node's error codes, received alerts. */
const signals = {
  certRequired: { alerts: [116], codes: ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'], text: /peer did not return a certificate|certificate required|didn't provide a certificate/i },
  expired: { alerts: [45], codes: ['CERT_HAS_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'], text: /num=10:|certificate has expired/i },
  notYetValid: { alerts: [], codes: ['CERT_NOT_YET_VALID'], text: /num=9:|not yet valid/i },
  revoked: { alerts: [44], codes: ['CERT_REVOKED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED'], text: /num=23:|certificate revoked/i },
  leafOnly: { alerts: [], codes: ['UNABLE_TO_VERIFY_LEAF_SIGNATURE'], text: /num=21:|unable to verify the first certificate/i },
  // OpenSSL 3 words X509_V_ERR_INVALID_PURPOSE "unsuitable", 1.1 "unsupported".
  wrongPurpose: {
    alerts: [43],
    codes: ['INVALID_PURPOSE', 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE'],
    text: /num=26:|(unsuitable|unsupported) certificate purpose|incompatible key usage/i,
  },
  nameMismatch: {
    alerts: [],
    codes: ['ERR_TLS_CERT_ALTNAME_INVALID'],
    text: /num=62:|hostname mismatch|does not match certificate's altnames|no alternative certificate subject name matches|certificate is valid for/i,
  },
  unknownCa: {
    alerts: [48],
    codes: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
    text: /num=20:|num=19:|num=18:|unknown ca|signed by unknown authority/i,
  },
} as const;

type Signal = keyof typeof signals;

/** Codes that only say a connection was cut or waited too long: no TLS reason in them. */
const transportCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE']);

interface ConnectionFacts {
  conn: number;
  events: readonly TraceEvent[];
  service: string;
  client: string;
  atMs: number | undefined;
  clientCert?: TraceEvent;
  serverCert?: TraceEvent;
  certRequest?: TraceEvent;
  alerts: TraceEvent[];
  reports: TraceEvent[];
  plaintext?: TraceEvent;
  served: boolean;
  answered: boolean;
  close?: TraceEvent;
}

function factsOf(conn: number, events: readonly TraceEvent[]): ConnectionFacts {
  const open = events.find((e) => e.type === 'tcp-open');
  const opened = fieldValue(open?.fields, 'openedAt');
  const handshake = (type: string, dir: 'c2s' | 's2c'): TraceEvent | undefined => events.find((e) => e.layer === 'handshake' && e.type === type && e.dir === dir);
  const reports = events.filter((e) => e.layer === 'process' && e.severity === 'error');
  const plaintext = events.find((e) => e.layer === 'plaintext' && e.dir === 'c2s');
  const servedByLog = events.some((e) => e.layer === 'process' && e.type === 'request' && /^2\d\d$/.test(fieldValue(e.fields, 'code') ?? ''));
  const servedOnWire = events.some((e) => e.layer === 'plaintext' && e.dir === 's2c' && /^HTTP\/\S+ 2\d\d/.test(fieldValue(e.fields, 'first_line') ?? ''));
  const facts: ConnectionFacts = {
    conn,
    events,
    service: fieldValue(open?.fields, 'service') ?? 'the service',
    client: fieldValue(open?.fields, 'client') ?? 'the client',
    atMs: opened ? Date.parse(opened) : undefined,
    alerts: events.filter((e) => e.layer === 'alert'),
    reports,
    served: servedByLog || servedOnWire,
    answered: events.some((e) => e.dir === 's2c' && (e.layer === 'application' || e.layer === 'plaintext')),
  };
  const set = <K extends keyof ConnectionFacts>(key: K, value: ConnectionFacts[K] | undefined): void => {
    if (value !== undefined) facts[key] = value;
  };
  set('clientCert', handshake('Certificate', 'c2s'));
  set('serverCert', handshake('Certificate', 's2c'));
  set('certRequest', handshake('CertificateRequest', 's2c'));
  set('plaintext', plaintext);
  set('close', events.find((e) => e.type === 'tcp-close'));
  return facts;
}

function failed(f: ConnectionFacts): boolean {
  if (f.alerts.some((a) => a.severity === 'error')) return true;
  if (f.reports.length > 0) return true;
  const reason = fieldValue(f.close?.fields, 'reason');
  if (!f.answered && (reason === 'reset' || reason === 'error' || reason === 'refused' || reason === 'end')) return true;
  return false;
}

/** The reports (and alerts) that carry `signal`, first first. */
function witnesses(f: ConnectionFacts, signal: Signal): TraceEvent[] {
  const s = signals[signal];
  const alerts = f.alerts.filter((a) => (s.alerts as readonly number[]).includes(alertCode(a) ?? -1));
  const reports = f.reports.filter((r) => {
    const code = fieldValue(r.fields, 'code') ?? '';
    return (s.codes as readonly string[]).includes(code) || s.text.test(fieldValue(r.fields, 'message') ?? '');
  });
  // What crossed the wire first, then what the processes said: an alert is evidence anyone with a capture can check.
  return [...alerts.sort((a, b) => a.seq - b.seq), ...reports.sort((a, b) => a.seq - b.seq)];
}

/** Who detected a problem a witness reports: the sender of an alert, a process reporting its own verify failure. */
function detector(witness: TraceEvent | undefined, fallback: 'client' | 'server'): 'client' | 'server' {
  if (!witness) return fallback;
  if (witness.layer === 'alert') return witness.dir === 'c2s' ? 'client' : 'server';
  const code = fieldValue(witness.fields, 'code') ?? '';
  // A received alert surfaces as an error on the receiving side (ERR_SSL_…_ALERT_…): the peer detected it.
  if (/_ALERT_/.test(code)) return witness.side === 'client' ? 'server' : 'client';
  return witness.side ?? fallback;
}

const evidenceOf = (event: TraceEvent, field?: string, value?: string): VerdictEvidence => ({
  seq: event.seq,
  message: event.type,
  ...(field !== undefined ? { field } : {}),
  ...(value !== undefined ? { value } : {}),
});

function reportValue(event: TraceEvent): VerdictEvidence {
  if (event.layer === 'alert') return evidenceOf(event, 'description', event.type.replace(/^alert /, ''));
  const code = fieldValue(event.fields, 'code');
  return code ? evidenceOf(event, 'code', code) : evidenceOf(event, 'message', fieldValue(event.fields, 'message'));
}

const chainOf = (event: TraceEvent | undefined): ChainCertificate[] => certificateChain(event?.fields);
/** How a witness reads in a summary: `alert certificate_expired (45)`, `CERT_HAS_EXPIRED`, or a log line quoted. */
const described = (w: TraceEvent | undefined): string => {
  if (!w) return '';
  if (w.layer === 'alert') return w.type;
  const code = fieldValue(w.fields, 'code');
  return code ?? `"${fieldValue(w.fields, 'message') ?? w.type}"`;
};

function verdict(f: ConnectionFacts, rootCause: RootCause, detectedBy: 'client' | 'server', evidence: VerdictEvidence, summary: string, severity: Verdict['severity'] = 'error'): Verdict {
  return { conn: f.conn, detectedBy, rootCause, severity, evidence, summary, wording: stackWording[rootCause] ?? {} };
}

/** What the side that detected a problem refused: its peer's Certificate message and leaf, and both parties in words. */
function refusedBy(f: ConnectionFacts, by: 'client' | 'server') {
  const sent = by === 'server' ? f.clientCert : f.serverCert;
  return {
    sent,
    leaf: chainOf(sent)[0],
    holder: by === 'server' ? `${possessive(f.client)} client certificate` : `${possessive(f.service)} certificate`,
    verifier: by === 'server' ? f.service : f.client,
  };
}

/** A certificate out of its validity period in either Certificate message, judged at the connection's time. */
function outOfDate(f: ConnectionFacts, state: 'expired' | 'not-yet-valid'): { event: TraceEvent; cert: ChainCertificate; ofClient: boolean } | undefined {
  for (const [event, ofClient] of [[f.clientCert, true], [f.serverCert, false]] as const) {
    const cert = chainOf(event).find((c) => validityAt(c, f.atMs) === state);
    if (event && cert) return { event, cert, ofClient };
  }
  return undefined;
}

function validityVerdict(f: ConnectionFacts, state: 'expired' | 'not-yet-valid', witness: TraceEvent | undefined): Verdict | undefined {
  const found = outOfDate(f, state);
  const rootCause = state === 'expired' ? 'expired-cert' : 'not-yet-valid';
  if (!found) {
    if (!witness) return undefined;
    return verdict(f, rootCause, detector(witness, 'server'), reportValue(witness), `${f.service} or its caller reported ${described(witness)}: a certificate is outside its validity period`);
  }
  const { event, cert, ofClient } = found;
  const whose = ofClient ? `${possessive(f.client)} client certificate ${shortName(cert.subject)}` : `${possessive(f.service)} certificate ${shortName(cert.subject)}`;
  const verifier = ofClient ? f.service : f.client;
  const field = state === 'expired' ? 'notAfter' : 'notBefore';
  const value = (state === 'expired' ? cert.notAfter : cert.notBefore) ?? '';
  const gap = f.atMs !== undefined && value ? roughDuration(f.atMs - Date.parse(value)) : '';
  const when = state === 'expired' ? `expired at ${readableTime(value)}${gap ? `, ${gap} before this connection` : ''}` : `is not valid until ${readableTime(value)}${gap ? `, ${gap} after this connection` : ''} (a clock skew, or issued ahead of time)`;
  const seen = witness ? `; ${verifier} refused it (${described(witness)})` : `; ${verifier} refused it`;
  return verdict(f, rootCause, ofClient ? 'server' : 'client', evidenceOf(event, field, value), `${whose} ${when}${seen}`);
}

/** What other connections of the sandbox tell about this one. */
export interface VerdictContext {
  /** Services seen sending a CertificateRequest on some connection: their port is an mTLS port. */
  mtlsServices?: ReadonlySet<string>;
}

/** The verdict for one connection's events, or undefined when it did not fail (and served no plaintext). */
export function connectionVerdict(conn: number, events: readonly TraceEvent[], context: VerdictContext = {}): Verdict | undefined {
  const f = factsOf(conn, events);
  const port = context.mtlsServices?.has(f.service) ? 'mTLS port' : 'TLS port';

  // Plaintext on a TLS port (the note is a warning only when the port is not plain HTTP by design).
  if (f.plaintext && f.plaintext.severity !== 'info') {
    const line = fieldValue(f.plaintext.fields, 'first_line') ?? '';
    if (f.served) {
      return verdict(f, 'permissive-mode', 'server', evidenceOf(f.plaintext, 'first_line', line),
        `${f.service} served a plaintext request ("${line}") on its ${port}: no handshake, no certificate, no identity — the port accepts plaintext beside TLS (PERMISSIVE)`, 'warning');
    }
    if (failed(f)) {
      return verdict(f, 'none', 'server', evidenceOf(f.plaintext, 'first_line', line),
        `${f.service} refused a plaintext request on its ${port}, as a TLS-only (STRICT) port should`, 'info');
    }
  }
  const clientChain = chainOf(f.clientCert);
  // Asked for a certificate, sent none, and served all the same: "verify if given".
  if (f.served && f.certRequest && f.clientCert && clientChain.length === 0) {
    return verdict(f, 'optional-client-auth', 'server', evidenceOf(f.clientCert, 'certificate_list', '0 certificates'),
      `${f.client} sent no client certificate and ${f.service} served it anyway: the port asks for a certificate but verifies one only if given, so any caller reaches it without an identity`, 'warning');
  }
  if (!failed(f)) return undefined;

  const required = witnesses(f, 'certRequired');
  if (required.length > 0 || (f.certRequest && f.clientCert && clientChain.length === 0)) {
    // RFC 8446 §4.4.2.4: a server that requires a certificate aborts with certificate_required.
    const proof = f.clientCert && clientChain.length === 0 ? evidenceOf(f.clientCert, 'certificate_list', '0 certificates') : reportValue(required[0]!);
    const how = required[0] ? ` (${described(required[0])})` : '';
    return verdict(f, 'missing-client-cert', 'server', proof, `${f.client} sent no client certificate though ${f.service} requires one${how}`);
  }

  const expired = witnesses(f, 'expired');
  const notYet = witnesses(f, 'notYetValid');
  if (notYet.length > 0 || (outOfDate(f, 'not-yet-valid') && expired.length > 0 && !outOfDate(f, 'expired'))) {
    const v = validityVerdict(f, 'not-yet-valid', notYet[0] ?? expired[0]);
    if (v) return v;
  }
  if (expired.length > 0) {
    const v = validityVerdict(f, 'expired', expired[0]);
    if (v) return v;
  }

  const revoked = witnesses(f, 'revoked');
  if (revoked.length > 0) {
    const w = revoked[0]!;
    const by = detector(w, 'server');
    const { sent, leaf, holder, verifier } = refusedBy(f, by);
    // The CRL is not on the wire; the serial it lists is, in the refused party's Certificate.
    const proof = sent && leaf?.serialNumber ? evidenceOf(sent, 'serialNumber', leaf.serialNumber) : reportValue(w);
    const serial = leaf?.serialNumber ? ` (serial ${leaf.serialNumber})` : '';
    return verdict(f, 'revoked-cert', by, proof,
      `${holder} ${shortName(leaf?.subject)}${serial} is on the CRL of ${shortName(leaf?.issuer)}; ${verifier} checks revocation and refused it (${described(w)})`);
  }

  const wrongPurpose = witnesses(f, 'wrongPurpose');
  if (wrongPurpose.length > 0) {
    const w = wrongPurpose[0]!;
    const by = detector(w, 'server');
    const { sent, leaf, holder, verifier } = refusedBy(f, by);
    const needs = by === 'server' ? 'clientAuth' : 'serverAuth';
    const usages = leaf?.extendedKeyUsage?.join(', ');
    const proof = sent && usages ? evidenceOf(sent, 'extKeyUsage', usages) : reportValue(w);
    return verdict(f, 'wrong-eku', by, proof,
      `${holder} ${shortName(leaf?.subject)} allows ${usages ?? 'other purposes'}, not ${needs}: ${verifier} refused it for that role (${described(w)})`);
  }

  const leafOnly = witnesses(f, 'leafOnly');
  if (leafOnly.length > 0) {
    const w = leafOnly[0]!;
    const by = detector(w, 'client');
    // The detector's peer sent the short chain: the client verifies the server's, and back.
    const sent = by === 'client' ? f.serverCert : f.clientCert;
    const chain = chainOf(sent);
    const sender = by === 'client' ? f.service : f.client;
    if (sent && stopsAtLeaf(chain)) {
      return verdict(f, 'missing-intermediate', by, evidenceOf(sent, 'certificate_list', `1 certificate (${shortName(chain[0]!.subject)}, issued by ${shortName(chain[0]!.issuer)})`),
        `${sender} sent only its leaf certificate ${shortName(chain[0]!.subject)}; the intermediate ${shortName(chain[0]!.issuer)} is missing, so ${by === 'client' ? f.client : f.service} could not build a chain to its root (${described(w)})`);
    }
    return verdict(f, 'missing-intermediate', by, reportValue(w), `${by === 'client' ? f.client : f.service} could not verify the first certificate of ${sender}'s chain (${described(w)}): an intermediate is missing`);
  }

  const mismatch = witnesses(f, 'nameMismatch');
  if (mismatch.length > 0) {
    const w = mismatch[0]!;
    const leaf = chainOf(f.serverCert)[0];
    const names = leaf?.subjectAltNames ?? [];
    // The name it dialled is on the wire: the SNI of its ClientHello (RFC 6066 §3).
    const dialled = fieldValue(f.events.find((e) => e.type === 'ClientHello' && e.dir === 'c2s')?.fields, 'host_name');
    const proof = f.serverCert && leaf ? evidenceOf(f.serverCert, 'subjectAltName', names.join(', ')) : reportValue(w);
    const asked = dialled ? `dialled ${dialled} (the SNI of its ClientHello)` : `dialled ${f.service}`;
    return verdict(f, 'wrong-san', detector(w, 'client'), proof,
      `${f.client} ${asked}, but ${possessive(f.service)} certificate ${shortName(leaf?.subject)} names only ${names.join(', ') || 'no host at all'}: ${f.client} refused it as another host's (${described(w)})`);
  }

  const unknownCa = witnesses(f, 'unknownCa');
  const cas = acceptableCas(f.certRequest?.fields);
  const caMismatch = f.certRequest !== undefined && cas.length > 0 && clientChain.length > 0 && !chainsTo(clientChain, cas);
  if (unknownCa.length > 0 || caMismatch) {
    const w = unknownCa[0];
    const by = detector(w, 'server');
    if (by === 'server') {
      const top = clientChain.at(-1);
      const issuedBy = top ? ` (its chain ends at ${shortName(top.issuer)})` : '';
      const proof = caMismatch && f.certRequest ? evidenceOf(f.certRequest, 'certificate_authorities', cas.join('; ')) : reportValue(w!);
      const accepts = cas.length ? `${f.service} trusts only ${cas.map(shortName).join(', ')} for client certificates` : `${f.service} does not trust the CA behind it`;
      return verdict(f, 'wrong-ca', 'server', proof, `${possessive(f.client)} certificate ${shortName(clientChain[0]?.subject)}${issuedBy} was refused: ${accepts}${w ? ` (${described(w)})` : ''}`);
    }
    const serverChain = chainOf(f.serverCert);
    const proof = f.serverCert ? evidenceOf(f.serverCert, 'issuer', serverChain.at(-1)?.issuer ?? '') : reportValue(w!);
    return verdict(f, 'wrong-ca', 'client', proof, `${f.client} does not trust the CA behind ${possessive(f.service)} certificate ${shortName(serverChain[0]?.subject)} (${described(w)})`);
  }

  // Dates alone, when no stack named the reason (e.g. a peer that closed without an alert).
  const stale = outOfDate(f, 'expired') ? validityVerdict(f, 'expired', undefined) : outOfDate(f, 'not-yet-valid') ? validityVerdict(f, 'not-yet-valid', undefined) : undefined;
  if (stale) return stale;

  const first = [...f.alerts.filter((a) => a.severity === 'error'), ...f.reports].sort((a, b) => a.seq - b.seq)[0] ?? f.close;
  if (!first) return undefined;
  const by = first.layer === 'alert' || first.layer === 'process' ? detector(first, 'client') : 'client';
  const what = first.layer === 'tcp' ? `the connection ended (${fieldValue(first.fields, 'reason')}) before ${f.service} answered` : `${described(first)}: ${first.note}`;
  return verdict(f, 'unknown', by, first.layer === 'tcp' ? evidenceOf(first, 'reason', fieldValue(first.fields, 'reason')) : reportValue(first), `no TLS reason on the wire: ${what}`);
}

/**
 * Full handshakes per request above which a pool is not reusing its connections. A healthy
 * keep-alive pool pays about one per socket (maxSockets / requests: 0.05 for 16 sockets and
 * 300 requests); a starved one pays one for most requests. It stays below 1 even then: a
 * request that times out while still queued never gets a socket, so pays no handshake.
 */
const churnPerRequest = 0.3;

/**
 * A starved pool (keep-alive off, RFC 8446 §2.2 resumption unused): requests wait for one of
 * too few sockets until they time out, and the connections keep being replaced, each with a
 * full handshake.
 */
export function edgeVerdict(edge: EdgeReport, trace: readonly TraceEvent[]): Verdict | undefined {
  const perRequest = edge.handshakesPerRequest;
  const starved = edge.timeouts > 0 || edge.maxQueueDepth >= 10;
  if (!(perRequest >= churnPerRequest && edge.resumed === 0 && starved)) return undefined;
  const process = `client ${edge.client}`;
  const timeout = trace.find((e) => e.layer === 'process' && e.type === 'client-error' && fieldValue(e.fields, 'code') === 'ETIMEDOUT' && (fieldValue(e.fields, 'process') ?? '').startsWith(process));
  const lastOpen = trace.filter((e) => e.type === 'tcp-open' && fieldValue(e.fields, 'service') === edge.service).at(-1);
  const proofEvent = timeout ?? lastOpen;
  if (!proofEvent) return undefined;
  return {
    conn: 0,
    edge: { client: edge.client, service: edge.service },
    detectedBy: 'client',
    rootCause: 'exhausted-pool',
    severity: 'error',
    evidence: timeout ? evidenceOf(timeout, 'code', 'ETIMEDOUT') : evidenceOf(proofEvent, 'service', edge.service),
    summary:
      `${edge.client} → ${edge.service}: ${edge.handshakes} full handshakes for ${edge.requests} requests (${perRequest.toFixed(2)} per request), none resumed; ` +
      `up to ${edge.maxQueueDepth} requests queued for a socket, ${edge.timeouts} timed out (p99 ${edge.latencyMs.p99.toFixed(0)} ms): ` +
      'too few sockets, no keep-alive, no resumption — every new connection pays a full mTLS handshake',
    wording: stackWording['exhausted-pool'] ?? {},
  };
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
  const edgeVerdicts = edges.flatMap((edge) => edgeVerdict(edge, trace) ?? []);
  const starved = new Map(edgeVerdicts.map((v) => [v.edge!.service, v]));
  const verdicts: Verdict[] = [];
  for (const [conn, events] of byConn) {
    const v = connectionVerdict(conn, events, { mtlsServices });
    if (!v) continue;
    // A reset or timeout with no TLS reason, on an edge whose pool is starved, is that pool's doing.
    const service = fieldValue(events.find((e) => e.type === 'tcp-open')?.fields, 'service') ?? '';
    const pool = starved.get(service);
    const codes = events.filter((e) => e.layer === 'process' && e.severity === 'error').map((e) => fieldValue(e.fields, 'code') ?? '');
    if (v.rootCause === 'unknown' && pool && codes.every((code) => transportCodes.has(code))) {
      verdicts.push({ ...v, rootCause: 'exhausted-pool', wording: pool.wording, summary: `${v.summary} — a casualty of the starved pool on ${pool.edge!.client} → ${service}` });
    } else verdicts.push(v);
  }
  verdicts.push(...edgeVerdicts);
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
      const conns = list.filter((v) => !v.edge).length;
      const count = conns ? `${conns} connection${conns === 1 ? '' : 's'}` : 'the edge';
      return `${cause} (${count}${lead.severity === 'warning' ? ', security finding' : ''}): ${lead.summary}`;
    })
    .join('; ');
}

/** Errors before warnings, then the commoner cause first. */
const rank = (list: readonly Verdict[]): number => list.length + (list.some((v) => v.severity === 'error') ? 1_000_000 : 0) + (list.some((v) => v.edge) ? 500_000 : 0);
