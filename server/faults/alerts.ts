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
}

export const alerts: ReadonlyMap<number, AlertEntry> = new Map<number, AlertEntry>([
  [0, { name: 'close_notify', note: 'an orderly close: the sender will write no more' }],
  [10, { name: 'unexpected_message', note: 'a message arrived that the state machine did not expect' }],
  [20, { name: 'bad_record_mac', note: 'a record failed its integrity check (wrong keys or tampering)' }],
  [21, { name: 'decryption_failed' }],
  [22, { name: 'record_overflow' }],
  [30, { name: 'decompression_failure' }],
  [40, { name: 'handshake_failure', note: 'no acceptable set of parameters: nothing in common' }],
  [41, { name: 'no_certificate' }],
  [42, { name: 'bad_certificate', note: 'the peer\'s certificate was corrupt or its signature did not verify' }],
  [43, { name: 'unsupported_certificate', note: 'the certificate is of a type the peer does not support' }],
  [44, { name: 'certificate_revoked', note: 'the certificate was revoked by its issuer' }],
  [45, { name: 'certificate_expired', note: 'the certificate has expired or is not yet valid' }],
  [46, { name: 'certificate_unknown', note: 'the certificate was rejected for another reason (often: wrong key usage or EKU)' }],
  [47, { name: 'illegal_parameter', note: 'a field in a handshake message was out of range' }],
  [48, { name: 'unknown_ca', note: 'the certificate chain does not lead to a CA the peer trusts' }],
  [49, { name: 'access_denied', note: 'the certificate was valid but access was denied by policy' }],
  [50, { name: 'decode_error', note: 'a message could not be decoded' }],
  [51, { name: 'decrypt_error', note: 'a signature or Finished check failed' }],
  [60, { name: 'export_restriction' }],
  [70, { name: 'protocol_version', note: 'the peer does not support the offered TLS version' }],
  [71, { name: 'insufficient_security', note: 'the parameters offered are too weak for the peer' }],
  [80, { name: 'internal_error', note: 'the peer hit an internal error unrelated to the protocol' }],
  [86, { name: 'inappropriate_fallback', note: 'a version fallback the peer considers an attack' }],
  [90, { name: 'user_canceled', note: 'the handshake was cancelled by the user' }],
  [100, { name: 'no_renegotiation' }],
  [109, { name: 'missing_extension', note: 'a required extension was missing' }],
  [110, { name: 'unsupported_extension', note: 'an extension appeared where it is not allowed' }],
  [111, { name: 'certificate_unobtainable' }],
  [112, { name: 'unrecognized_name', note: 'the server has no certificate for the requested name (SNI)' }],
  [113, { name: 'bad_certificate_status_response', note: 'an invalid OCSP response was stapled' }],
  [114, { name: 'bad_certificate_hash_value' }],
  [115, { name: 'unknown_psk_identity', note: 'no acceptable PSK identity' }],
  [116, { name: 'certificate_required', note: 'the server requires a client certificate and none was sent' }],
  [120, { name: 'no_application_protocol', note: 'no application protocol (ALPN) in common' }],
  [121, { name: 'ech_required' }],
]);

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
