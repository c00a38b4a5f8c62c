/**
 * A note in plain words for each thing a learner sees in a trace: what the message is for,
 * who sent it, and what in it matters for mTLS. Pure functions of the decoded message and
 * what came before it on the same connection (AnnotationContext).
 *
 *   DecodedMessage + AnnotationContext ──annotate──▶ { note, severity }
 */
import type { ProcessEvent, TapConnection } from '../runtime/index.js';
import { alertNote as alertMeaning } from '../faults/alerts.js';
import { possessive } from '../faults/evidence.js';
import type { DecodedMessage } from '../wire/connectionDecoder.js';
import {
  acceptableCas,
  certificateChain,
  readableTime,
  roughDuration,
  shortName,
  stopsAtLeaf,
  validityAt,
  type ChainCertificate,
} from './certificateFacts.js';
import { fieldValue, type TraceSeverity } from './traceEvent.js';

/** What a note may depend on: the names of the ends and what the connection did so far. */
export interface AnnotationContext {
  /** The lab's name for the service (`auth`). */
  service: string;
  /** The lab's name for the caller when known (`payments`); otherwise "the client". */
  client?: string;
  /** Negotiated version once a ServerHello was seen (`TLS 1.3`). */
  version?: string;
  /** The server sent a CertificateRequest: this is mTLS. */
  certificateRequested: boolean;
  /** The client's Finished was already seen. */
  clientFinished: boolean;
  serverFinished: boolean;
  /** Wall-clock ms when the message crossed the tap, for validity checks. */
  atMs?: number;
  /** The port speaks plain HTTP by design (mode disable): plaintext there is normal. */
  plainService?: boolean;
}

export interface Annotation {
  /** What the message is and carries: facts anyone reading the bytes would state. */
  note: string;
  severity: TraceSeverity;
  /** What the explainer concludes from it (a date past, a caller served unauthenticated): TraceEvent.finding. */
  finding?: string;
}

/** The part of a DecodedMessage a note needs (so tests can build one by hand). */
export type AnnotatableMessage = Pick<DecodedMessage, 'dir' | 'layer' | 'type' | 'fields' | 'summary' | 'encrypted' | 'alert'>;

const clientName = (ctx: AnnotationContext): string => ctx.client ?? 'the client';
const sender = (message: { dir: 'c2s' | 's2c' }, ctx: AnnotationContext): string => (message.dir === 'c2s' ? clientName(ctx) : ctx.service);
const receiver = (message: { dir: 'c2s' | 's2c' }, ctx: AnnotationContext): string => (message.dir === 'c2s' ? ctx.service : clientName(ctx));
const tls13 = (ctx: AnnotationContext): boolean => ctx.version === 'TLS 1.3';
const afterColon = (summary: string): string => summary.replace(/^[A-Za-z]+: /, '');
const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** Alerts that say "your certificate was refused" (RFC 8446 §6.2). */
const certificateAlerts = new Set([42, 43, 44, 45, 46, 48, 49, 116]);

/** `url:spiffe://…` (how @peculiar/x509 names a URI SAN) → `URI:spiffe://…`, as openssl prints it. */
function readableSan(san: string): string {
  const [type = '', ...rest] = san.split(':');
  const label = ({ url: 'URI', dns: 'DNS', ip: 'IP', email: 'email' } as Record<string, string>)[type] ?? type;
  return `${label}:${rest.join(':')}`;
}

function describeLeaf(leaf: ChainCertificate): string {
  if (leaf.error) return `a certificate the decoder could not parse (${leaf.error})`;
  const sans = leaf.subjectAltNames?.length ? ` (${leaf.subjectAltNames.map(readableSan).join(', ')})` : '';
  return `${shortName(leaf.subject)}${sans}, issued by ${shortName(leaf.issuer)}, valid until ${readableTime(leaf.notAfter)}`;
}

/** A certificate's dates against the connection's time, when they are not good then. */
function datedFinding(cert: ChainCertificate, ctx: AnnotationContext): string | undefined {
  const state = validityAt(cert, ctx.atMs);
  if (state === 'expired' && ctx.atMs !== undefined && cert.notAfter) {
    return `EXPIRED ${roughDuration(ctx.atMs - Date.parse(cert.notAfter))} before this connection`;
  }
  if (state === 'not-yet-valid' && ctx.atMs !== undefined && cert.notBefore) {
    return `NOT YET VALID: valid only from ${readableTime(cert.notBefore)}, ${roughDuration(Date.parse(cert.notBefore) - ctx.atMs)} after this connection (a clock skew?)`;
  }
  return undefined;
}

function certificateNote(message: AnnotatableMessage, ctx: AnnotationContext): Annotation {
  const chain = certificateChain(message.fields);
  const who = message.dir === 'c2s' ? clientName(ctx) : ctx.service;
  const leaf = chain[0];
  if (!leaf) {
    // RFC 8446 §4.4.2.4: a client without a suitable certificate answers with an empty list.
    const asked = message.dir === 'c2s' && ctx.certificateRequested ? ` although ${ctx.service} asked for one` : '';
    return { note: `${who} sends an empty Certificate: no certificate to offer${asked} (RFC 8446 §4.4.2)`, severity: asked ? 'warning' : 'info' };
  }
  const count = `${chain.length} certificate${chain.length === 1 ? '' : 's'} in the chain`;
  const findings = chain.flatMap((cert, i) => {
    const dated = datedFinding(cert, ctx);
    if (!dated) return [];
    return [i === 0 ? dated : `certificate ${i + 1} (${shortName(cert.subject)}) ${dated}`];
  });
  const bad = findings.length > 0;
  if (stopsAtLeaf(chain)) {
    // RFC 8446 §4.4.2: the sender should send the certificates that lead to a trust anchor;
    // only a root may be left out, since the verifier must already hold it.
    findings.push(`only the leaf: ${receiver(message, ctx)} must already hold ${shortName(leaf.issuer)} (fine if it is a trusted root; a broken chain if it is an intermediate)`);
  }
  return { note: `${who} presents ${describeLeaf(leaf)}; ${count}`, severity: bad ? 'warning' : 'info', ...(findings.length ? { finding: findings.join('; ') } : {}) };
}

function alertNote(message: AnnotatableMessage, ctx: AnnotationContext): Annotation {
  const alert = message.alert;
  if (!alert) return { note: message.summary, severity: 'warning' };
  const name = `${alert.description} (${alert.code})`;
  const hint = alertMeaning(alert.code);
  const reason = hint ? ` — ${hint}` : '';
  const from = sender(message, ctx);
  const severity: TraceSeverity = alert.level === 'fatal' ? 'error' : alert.code === 0 || alert.code === 90 ? 'info' : 'warning';
  if (alert.code === 0) return { note: `${from} closes the TLS session in an orderly way (close_notify, RFC 8446 §6.1)`, severity };
  if (alert.code === 116) {
    return { note: `${from} requires a client certificate and ${clientName(ctx)} sent none: ${name} (RFC 8446 §4.4.2.4)`, severity };
  }
  if (certificateAlerts.has(alert.code)) {
    if (message.dir === 's2c' && tls13(ctx) && ctx.clientFinished) {
      // RFC 8446 §4.4.4: the client sends its Finished right after its Certificate and
      // CertificateVerify, so the server's verdict on that certificate can only arrive later.
      return {
        note: `${from} rejected the client certificate after ${clientName(ctx)} already believed the handshake was done (TLS 1.3 sends this alert encrypted): ${name}${reason}`,
        severity,
      };
    }
    const whose = message.dir === 's2c' ? `${possessive(clientName(ctx))}` : `${possessive(ctx.service)}`;
    return { note: `${from} rejected ${whose} certificate: ${name}${reason}`, severity };
  }
  return { note: `${from} sends a ${alert.level} alert: ${name}${reason}`, severity };
}

const httpRequestLine = /^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/;
const httpStatusLine = /^HTTP\/\d(\.\d)? (\d{3})/;

function plaintextNote(message: AnnotatableMessage, ctx: AnnotationContext): Annotation {
  const line = fieldValue(message.fields, 'first_line') ?? '';
  if (ctx.plainService) return { note: `${sender(message, ctx)} sends plain text (this port speaks HTTP by design): "${line}"`, severity: 'info' };
  if (message.dir === 'c2s') {
    if (httpRequestLine.test(line)) {
      return { note: `an HTTP request in plain text on the TLS port of ${ctx.service}: "${line}"`, severity: 'warning', finding: 'no handshake, no certificate: nothing was authenticated' };
    }
    return { note: `${clientName(ctx)} sends bytes that are not TLS to the TLS port of ${ctx.service}: "${line}"`, severity: 'warning' };
  }
  const status = httpStatusLine.exec(line)?.[2];
  if (status?.startsWith('2')) {
    return { note: `${ctx.service} answers in plain text: "${line}"`, severity: 'warning', finding: 'it served a caller it never authenticated' };
  }
  return { note: `${ctx.service} answers in plain text: "${line}"`, severity: 'info' };
}

function handshakeNote(message: AnnotatableMessage, ctx: AnnotationContext): Annotation {
  const info = (note: string): Annotation => ({ note, severity: 'info' });
  switch (message.type) {
    case 'ClientHello':
      return info(`${clientName(ctx)} opens the handshake with ${ctx.service}: ${afterColon(message.summary)}`);
    case 'HelloRetryRequest':
      return info(`${ctx.service} asks for a second ClientHello (RFC 8446 §4.1.4): ${afterColon(message.summary)}`);
    case 'ServerHello': {
      const rest = afterColon(message.summary);
      return info(rest.startsWith('TLS 1.3')
        ? `${ctx.service} answers: ${rest}; every handshake message after this one is encrypted (RFC 8446 §4.1.3)`
        : `${ctx.service} answers: ${rest}`);
    }
    case 'EncryptedExtensions':
      return info(`${possessive(ctx.service)} extensions, its first encrypted message (RFC 8446 §4.3.1): ${afterColon(message.summary)}`);
    case 'CertificateRequest': {
      const cas = acceptableCas(message.fields);
      return info(cas.length
        ? `${ctx.service} asks the client for a certificate; it will accept ones issued by: ${cas.map(shortName).join(', ')} (RFC 8446 §4.3.2, §4.2.4)`
        : `${ctx.service} asks the client for a certificate; it names no CAs, so any it trusts (RFC 8446 §4.3.2)`);
    }
    case 'Certificate':
      return certificateNote(message, ctx);
    case 'CertificateVerify': {
      const alg = fieldValue(message.fields, 'algorithm');
      const who = sender(message, ctx);
      return info(`${who} proves it holds the private key of the certificate it sent: ${alg ? `${article(alg)} ${alg}` : 'a'} signature over the handshake so far (RFC 8446 §4.4.3)`);
    }
    case 'Finished':
      if (message.dir === 's2c') {
        return info(`${possessive(ctx.service)} Finished: a MAC over every handshake message; ${possessive(ctx.service)} side of the handshake is done (RFC 8446 §4.4.4)`);
      }
      if (tls13(ctx) && ctx.certificateRequested) {
        return info(`${possessive(clientName(ctx))} Finished: to the client the handshake is complete and it may send its request now — ${ctx.service} has not yet said whether it accepts the client certificate (RFC 8446 §4.4.4)`);
      }
      return info(`${possessive(clientName(ctx))} Finished: the handshake is complete (RFC 8446 §4.4.4)`);
    case 'NewSessionTicket':
      return info(`${ctx.service} hands ${clientName(ctx)} a session ticket to resume later without a full handshake (RFC 8446 §4.6.1)`);
    case 'KeyUpdate':
      return info(`${sender(message, ctx)} switches to its next traffic key (RFC 8446 §4.6.3)`);
    default:
      return info(message.summary);
  }
}

/** The note and severity of one decoded message. */
export function annotate(message: AnnotatableMessage, ctx: AnnotationContext): Annotation {
  switch (message.layer) {
    case 'handshake':
      return message.summary.startsWith('malformed') ? { note: message.summary, severity: 'warning' } : handshakeNote(message, ctx);
    case 'alert':
      return alertNote(message, ctx);
    case 'ccs':
      return tls13(ctx) || (ctx.version === undefined && message.summary.includes('1.3'))
        ? { note: `${possessive(sender(message, ctx))} ChangeCipherSpec: a no-op kept only so middleboxes see a familiar handshake (RFC 8446 §D.4)`, severity: 'info' }
        : { note: `${sender(message, ctx)} encrypts from its next record on (ChangeCipherSpec, RFC 5246 §7.1)`, severity: 'info' };
    case 'plaintext':
      return plaintextNote(message, ctx);
    case 'application':
      return { note: `${sender(message, ctx)} sends ${afterColon(message.summary)}`, severity: 'info' };
    case 'record':
      if (message.type === 'encrypted_record') return { note: `${sender(message, ctx)} sends an encrypted record the trace cannot open (no key-log secret for it): ${message.summary}`, severity: 'info' };
      if (message.type === 'invalid_record') return { note: message.summary, severity: 'warning' };
      return { note: message.summary, severity: 'info' };
  }
}

/** Consecutive application-data records in one direction, told as one event. */
export interface ApplicationBurst {
  dir: 'c2s' | 's2c';
  records: number;
  bytes: number;
  /** The first line when it is text (`GET / HTTP/1.1`). */
  firstLine?: string;
  /** Decrypted with a key-log secret (else: ciphertext only). */
  decrypted: boolean;
}

export function annotateBurst(burst: ApplicationBurst, ctx: AnnotationContext): Annotation {
  const who = sender(burst, ctx);
  const size = `${burst.bytes} bytes in ${burst.records} record${burst.records === 1 ? '' : 's'}`;
  if (!burst.decrypted) return { note: `${who} sends ${size} of encrypted application data (no key-log secret to open it)`, severity: 'info' };
  const line = burst.firstLine ? `: "${burst.firstLine}"` : '';
  const what = burst.dir === 'c2s' ? 'its request' : 'its response';
  return { note: `${who} sends ${burst.firstLine ? what : 'application data'}, ${size}${line}`, severity: 'info' };
}

export interface TcpContext {
  service: string;
  client?: string;
  /** Application data or a plaintext answer flowed from the server before the close. */
  answered: boolean;
  /** A sandbox's tap, or a capture someone brought (whose notes name no tap). */
  recordedBy?: 'tap' | 'capture';
}

export function annotateTcpOpen(conn: Pick<TapConnection, 'clientPort'>, ctx: TcpContext): Annotation {
  const via = ctx.recordedBy === 'capture' ? '' : ', through the tap';
  return { note: `${ctx.client ?? 'a client'} connects to ${ctx.service} (from port ${conn.clientPort}${via})`, severity: 'info' };
}

export function annotateTcpClose(conn: Pick<TapConnection, 'closeReason' | 'droppedBytes'>, ctx: TcpContext): Annotation {
  const recorder = ctx.recordedBy === 'capture' ? 'the capture' : "the tap's cap";
  const dropped = conn.droppedBytes > 0 ? ` (${conn.droppedBytes} recorded bytes were dropped to stay under ${recorder})` : '';
  switch (conn.closeReason) {
    case 'reset':
      return { note: `the connection was reset (RST): one side aborted it${ctx.answered ? '' : ' before any answer'}${dropped}`, severity: 'error' };
    case 'error':
      return { note: `the connection failed with a socket error${dropped}`, severity: 'error' };
    case 'refused':
      return { note: `${ctx.service} refused the connection: nothing was listening${ctx.recordedBy === 'capture' ? '' : ' behind the tap'}${dropped}`, severity: 'error' };
    case 'tap-closed':
      return { note: `still open when the sandbox stopped (an idle keep-alive connection)${dropped}`, severity: 'info' };
    case 'end':
    case undefined:
      return ctx.answered
        ? { note: `the connection closed cleanly (FIN both ways)${dropped}`, severity: 'info' }
        : { note: `the connection closed before ${ctx.service} answered anything${dropped}`, severity: 'warning' };
  }
}

/** OpenSSL's `…:error:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:file:line:SSL alert number 45` → its reason and alert number. */
export function readableError(message: string): string {
  const parts = /:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(message);
  if (!parts?.[1]) return message;
  const alert = /SSL alert number (\d+)/.exec(message)?.[1];
  return `${parts[1]}${alert ? ` (SSL alert number ${alert})` : ''}`;
}

/** Errors a service prints that are its verdict on a peer (OpenSSL's verify output, reason strings). */
const errorLine = /verify error|:error:|unable to|did not return|certificate has expired|not yet valid/i;

export function annotateProcess(event: ProcessEvent): Annotation {
  const side = event.role === 'service' ? 'server' : 'client';
  const code = event.code ?? '';
  const message = event.message ?? '';
  switch (event.kind) {
    case 'client-error':
      if (code === 'ETIMEDOUT') return { note: `${event.name} gave up on a request: ${message}`, severity: 'error' };
      return { note: `${event.name} (${side}) threw ${code}: ${readableError(message)}`, severity: 'error' };
    case 'tls-error':
      return { note: `${event.name} (${side}) logged ${code}: ${readableError(message)}`, severity: 'error' };
    case 'request':
      return { note: `${event.name} served ${message}`, severity: Number(code) >= 500 ? 'warning' : 'info' };
    case 'log':
      return { note: `${event.name} (${side}) printed: ${message}`, severity: errorLine.test(message) ? 'error' : 'info' };
    case 'files-renewed':
      return { note: `${possessive(event.name)} certificate files were rewritten on disk while it ran: ${message}`, severity: 'info' };
    case 'start-error':
      return { note: `${event.name} (${side}) could not start: ${code ? `${code}: ` : ''}${readableError(message)} — nothing listens at its address, so its callers are refused`, severity: 'error' };
    case 'fatal':
      return { note: `${event.name} (${side}) stopped with a fatal error: ${message}`, severity: 'error' };
    case 'exit':
      return { note: `${event.name} (${side}) exited (${code})`, severity: code === '0' || code === 'SIGTERM' ? 'info' : 'warning' };
    default:
      return { note: `${event.name} (${side}): ${event.kind}${message ? ` — ${message}` : ''}`, severity: 'info' };
  }
}

export { errorLine as processErrorLine };
