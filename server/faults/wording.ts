/**
 * How the OpenSSL family words a root cause. `openssl s_client`/`s_server`, curl, Node and
 * Python's `ssl` all run OpenSSL 3.0 on this machine, so each prints the same two facts —
 * the verify error the detecting side hit (X509_V_ERR_*: a number, Node's code, a text;
 * crypto/x509/x509_txt.c) and the alert it sent (ssl/statem ssl_x509err2alert) — in its own
 * frame. The facts live in each root cause's signal; the frames live here, once.
 * test/integration/wording.test.ts runs each tool against a sandbox with the fault and matches
 * what it printed against these strings (`…` stands for what varies: addresses, hex codes).
 */
import { boringsslAlertReason, goAlertText, opensslAlertReason } from './alerts.js';
import type { VerifyError } from './facts.js';
import type { StackWordings, Wording } from './rootCause.js';

/** The versions the frames below were checked against (`openssl version`, `curl --version`, `node -v`, `python3 -c 'import ssl'`). */
export const opensslFamilyVersions = {
  openssl: 'OpenSSL 3.0',
  curl: 'curl 7.88 (OpenSSL 3.0)',
  node: 'Node 20 (OpenSSL 3.0)',
  python: 'Python 3.11 ssl (OpenSSL 3.0)',
} as const;

export interface DetectedBy {
  /** The verify error the detecting side reports. */
  verify?: VerifyError;
  /** The alert it sends its peer, which the peer prints. */
  alert?: number;
}

const join = (detector: string | undefined, peer: string | undefined, version: string): Wording => ({
  ...(detector !== undefined ? { detector } : {}),
  ...(peer !== undefined ? { peer } : {}),
  version,
});

/**
 * s_client, curl, Node and Python for a failure detected as `detected` says. curl is only ever
 * a client, so its detector line is the client's verify error; exit 60 is a verify failure,
 * 56 a failure on receiving (the peer's alert, after the TLS 1.3 handshake).
 */
export function opensslFamily({ verify, alert }: DetectedBy): StackWordings {
  const peer = alert === undefined ? undefined : peerWords(alert, 56);
  return {
    openssl: join(verify && `verify error:num=${verify.num}:${verify.text}`, peer?.openssl, opensslFamilyVersions.openssl),
    curl: join(verify && `curl: (60) SSL certificate problem: ${verify.text}`, peer?.curl, opensslFamilyVersions.curl),
    node: join(verify && `${verify.code}: ${verify.text}`, peer?.node, opensslFamilyVersions.node),
    python: join(verify && `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verify.text}`, peer?.python, opensslFamilyVersions.python),
  };
}

/**
 * How each of the family prints receiving `alert`. curl's exit code says when: 56 on a read
 * after the handshake (a TLS 1.3 server's verdict on the client certificate), 35 during it.
 */
function peerWords(alert: number, curlExit: 35 | 56): Record<'openssl' | 'curl' | 'node' | 'python', string> {
  const reason = opensslAlertReason(alert);
  const upper = reason.replace(/ alert /, '_alert_').replaceAll(' ', '_').toUpperCase();
  return { openssl: `${reason} … SSL alert number ${alert}`, curl: `curl: (${curlExit}) … ${reason}`, node: `ERR_SSL_${upper}`, python: `[SSL: ${upper}] ${reason}` };
}

/** `wordings` with what the family's peers print when, under TLS 1.2, the refusal is `alert` during the handshake. */
export function underTls12(wordings: StackWordings, alert: number): StackWordings {
  const peer = peerWords(alert, 35);
  const out: StackWordings = { ...wordings };
  for (const stack of ['openssl', 'curl', 'node', 'python'] as const) {
    const wording = wordings[stack];
    if (wording) out[stack] = { ...wording, tls12: peer[stack] };
  }
  return out;
}

/** The four local stacks' detector lines written out, where no shared frame fits (each checks a name its own way). */
export function detectedAs(detectors: Record<keyof typeof opensslFamilyVersions, string>): StackWordings {
  const out: StackWordings = {};
  for (const stack of Object.keys(opensslFamilyVersions) as Array<keyof typeof opensslFamilyVersions>) {
    out[stack] = { detector: detectors[stack], version: opensslFamilyVersions[stack] };
  }
  return out;
}

/**
 * Go's frame: crypto/x509's error under crypto/tls's "failed to verify certificate", and the
 * peer's words for the alert a Go 1.21+ verifier sends (crypto/tls handshake_server.go
 * processCertsFromClient, handshake_client.go verifyServerCertificate: unknown_ca for
 * UnknownAuthorityError, certificate_expired for x509.Expired, bad_certificate otherwise).
 * Go cannot run here: `source` names where the x509 text comes from.
 */
export function goWording({ x509, alert, source }: { x509: string; alert: number; source: string }): Wording {
  return { detector: `tls: failed to verify certificate: x509: ${x509}`, peer: goAlertText(alert), version: 'Go 1.21+', source };
}

/**
 * Envoy's frame (BoringSSL): its default validator logs the verify failure and the handshake
 * ends with CERTIFICATE_VERIFY_FAILED; the peer's TLS_error names the alert BoringSSL's way.
 */
export function envoyWording({ alert, detail }: { alert: number; detail?: string }): Wording {
  return {
    detector: `TLS error: … CERTIFICATE_VERIFY_FAILED${detail ? ` (${detail})` : ''}`,
    peer: `TLS error: … ${boringsslAlertReason(alert)}`,
    version: 'Envoy 1.28 (BoringSSL)',
    source: 'source/common/tls/cert_validator/default_validator.cc, source/common/tls/ssl_socket.cc',
  };
}
