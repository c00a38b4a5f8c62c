import * as v from 'valibot';
import { described, evidenceOf, finding, reportValue, shortName, whenRefused } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { paramLimits, paramsSchema, wholeNumber } from './params.js';
import { envoyWording, opensslFamily } from './wording.js';

const params = paramsSchema({
  /** How long ago the CRL's nextUpdate passed. */
  overdueHours: v.optional(wholeNumber(paramLimits.overdueHours), 6),
});

/**
 * X509_V_ERR_CRL_HAS_EXPIRED. OpenSSL sends certificate_expired (45) for it, as for an expired
 * certificate (ssl/statem/statem_lib.c ssl_x509err2alert): the alert alone cannot tell them
 * apart, so the signal is the verify error only; a 45 with every date on the wire good is left
 * to expired-cert's fallback, which says no certificate on the wire is out of date.
 */
const signal: Signal = { alerts: [], verifyErrors: [{ num: 12, code: 'CRL_HAS_EXPIRED', text: 'CRL has expired' }], text: /CRL has expired/i };

/**
 * A CRL past its nextUpdate (RFC 5280 §5.1.2.5): the CA's publishing job stopped, and a
 * verifier that checks revocation holds a list it may no longer trust. OpenSSL refuses then
 * every certificate that CA issued — revoked or not — with verify error 12, "CRL has expired"
 * (crypto/x509/x509_vfy.c check_crl_time), unless told X509_V_FLAG_NO_CHECK_TIME.
 */
export const staleCrl: Fault<v.InferOutput<typeof params>> = {
  kind: 'stale-crl',
  title: 'CRL past its nextUpdate',
  summary: "The issuing CA's CRL is past its nextUpdate: a verifier that checks revocation refuses every certificate it issued, valid ones included.",
  target: 'certificate',
  fixes: ['publish-crl'],
  params,
  signal,
  rules: {
    /** A verifier said "CRL has expired": the certificates on the wire are in their dates; the list is not. */
    reported: whenRefused(signal, ({ witness, by, sent, leaf, holder, verifier }) => {
      const proof = sent && leaf?.issuer ? evidenceOf(sent, 'issuer', leaf.issuer) : reportValue(witness);
      return finding('stale-crl', by, proof,
        `${verifier} checks revocation, and the CRL of ${shortName(leaf?.issuer)} it holds is past its nextUpdate (${described(witness)}): it refused ${holder} ${shortName(leaf?.subject)}, valid and not revoked, because it can no longer tell`);
    }),
  },
  wording: {
    // Each checks a CRL only when given one: s_client -crl_check -CRLfile, curl --crlfile,
    // Python VERIFY_CRL_CHECK_LEAF with the CRL in load_verify_locations, Node's `crl` option.
    ...opensslFamily({ verify: signal.verifyErrors[0], alert: 45 }),
    // crypto/x509 reads no CRL: a Go verifier that checks one does it in VerifyPeerCertificate
    // with x509.RevocationList (NextUpdate is the caller's to check), and its server sends 42.
    go: { detector: 'no built-in CRL check: the error a VerifyPeerCertificate callback returns for a RevocationList past its NextUpdate', peer: 'remote error: tls: bad certificate', version: 'Go 1.21+', source: 'crypto/tls common.go (Config.VerifyPeerCertificate), crypto/x509 x509.go (RevocationList.NextUpdate)' },
    envoy: envoyWording({ alert: 45, detail: 'a crl in the validation context past its nextUpdate' }),
  },
  apply(spec, target, { overdueHours }) {
    const next = cloneSpec(spec);
    const ca = next.pki[target]!;
    if (!ca.ca) throw new FaultError(`stale-crl: "${target}" is not a CA; pick the CA whose CRL verifiers check`);
    // Published weekly; the last one a week and overdueHours ago.
    ca.crl = { thisUpdate: `-${7 * 24 + overdueHours}h`, nextUpdate: `-${overdueHours}h` };
    return next;
  },
};
