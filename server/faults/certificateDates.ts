/**
 * What expired-cert and not-yet-valid share: a certificate outside its validity period in
 * either Certificate message, judged at the connection's time (RFC 5280 §4.1.2.5), and the
 * finding that names it.
 */
import { described, detector, evidenceOf, finding, possessive, readableTime, reportValue, roughDuration, shortName } from './evidence.js';
import type { ChainCertificate, ConnectionFacts, FactAlert, FactCertificates, FactReport, Finding } from './facts.js';

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
    return finding(rootCause, detector(witness, 'server'), reportValue(witness), `${f.service} or its caller reported ${described(witness)}: a certificate is outside its validity period`);
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
