/**
 * The vocabulary detection rules share: which reports and alerts carry a root cause's signal,
 * who detected it, how a piece of evidence is cited and how a certificate or a party reads
 * in a summary. Pure functions over ConnectionFacts.
 */
import { alertNumberFromError } from './alerts.js';
import type { ChainCertificate, ConnectionFacts, Evidence, FactAlert, FactCertificates, FactReport, FactSource, Finding, Rule, Side, Signal } from './facts.js';

/** `payments'`, `auth's`. */
export const possessive = (name: string): string => (name.endsWith('s') ? `${name}'` : `${name}'s`);

/** `O=mtls-lab, CN=Corp Root CA` → `CN=Corp Root CA`: the part people recognise. */
export function shortName(dn: string | undefined): string {
  if (!dn) return 'an unnamed certificate';
  const cn = dn.split(/,\s*/).find((part) => part.startsWith('CN='));
  return cn ?? dn;
}

/** `2026-11-23T03:28:08.000Z` → `2026-11-23 03:28 UTC`. */
export function readableTime(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** `6 hours`, `3 days`, `2 minutes`: how far apart two instants are, roughly, for a note. */
export function roughDuration(ms: number): string {
  const abs = Math.abs(ms);
  const units: Array<[number, string]> = [
    [365 * 86_400_000, 'year'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.round(abs / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a second';
}

/** Self-signed by name: subject and issuer are the same (RFC 5280 §6.1: a trust anchor). */
export const isSelfIssued = (cert: ChainCertificate): boolean => cert.subject !== undefined && cert.subject === cert.issuer;

/** A chain of one certificate that is not its own issuer: the intermediate the peer needs is missing. */
export function stopsAtLeaf(chain: readonly ChainCertificate[]): boolean {
  const leaf = chain[0];
  return chain.length === 1 && leaf !== undefined && !isSelfIssued(leaf);
}

/** Whether the chain leads to one of `cas`: one of its certificates was issued by, or is, a listed CA. */
export function chainsTo(chain: readonly ChainCertificate[], cas: readonly string[]): boolean {
  const wanted = new Set(cas);
  return chain.some((cert) => (cert.issuer !== undefined && wanted.has(cert.issuer)) || (cert.subject !== undefined && wanted.has(cert.subject)));
}

/** The chain a Certificate message carried; empty when there was none. */
export const chainOf = (certs: FactCertificates | undefined): FactCertificates['chain'] => certs?.chain ?? [];

/** Whether a process's report says what `signal` names: its code, a received alert, a verify error, or its text. */
export function carries(report: FactReport, signal: Signal): boolean {
  const code = report.code ?? '';
  const message = report.message ?? '';
  if (signal.codes?.includes(code) || signal.verifyErrors.some((e) => e.code === code)) return true;
  // A received alert surfaces as ERR_SSL_…_ALERT_… with "SSL alert number N".
  const received = alertNumberFromError(code, message);
  if (received !== undefined && signal.alerts.includes(received)) return true;
  // OpenSSL's own log: `verify error:num=10:certificate has expired`.
  if (signal.verifyErrors.some((e) => message.includes(`num=${e.num}:`) || message.toLowerCase().includes(e.text))) return true;
  return signal.text?.test(message) ?? false;
}

/** The alerts and reports that carry `signal`: what crossed the wire first (anyone with a capture can check it), then what the processes said. */
export function witnesses(f: ConnectionFacts, signal: Signal): Array<FactAlert | FactReport> {
  const alerts = f.alerts.filter((a) => signal.alerts.includes(a.code)).sort((a, b) => a.seq - b.seq);
  const reports = f.reports.filter((r) => carries(r, signal)).sort((a, b) => a.seq - b.seq);
  return [...alerts, ...reports];
}

const isAlert = (w: FactAlert | FactReport): w is FactAlert => 'from' in w;

/** Who detected a problem a witness reports: the sender of an alert, a process reporting its own verify failure. */
export function detector(witness: FactAlert | FactReport | undefined, fallback: Side): Side {
  if (!witness) return fallback;
  if (isAlert(witness)) return witness.from;
  // A received alert surfaces as an error on the receiving side (ERR_SSL_…_ALERT_…): the peer detected it.
  if (/_ALERT_/.test(witness.code ?? '')) return witness.side === 'client' ? 'server' : 'client';
  return witness.side ?? fallback;
}

export const evidenceOf = (event: FactSource, field?: string, value?: string): Evidence => ({
  seq: event.seq,
  message: event.type,
  ...(field !== undefined ? { field } : {}),
  ...(value !== undefined ? { value } : {}),
});

/** A witness cited as evidence: an alert's description, else a report's code or message. */
export function reportValue(w: FactAlert | FactReport): Evidence {
  if (isAlert(w)) return evidenceOf(w, 'description', w.type.replace(/^alert /, ''));
  return w.code ? evidenceOf(w, 'code', w.code) : evidenceOf(w, 'message', w.message);
}

/** How a witness reads in a summary: `alert certificate_expired (45)`, `CERT_HAS_EXPIRED`, or a log line quoted. */
export function described(w: FactAlert | FactReport | undefined): string {
  if (!w) return '';
  if (isAlert(w)) return w.type;
  return w.code ?? `"${w.message ?? w.type}"`;
}

/** What the side that detected a problem refused: its peer's Certificate message and leaf, and both parties in words. */
export function refusedBy(f: ConnectionFacts, by: Side) {
  const sent = by === 'server' ? f.clientCert : f.serverCert;
  return {
    sent,
    leaf: chainOf(sent)[0],
    holder: by === 'server' ? `${possessive(f.client)} client certificate` : `${possessive(f.service)} certificate`,
    verifier: by === 'server' ? f.service : f.client,
  };
}

/**
 * The first witness of `signal`, who detected it (the server unless the witness says
 * otherwise), and what that side refused: for causes that live in one certificate.
 */
export function refusal(f: ConnectionFacts, signal: Signal) {
  const witness = witnesses(f, signal)[0];
  if (!witness) return undefined;
  const by = detector(witness, 'server');
  return { witness, by, ...refusedBy(f, by) };
}

export type Refusal = NonNullable<ReturnType<typeof refusal>>;

/** A rule for a cause that lives in one certificate: its finding from the first refusal that carries `signal`. */
export function whenRefused(signal: Signal, explain: (refused: Refusal, f: ConnectionFacts) => Finding): Rule {
  return (f) => {
    const refused = refusal(f, signal);
    return refused ? explain(refused, f) : undefined;
  };
}

/** A finding of `rootCause`; an error unless said otherwise. */
export function finding(rootCause: string, detectedBy: Side, evidence: Evidence, summary: string, severity: Finding['severity'] = 'error'): Finding {
  return { rootCause, detectedBy, severity, evidence, summary };
}

/** The verify error a witness names as OpenSSL numbers it: `num=20` in a log, Node's code, curl's text. */
export function verifyErrorOf(w: FactAlert | FactReport | undefined, signal: Signal): Signal['verifyErrors'][number] | undefined {
  if (!w || isAlert(w)) return undefined;
  return signal.verifyErrors.find((e) => e.code === w.code || (w.message ?? '').includes(`num=${e.num}:`) || (w.message ?? '').toLowerCase().includes(e.text));
}
