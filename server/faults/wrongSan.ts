import * as v from 'valibot';
import { chainOf, described, detector, evidenceOf, finding, possessive, reportValue, shortName, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { goAlertText } from './alerts.js';
import { detectedAs, envoyWording } from './wording.js';
import { cloneSpec, presentingService, type Fault } from './fault.js';
import { paramLimits, paramsSchema, subjectAltNames } from './params.js';

const params = paramsSchema({
  /** The names it carries instead; `dns:<target>.internal` when absent. */
  san: v.optional(subjectAltNames(paramLimits.subjectAltNames)),
});

const signal: Signal = {
  alerts: [],
  verifyErrors: [{ num: 62, code: 'ERR_TLS_CERT_ALTNAME_INVALID', text: 'hostname mismatch' }],
  text: /does not match certificate's altnames|no alternative certificate subject name matches|certificate is valid for/i,
};

/** Alerts a client may send for a name it refused: bad_certificate (42), certificate_unknown (46). */
const nameAlerts: readonly number[] = [42, 46];

/** Does a `dns:` SAN cover `host`? One leftmost wildcard label at most (RFC 9525 §6.3). */
export function coversHost(san: string, host: string): boolean {
  const match = /^dns:(.+)$/i.exec(san);
  if (!match) return false;
  const name = match[1]!.toLowerCase().replace(/\.$/, '');
  const wanted = host.toLowerCase().replace(/\.$/, '');
  if (!name.startsWith('*.')) return name === wanted;
  const dot = wanted.indexOf('.');
  return dot > 0 && wanted.slice(dot + 1) === name.slice(2);
}

/**
 * The certificate names some other host than the one its clients dial — issued for the
 * pod's own name, or for the old service name after a rename. A client that checks the
 * server's identity (RFC 9110 §4.3.4, RFC 9525) refuses it after an otherwise sound
 * handshake. `params.san` gives the names it carries instead; by default `dns:<target>.internal`.
 */
export const wrongSan: Fault<v.InferOutput<typeof params>> = {
  kind: 'wrong-san',
  title: 'Certificate names another host',
  summary: "None of the certificate's subjectAltNames is the name the client dialled, so the client refuses it as someone else's.",
  target: 'certificate',
  fixes: ['match-san'],
  params,
  signal,
  rules: {
    /**
     * A stack said "name mismatch", or — for a client the lab does not run, whose words never
     * reach the trace (curl's `(60) SSL: no alternative certificate subject name matches`) —
     * the client dialled, in its ClientHello's SNI (RFC 6066 §3), a name none of the server
     * Certificate's SANs covers, and the connection ended unanswered with no refusal from the server.
     */
    reported(f) {
      const w = witnesses(f, signal)[0];
      const leaf = chainOf(f.serverCert)[0];
      const names = leaf?.subjectAltNames ?? [];
      const dialled = f.clientHello?.serverName;
      // A refusal that names another reason (a server's alert, a client's unknown_ca or
      // certificate_expired) is not about the name; bad_certificate and certificate_unknown may be.
      const otherReason = f.alerts.some((a) => a.fatal && (a.from === 'server' || !nameAlerts.includes(a.code)));
      const mismatch = dialled !== undefined && leaf !== undefined && !names.some((name) => coversHost(name, dialled)) && !otherReason;
      if (!w && !mismatch) return undefined;
      const proof = f.serverCert && leaf ? evidenceOf(f.serverCert, 'subjectAltName', names.join(', ')) : reportValue(w!);
      const asked = dialled ? `dialled ${dialled} (the SNI of its ClientHello)` : `dialled ${f.service}`;
      const refused = w ? ` (${described(w)})` : ', closing the connection before asking anything';
      return finding('wrong-san', detector(w, 'client'), proof,
        `${f.client} ${asked}, but ${possessive(f.service)} certificate ${shortName(leaf?.subject)} names only ${names.join(', ') || 'no host at all'}: ${f.client} refused it as another host's${refused}`);
    },
  },
  wording: {
    // OpenSSL checks names only when asked (s_client -verify_hostname <name>); Node, Python,
    // Go and curl always do. Node and curl check after the handshake, in their own words.
    ...detectedAs({
      openssl: 'verify error:num=62:hostname mismatch',
      curl: "curl: (60) SSL: no alternative certificate subject name matches target host name '…'",
      node: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: … is not in the cert's altnames: …",
      python: "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '…'.",
    }),
    go: { detector: 'tls: failed to verify certificate: x509: certificate is valid for …, not …', peer: goAlertText(42), version: 'Go 1.21+', source: 'crypto/x509 verify.go (HostnameError)' },
    // Envoy's SAN matchers (match_typed_subject_alt_names) answer certificate_unknown (46).
    envoy: envoyWording({ alert: 46, detail: 'no SAN matched the validation context\'s matchers' }),
  },
  apply(spec, target, { san = [`dns:${target}.internal`] }) {
    // Names are checked by the client that dials the host: a client certificate's SANs are an identity (identity-not-allowed).
    presentingService(spec, 'wrong-san', target);
    const next = cloneSpec(spec);
    next.pki[target]!.san = [...san];
    return next;
  },
};
