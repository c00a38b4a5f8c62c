/**
 * The one table of TLS alerts (RFC 8446 §6, RFC 5246 §7.2 AlertDescription): each code's
 * name, and what it means in an mTLS lab in a learner's words. It lives in the faults room,
 * the leftmost that needs it, so runtime (an error naming a received alert), wire (the
 * decoder's field labels) and explain (notes, verdicts) read the same one.
 *
 * OpenSSL turns a received alert into an error whose reason names it
 * (`SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED` → Node's code `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`)
 * and whose text ends in `SSL alert number 116`. Only those errors prove an alert: a reset or
 * a timeout proves none.
 */

export interface AlertEntry {
  name: string;
  /** What it usually means in an mTLS lab; absent for codes a lab never meets. */
  note?: string;
  /**
   * The protocol OpenSSL files it under when it receives it: the prefix of the error reason
   * (`sslv3 alert certificate expired`, `SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED`; ssl/ssl_err.c),
   * which Node's code (`ERR_SSL_SSLV3_ALERT_…`) and Python's (`[SSL: SSLV3_ALERT_…]`) repeat.
   */
  openssl?: 'sslv3' | 'tlsv1' | 'tlsv13';
  /** How Go's crypto/tls words receiving it: `remote error: tls: <go>` (crypto/tls alert.go alertText). */
  go?: string;
}

export const alerts: ReadonlyMap<number, AlertEntry> = new Map<number, AlertEntry>([
  [0, { name: 'close_notify', note: 'an orderly close: the sender will write no more' }],
  [10, { name: 'unexpected_message', note: 'a message arrived that the state machine did not expect' }],
  [20, { name: 'bad_record_mac', note: 'a record failed its integrity check (wrong keys or tampering)' }],
  [21, { name: 'decryption_failed' }],
  [22, { name: 'record_overflow' }],
  [30, { name: 'decompression_failure' }],
  [40, { name: 'handshake_failure', note: 'no acceptable set of parameters: nothing in common', openssl: 'sslv3' }],
  [41, { name: 'no_certificate' }],
  // A catch-all: OpenSSL sends it for a certificate not yet valid (ssl/statem/statem_lib.c
  // ssl_x509err2alert); Go for every verify failure but an unknown CA (48) or a date (45)
  // (crypto/tls handshake_server.go processCertsFromClient, Go 1.21+), and older Go for all.
  [42, { name: 'bad_certificate', note: 'the peer refused the certificate without naming a precise reason: a catch-all (OpenSSL: not yet valid; Go: most verify failures)', openssl: 'sslv3', go: 'bad certificate' }],
  // OpenSSL maps X509_V_ERR_INVALID_PURPOSE (a wrong extended key usage) here.
  [43, { name: 'unsupported_certificate', note: 'the certificate may not be used for this role: usually its extended key usage (clientAuth, serverAuth)', openssl: 'sslv3', go: 'unsupported certificate' }],
  [44, { name: 'certificate_revoked', note: 'the certificate was revoked by its issuer', openssl: 'sslv3', go: 'revoked certificate' }],
  [45, { name: 'certificate_expired', note: 'the certificate has expired (Go 1.21+ sends it for one not yet valid too; OpenSSL sends bad_certificate for that)', openssl: 'sslv3', go: 'expired certificate' }],
  // OpenSSL's answer to a verify error it has no other alert for; Envoy's when a SAN matcher
  // matches nothing (default_validator.cc). A wrong EKU is 43, not this.
  [46, { name: 'certificate_unknown', note: 'the certificate was refused for a reason outside the other alerts (Envoy: no SAN matched its matcher)', openssl: 'sslv3', go: 'unknown certificate' }],
  [47, { name: 'illegal_parameter', note: 'a field in a handshake message was out of range', openssl: 'sslv3' }],
  [48, { name: 'unknown_ca', note: 'the certificate chain does not lead to a CA the peer trusts — or an intermediate is missing, which looks the same', openssl: 'tlsv1', go: 'unknown certificate authority' }],
  [49, { name: 'access_denied', note: 'the certificate was valid but access was denied by policy', openssl: 'tlsv1' }],
  [50, { name: 'decode_error', note: 'a message could not be decoded', openssl: 'tlsv1' }],
  [51, { name: 'decrypt_error', note: 'a signature or Finished check failed', openssl: 'tlsv1' }],
  [60, { name: 'export_restriction' }],
  [70, { name: 'protocol_version', note: 'the peer does not support the offered TLS version', openssl: 'tlsv1' }],
  [71, { name: 'insufficient_security', note: 'the parameters offered are too weak for the peer', openssl: 'tlsv1' }],
  [80, { name: 'internal_error', note: 'the peer hit an internal error unrelated to the protocol', openssl: 'tlsv1' }],
  [86, { name: 'inappropriate_fallback', note: 'a version fallback the peer considers an attack', openssl: 'tlsv1' }],
  [90, { name: 'user_canceled', note: 'the handshake was cancelled by the user' }],
  [100, { name: 'no_renegotiation' }],
  [109, { name: 'missing_extension', note: 'a required extension was missing' }],
  [110, { name: 'unsupported_extension', note: 'an extension appeared where it is not allowed' }],
  [111, { name: 'certificate_unobtainable' }],
  [112, { name: 'unrecognized_name', note: 'the server has no certificate for the requested name (SNI)', openssl: 'tlsv1' }],
  [113, { name: 'bad_certificate_status_response', note: 'an invalid OCSP response was stapled' }],
  [114, { name: 'bad_certificate_hash_value' }],
  [115, { name: 'unknown_psk_identity', note: 'no acceptable PSK identity' }],
  [116, { name: 'certificate_required', note: 'the server requires a client certificate and none was sent', openssl: 'tlsv13', go: 'certificate required' }],
  [120, { name: 'no_application_protocol', note: 'no application protocol (ALPN) in common', openssl: 'tlsv1' }],
  [121, { name: 'ech_required' }],
]);

/**
 * How OpenSSL words receiving alert `code`: `sslv3 alert certificate expired`, as s_client,
 * curl, Node and Python print it.
 */
export function opensslAlertReason(code: number): string {
  const entry = alerts.get(code);
  if (!entry?.openssl) throw new RangeError(`alert ${code} has no OpenSSL reason in the alert table`);
  return `${entry.openssl} alert ${entry.name.replaceAll('_', ' ')}`;
}

/** How BoringSSL (Envoy) names receiving alert `code`: OpenSSL's reason, with TLS 1.3's alerts filed under TLSV1. */
export function boringsslAlertReason(code: number): string {
  return opensslAlertReason(code).replace(/^tlsv13 /, 'tlsv1 ').replace(/ alert /, '_alert_').replaceAll(' ', '_').toUpperCase();
}

/** How Go words receiving alert `code`. */
export function goAlertText(code: number): string {
  const text = alerts.get(code)?.go;
  if (text === undefined) throw new RangeError(`alert ${code} has no Go wording in the alert table`);
  return `remote error: tls: ${text}`;
}

/** Code → name, for the decoder's codepoint tables. */
export const alertNames: ReadonlyMap<number, string> = new Map([...alerts].map(([code, { name }]) => [code, name]));

const numbersByName = new Map([...alerts].map(([code, { name }]) => [name, code]));

/** What an alert usually means, in a learner's words. */
export function alertNote(code: number): string | undefined {
  return alerts.get(code)?.note;
}

/** `certificate_required (116)`; an unknown code survives as `unknown (0xNN)`. */
export function formatAlert(number: number): string {
  const name = alertNames.get(number);
  return name === undefined ? `unknown (0x${number.toString(16).padStart(2, '0')}) (${number})` : `${name} (${number})`;
}

/** The number of an alert an OpenSSL-derived error reports having received, or undefined. */
export function alertNumberFromError(code: string, message = ''): number | undefined {
  // The number is the most reliable: OpenSSL appends it to every received-alert error.
  const numbered = /SSL alert number (\d+)/.exec(message);
  if (numbered) return Number(numbered[1]);
  // OpenSSL's reason names: SSLV3_ALERT_*, TLSV1_ALERT_*, TLSV13_ALERT_* (ssl/ssl_err.c).
  const named = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code);
  return named ? numbersByName.get(named[1]!.toLowerCase()) : undefined;
}

/**
 * The alert an OpenSSL-derived error reports having received, or undefined.
 * `ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED` (… `SSL alert number 45`) → `certificate_expired (45)`.
 */
export function alertFromError(code: string, message = ''): string | undefined {
  const number = alertNumberFromError(code, message);
  if (number !== undefined) return formatAlert(number);
  const named = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code);
  return named ? `${named[1]!.toLowerCase()} (?)` : undefined;
}
