import * as v from 'valibot';
import { dateWordings } from './certificateDates.js';
import { described, evidenceOf, finding, possessive, readableTime, roughDuration, shortName, witnesses } from './evidence.js';
import { expiredSignal } from './expiredCert.js';
import type { ConnectionFacts, FactAlert, FactReport, Finding, Rule } from './facts.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { paramLimits, paramsSchema, wholeNumber } from './params.js';

const params = paramsSchema({
  /** How long ago the CA's notAfter passed. */
  expiredDaysAgo: v.optional(wholeNumber(paramLimits.expiredDaysAgo), 2),
});

/**
 * The first chain on the wire whose leaf is in its dates but one of whose issuers is not: the
 * client's chain first, as in outOfDate. Depth is the chain position OpenSSL reports (`depth=1`).
 */
export function expiredIssuer(f: ConnectionFacts) {
  for (const [event, ofClient] of [[f.clientCert, true], [f.serverCert, false]] as const) {
    const chain = event?.chain ?? [];
    const depth = chain.findIndex((cert, i) => i > 0 && cert.validity === 'expired');
    if (event && depth > 0 && chain[0]!.validity === 'valid') return { event, ofClient, depth, ca: chain[depth]!, leaf: chain[0]! };
  }
  return undefined;
}

function issuerFinding(f: ConnectionFacts, witness: FactAlert | FactReport | undefined): Finding | undefined {
  const found = expiredIssuer(f);
  if (!found) return undefined;
  const { event, ofClient, depth, ca, leaf } = found;
  const whose = ofClient ? `${possessive(f.client)} chain` : `${possessive(f.service)} chain`;
  const verifier = ofClient ? f.service : f.client;
  const gap = f.atMs !== undefined && ca.notAfter ? `, ${roughDuration(f.atMs - Date.parse(ca.notAfter))} before this connection` : '';
  const seen = witness ? ` (${described(witness)})` : '';
  return finding('expired-intermediate', ofClient ? 'server' : 'client', evidenceOf(event, 'notAfter', ca.notAfter ?? ''),
    `${whose}: the leaf ${shortName(leaf.subject)} is valid until ${readableTime(leaf.notAfter)}, but its issuer ${shortName(ca.subject)} (depth ${depth}) expired at ${readableTime(ca.notAfter)}${gap}; ` +
      `a chain is only as valid as its shortest-lived certificate, so ${verifier} refused it${seen}`);
}

/**
 * The issuing CA expired while the leaves it signed are still in their dates — a CA that
 * does not cap its leaves at its own notAfter, and a renewal nobody scheduled because CAs
 * last years. RFC 5280 §6.1.3 (a)(2): every certificate of the path must be valid at the
 * time of verification, so verifiers refuse the valid leaf with the same words as an
 * expired one (verify error 10, at depth 1); `openssl x509 -dates` on the leaf shows nothing wrong.
 */
export const expiredIntermediate: Fault<v.InferOutput<typeof params>> = {
  kind: 'expired-intermediate',
  title: 'Issuing CA expired',
  summary: 'The intermediate CA that signed a still-valid leaf is past its notAfter; the whole chain is refused with the words of an expired certificate.',
  target: 'certificate',
  fixes: ['reissue'],
  params,
  signal: expiredSignal,
  rules: {
    /** A stack said "expired" and the certificate out of date on the wire is an issuer, not the leaf. */
    reported(f) {
      const expired = witnesses(f, expiredSignal);
      return expired.length > 0 ? issuerFinding(f, expired[0]) : undefined;
    },
    dates: ((f) => issuerFinding(f, undefined)) satisfies Rule,
  },
  wording: (() => {
    const dated = dateWordings('expired', expiredSignal.verifyErrors[0]!);
    // s_client names the certificate before the error: `depth=1 O = …, CN = Corp Issuing CA 1`.
    return { ...dated, openssl: { ...dated.openssl!, detector: `depth=1 … ${dated.openssl!.detector}` } };
  })(),
  apply(spec, target, { expiredDaysAgo }) {
    const next = cloneSpec(spec);
    const ca = next.pki[target]!;
    if (!ca.ca || ca.issuer === undefined) {
      throw new FaultError(`expired-intermediate: "${target}" is not an intermediate CA (a CA with an issuer); pick the CA that signs the leaves`);
    }
    ca.validity = { notBefore: `-${expiredDaysAgo + 3 * 365}d`, notAfter: `-${expiredDaysAgo}d` };
    // Its leaves were signed a month before it expired and are still in their dates.
    for (const cert of Object.values(next.pki)) {
      if (cert.issuer === target && !cert.ca) cert.validity = { notBefore: `-${expiredDaysAgo + 30}d`, notAfter: '+60d' };
    }
    return next;
  },
};
