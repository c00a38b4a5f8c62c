import * as v from 'valibot';
import { chainOf, described, detector, evidenceOf, finding, possessive, reportValue, shortName, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
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

/**
 * The certificate names some other host than the one its clients dial — issued for the
 * pod's own name, or for the old service name after a rename. A client that checks the
 * server's identity (RFC 9110 §4.3.4, RFC 6125) refuses it after an otherwise sound
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
    reported(f) {
      const w = witnesses(f, signal)[0];
      if (!w) return undefined;
      const leaf = chainOf(f.serverCert)[0];
      const names = leaf?.subjectAltNames ?? [];
      // The name it dialled is on the wire: the SNI of its ClientHello (RFC 6066 §3).
      const dialled = f.clientHello?.serverName;
      const proof = f.serverCert && leaf ? evidenceOf(f.serverCert, 'subjectAltName', names.join(', ')) : reportValue(w);
      const asked = dialled ? `dialled ${dialled} (the SNI of its ClientHello)` : `dialled ${f.service}`;
      return finding('wrong-san', detector(w, 'client'), proof,
        `${f.client} ${asked}, but ${possessive(f.service)} certificate ${shortName(leaf?.subject)} names only ${names.join(', ') || 'no host at all'}: ${f.client} refused it as another host's (${described(w)})`);
    },
  },
  wording: {
    // OpenSSL checks names only when asked (s_client -verify_hostname); Node, Go and curl always do.
    openssl: { detector: 'verify error:num=62:hostname mismatch (with -verify_hostname <name>)', version: 'OpenSSL 3.0' },
    curl: { detector: "curl: (60) SSL: no alternative certificate subject name matches target host name '…'", version: 'curl 7.88 (OpenSSL 3.0)' },
    node: { detector: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: … is not in the cert's altnames: …", version: 'Node 20' },
    go: { detector: 'tls: failed to verify certificate: x509: certificate is valid for …, not …', version: 'Go 1.21+', source: 'crypto/x509 verify.go (HostnameError)' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED (a SAN matcher in the validation context that matches none)', version: 'Envoy 1.28', source: 'source/common/tls/cert_validator/default_validator.cc' },
  },
  apply(spec, target, { san = [`dns:${target}.internal`] }) {
    const next = cloneSpec(spec);
    next.pki[target]!.san = [...san];
    return next;
  },
};
