import { chainOf, described, detector, evidenceOf, finding, possessive, shortName, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, presentingService, type Fault } from './fault.js';
import { noParams } from './params.js';
import { goAlertText } from './alerts.js';
import { envoyWording, opensslFamilyVersions } from './wording.js';

/** How a name check that ignores the CN refuses a certificate with no DNS SAN. */
const signal: Signal = {
  alerts: [],
  verifyErrors: [{ num: 62, code: 'ERR_TLS_CERT_ALTNAME_INVALID', text: 'hostname mismatch' }],
  text: /does not contain a DNS name|legacy Common Name field|Hostname mismatch|no alternative certificate subject name/i,
};

/**
 * The server's certificate names its host only in the subject CN, with no subjectAltName —
 * made by a hand-written `openssl req` or an old template. Whether it is accepted depends on
 * the client: OpenSSL's X509_check_host (s_client -verify_hostname, curl, Node, Python) falls
 * back to the CN when no DNS SAN is present; RFC 9525 §6.3 dropped CN matching, Chrome 58 and
 * Go 1.15 refuse it. So an old caller works and a new one, on the same service, does not.
 */
export const cnWithoutSan: Fault = {
  kind: 'cn-without-san',
  title: 'Host named only in the CN, no SAN',
  summary: 'The server certificate has no subjectAltName, only a CN: clients that still fall back to the CN accept it, those that match SANs only (RFC 9525, Go 1.15+) refuse it.',
  target: 'certificate',
  fixes: ['match-san'],
  params: noParams,
  signal,
  rules: {
    /**
     * The server's leaf carries no SAN at all, and a client refused the name (its report), or
     * closed unanswered with no refusal from the server: the client matched SANs only.
     * Before wrong-san, which would read "names no host at all".
     */
    reported(f) {
      const leaf = chainOf(f.serverCert)[0];
      if (!f.serverCert || !leaf || (leaf.subjectAltNames ?? []).length > 0) return undefined;
      const w = witnesses(f, signal)[0];
      const serverRefused = f.alerts.some((a) => a.fatal && a.from === 'server');
      if (!w && (serverRefused || f.answered)) return undefined;
      const dialled = f.clientHello?.serverName ?? f.service;
      const refused = w ? ` (${described(w)})` : ', closing the connection before asking anything';
      return finding('cn-without-san', detector(w, 'client'), evidenceOf(f.serverCert, 'subject', leaf.subject ?? ''),
        `${possessive(f.service)} certificate names ${dialled} only in its subject, ${shortName(leaf.subject)}, and has no subjectAltName: ${f.client} matches SANs only and refused it${refused}; a client that falls back to the CN accepts it`);
    },
  },
  wording: {
    // Each refuses only when told to ignore the CN; by default each accepts the CN.
    openssl: { accepts: 'Verify return code: 0 (ok) — with -verify_hostname too: X509_check_host matches the CN when no DNS SAN is present (no s_client option sets X509_CHECK_FLAG_NEVER_CHECK_SUBJECT)', version: opensslFamilyVersions.openssl },
    curl: { accepts: 'HTTP 200: curl matches the CN when the certificate has no DNS SAN (lib/vtls/openssl.c verifyhost)', version: opensslFamilyVersions.curl },
    node: { detector: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Cert does not contain a DNS name", accepts: 'tls.checkServerIdentity matches the CN when no DNS SAN is present; the words above are its own, called without the CN', version: opensslFamilyVersions.node },
    python: { detector: "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '…'.", accepts: 'accepted while SSLContext.hostname_checks_common_name is True (the default); the words above once it is False', version: opensslFamilyVersions.python },
    go: { detector: 'tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead', peer: goAlertText(42), version: 'Go 1.15+ (GODEBUG x509ignoreCN=0 removed in 1.17)', source: 'crypto/x509 verify.go (HostnameError.Error, validHostname)' },
    // Envoy checks names only with SAN matchers (or auto_sni_san_validation), which read SANs only.
    envoy: envoyWording({ alert: 46, detail: 'no SAN for the validation context\'s matchers' }),
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    const cert = next.pki[target]!;
    cert.san = [];
    cert.commonName = presentingService(spec, 'cn-without-san', target).host;
    return next;
  },
};
