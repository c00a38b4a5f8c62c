/**
 * How each TLS stack words the same root cause — the lesson that one failure has many
 * faces, and that the side which *detects* a problem prints a verify error while its peer
 * only sees an alert. Real strings, from each project's own sources and error tables
 * (OpenSSL's X509_V_ERR_* texts, curl's CURLE_* codes, Node's ERR_* codes, Go's crypto/tls
 * and crypto/x509 messages, Envoy's BoringSSL reason strings). Data only; verdict.ts attaches
 * the entry of a verdict's root cause.
 */
export type Stack = 'openssl' | 'curl' | 'node' | 'go' | 'envoy';

export interface Wording {
  /** What the side that detected the problem prints; absent for a stack that only ever sees the peer's alert (curl is only a client). */
  detector?: string;
  /** What its peer sees, when that differs (usually an alert). */
  peer?: string;
}

export type StackWordings = Partial<Record<Stack, Wording>>;

export const stackWording: Readonly<Record<string, StackWordings>> = {
  'expired-cert': {
    openssl: { detector: 'verify error:num=10:certificate has expired', peer: 'sslv3 alert certificate expired … SSL alert number 45' },
    curl: { detector: 'curl: (60) SSL certificate problem: certificate has expired', peer: 'curl: (56) … sslv3 alert certificate expired' },
    node: { detector: 'CERT_HAS_EXPIRED: certificate has expired', peer: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED' },
    // Go's server sends certificate_expired (45) for an expired client certificate (crypto/tls
    // handshake_server.go); its client names that alert "expired certificate". Older Go sent
    // bad_certificate, the "tls: bad certificate" of the 3 AM incident.
    go: { detector: 'x509: certificate has expired or is not yet valid: current time … is after …', peer: 'remote error: tls: expired certificate' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_CERTIFICATE_EXPIRED' },
  },
  'not-yet-valid': {
    openssl: { detector: 'verify error:num=9:certificate is not yet valid' },
    curl: { detector: 'curl: (60) SSL certificate problem: certificate is not yet valid' },
    node: { detector: 'CERT_NOT_YET_VALID: certificate is not yet valid' },
    go: { detector: 'x509: certificate has expired or is not yet valid: current time … is before …' },
  },
  'revoked-cert': {
    openssl: { detector: 'verify error:num=23:certificate revoked', peer: 'sslv3 alert certificate revoked … SSL alert number 44' },
    curl: { detector: 'curl: (60) SSL certificate problem: certificate revoked', peer: 'curl: (56) … sslv3 alert certificate revoked' },
    node: { detector: 'CERT_REVOKED: certificate revoked', peer: 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED' },
    // Go's crypto/x509 does not read CRLs while verifying; revocation is the application's check.
    go: { detector: 'no built-in CRL check: a VerifyPeerCertificate callback returns the error it chooses', peer: 'remote error: tls: revoked certificate' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED (with a crl in the validation context)', peer: 'SSLV3_ALERT_CERTIFICATE_REVOKED' },
  },
  'missing-intermediate': {
    openssl: { detector: 'verify error:num=21:unable to verify the first certificate' },
    curl: { detector: 'curl: (60) SSL certificate problem: unable to verify the first certificate' },
    node: { detector: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate' },
    go: { detector: 'tls: failed to verify certificate: x509: certificate signed by unknown authority' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED' },
  },
  'wrong-ca': {
    openssl: { detector: 'verify error:num=20:unable to get local issuer certificate', peer: 'tlsv1 alert unknown ca … SSL alert number 48' },
    curl: { detector: 'curl: (60) SSL certificate problem: unable to get local issuer certificate', peer: 'curl: (56) … tlsv1 alert unknown ca' },
    node: { detector: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate', peer: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' },
    go: { detector: 'tls: failed to verify certificate: x509: certificate signed by unknown authority', peer: 'remote error: tls: unknown certificate authority' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_CERTIFICATE_UNKNOWN' },
  },
  'wrong-eku': {
    openssl: { detector: 'verify error:num=26:unsuitable certificate purpose (OpenSSL 1.1: "unsupported certificate purpose")', peer: 'sslv3 alert unsupported certificate … SSL alert number 43' },
    curl: { detector: 'curl: (60) SSL certificate problem: unsuitable certificate purpose', peer: 'curl: (56) … sslv3 alert unsupported certificate' },
    node: { detector: 'INVALID_PURPOSE: unsuitable certificate purpose', peer: 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE' },
    go: { detector: 'tls: failed to verify certificate: x509: certificate specifies an incompatible key usage', peer: 'remote error: tls: unsupported certificate' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED', peer: 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE' },
  },
  'wrong-san': {
    // OpenSSL checks names only when asked (s_client -verify_hostname); Node, Go and curl always do.
    openssl: { detector: 'verify error:num=62:hostname mismatch (with -verify_hostname <name>)' },
    curl: { detector: "curl: (60) SSL: no alternative certificate subject name matches target host name '…'" },
    node: { detector: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: Host: … is not in the cert's altnames: …" },
    go: { detector: 'tls: failed to verify certificate: x509: certificate is valid for …, not …' },
    envoy: { detector: 'TLS error: … CERTIFICATE_VERIFY_FAILED (a SAN matcher in the validation context that matches none)' },
  },
  'permissive-mode': {
    // A TLS server reading "GET / HTTP/1.1" fails with SSL_R_HTTP_REQUEST ("http request");
    // a TLS client reading an HTTP answer fails with "wrong version number".
    openssl: { detector: 'strict port: SSL routines::http request; s_client against a plaintext port: wrong version number' },
    curl: { detector: 'permissive: HTTP 200 over plain http://; strict: curl: (52) Empty reply from server' },
    node: { detector: 'strict: ERR_SSL_HTTP_REQUEST (the server saw an HTTP request where a ClientHello belongs)' },
    go: { detector: 'tls: first record does not look like a TLS handshake' },
    envoy: { detector: 'PERMISSIVE: the plaintext filter chain serves it; STRICT: connection reset by peer' },
  },
  'optional-client-auth': {
    // Nothing fails, so no stack reports it: the policy says it.
    openssl: { detector: 's_server -verify (optional) instead of -Verify (required)' },
    curl: { detector: 'without --cert: HTTP 200, where a required client certificate gives curl: (56) … certificate required' },
    node: { detector: 'tls.createServer({ requestCert: true, rejectUnauthorized: false }): the socket is served with authorized === false' },
    go: { detector: 'tls.Config{ ClientAuth: tls.VerifyClientCertIfGiven } instead of RequireAndVerifyClientCert' },
    envoy: { detector: 'require_client_certificate: false in the DownstreamTlsContext' },
  },
  'exhausted-pool': {
    node: { detector: 'ETIMEDOUT / socket hang up; a p99 far above the handler time' },
    go: { detector: 'context deadline exceeded' },
    envoy: { detector: 'upstream connect error or disconnect/reset before headers. reset reason: overflow (503 UO)' },
  },
  'missing-client-cert': {
    openssl: { detector: 'peer did not return a certificate', peer: 'tlsv13 alert certificate required … SSL alert number 116' },
    curl: { peer: 'curl: (56) … tlsv13 alert certificate required' },
    node: { detector: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', peer: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' },
    go: { detector: "tls: client didn't provide a certificate", peer: 'remote error: tls: certificate required' },
    envoy: { detector: 'STRICT, caller without a sidecar: connection reset by peer', peer: 'curl: (52) Empty reply from server' },
  },
};
