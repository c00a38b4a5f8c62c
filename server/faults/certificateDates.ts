/**
 * What expired-cert and not-yet-valid share: a certificate outside its validity period in
 * either Certificate message, judged at the connection's time (RFC 5280 §4.1.2.5), and the
 * finding that names it.
 */
import { described, detector, evidenceOf, finding, possessive, readableTime, reportValue, roughDuration, shortName } from './evidence.js';
import type { ChainCertificate, ConnectionFacts, FactAlert, FactCertificates, FactReport, Finding, Rule, VerifyError } from './facts.js';
import type { LabSpec } from '../lab/schema.js';
import { cloneSpec } from './fault.js';
import type { StackWordings } from './rootCause.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';

export type OutOfDate = 'expired' | 'not-yet-valid';

/** The first certificate in `state`, the client's chain first. */
export function outOfDate(f: ConnectionFacts, state: OutOfDate): { event: FactCertificates; cert: ChainCertificate; ofClient: boolean } | undefined {
  for (const [event, ofClient] of [[f.clientCert, true], [f.serverCert, false]] as const) {
    const cert = event?.chain.find((c) => c.validity === state);
    if (event && cert) return { event, cert, ofClient };
  }
  return undefined;
}

/** The finding for a certificate out of date: the date on the wire when the chain shows it, else what a stack reported. */
export function dateFinding(f: ConnectionFacts, state: OutOfDate, witness: FactAlert | FactReport | undefined): Finding | undefined {
  const found = outOfDate(f, state);
  const rootCause = state === 'expired' ? 'expired-cert' : 'not-yet-valid';
  if (!found) {
    if (!witness) return undefined;
    const found = finding(rootCause, detector(witness, 'server'), reportValue(witness), `${f.service} or its caller reported ${described(witness)}: a certificate is outside its validity period`);
    // Every date on the wire is good: what expired is off the wire — a CA in the verifier's own
    // store, or the CRL it checks, which OpenSSL refuses with the same 45 (stale-crl).
    if (state === 'expired' && (f.clientCert || f.serverCert)) {
      return { ...found, summary: `${found.summary}, though none on the wire is: a CA in the verifier's own store, or a CRL past its nextUpdate (the same alert 45)`, alternatives: ['stale-crl'] };
    }
    return found;
  }
  const { event, cert, ofClient } = found;
  const whose = ofClient ? `${possessive(f.client)} client certificate ${shortName(cert.subject)}` : `${possessive(f.service)} certificate ${shortName(cert.subject)}`;
  const verifier = ofClient ? f.service : f.client;
  const field = state === 'expired' ? 'notAfter' : 'notBefore';
  const value = (state === 'expired' ? cert.notAfter : cert.notBefore) ?? '';
  const atMs = f.atMs;
  const gap = atMs !== undefined && value ? roughDuration(atMs - Date.parse(value)) : '';
  const when =
    state === 'expired'
      ? `expired at ${readableTime(value)}${gap ? `, ${gap} before this connection` : ''}`
      : `is not valid until ${readableTime(value)}${gap ? `, ${gap} after this connection` : ''} (a clock skew, or issued ahead of time)`;
  const seen = witness ? `; ${verifier} refused it (${described(witness)})` : `; ${verifier} refused it`;
  return finding(rootCause, ofClient ? 'server' : 'client', evidenceOf(event, field, value), `${whose} ${when}${seen}`);
}

/** Dates alone, when no stack named the reason (a peer that closed without an alert). */
export function datesOnly(state: OutOfDate): Rule {
  return (f) => (outOfDate(f, state) ? dateFinding(f, state, undefined) : undefined);
}

/** The transform both date faults are: the target certificate re-issued with `validity` (relative times, lab/validity.ts). */
export function withValidity(validity: { notBefore: string; notAfter: string }) {
  return (spec: LabSpec, target: string): LabSpec => {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { ...validity };
    return next;
  };
}

/**
 * How the stacks word a date out of range. OpenSSL (and BoringSSL, Envoy's) tells the two
 * apart: certificate_expired (45) for a past notAfter, bad_certificate (42) for a future
 * notBefore (ssl/statem/statem_lib.c ssl_x509err2alert). Go does not: crypto/x509 reports
 * both as x509.Expired — only "after" or "before" differs — and a Go 1.21+ verifier sends 45
 * for both (crypto/tls handshake_server.go); earlier Go sent bad_certificate (42) for every
 * refused certificate, the "tls: bad certificate" of many an incident report.
 */
export function dateWordings(state: OutOfDate, verify: VerifyError): StackWordings {
  const alert = state === 'expired' ? 45 : 42;
  return {
    ...opensslFamily({ verify, alert }),
    go: goWording({ x509: `certificate has expired or is not yet valid: current time … is ${state === 'expired' ? 'after' : 'before'} …`, alert: 45, source: 'crypto/x509 verify.go (CertificateInvalidError, Expired)' }),
    envoy: envoyWording({ alert }),
  };
}
