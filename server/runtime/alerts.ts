/**
 * Which TLS alert an error proves was received. OpenSSL turns a received alert into an error
 * whose reason names it (`SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED` → Node's code
 * `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`) and whose text ends in `SSL alert number 116`.
 * Only those errors count: a reset or a timeout proves no alert.
 */

/** RFC 8446 §6 and RFC 5246 §7.2 AlertDescription. */
export const alertNames: ReadonlyMap<number, string> = new Map([
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
  [121, 'ech_required'],
]);

const numbersByName = new Map([...alertNames].map(([number, name]) => [name, number]));

/** `certificate_required (116)`; an unknown code survives as `unknown (0xNN)`. */
export function formatAlert(number: number): string {
  const name = alertNames.get(number);
  return name === undefined ? `unknown (0x${number.toString(16).padStart(2, '0')}) (${number})` : `${name} (${number})`;
}

/**
 * The alert an OpenSSL-derived error reports having received, or undefined.
 * `ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED` (… `SSL alert number 45`) → `certificate_expired (45)`.
 */
export function alertFromError(code: string, message = ''): string | undefined {
  // The number is the most reliable: OpenSSL appends it to every received-alert error.
  const numbered = /SSL alert number (\d+)/.exec(message);
  if (numbered) return formatAlert(Number(numbered[1]));
  // OpenSSL's reason names: SSLV3_ALERT_*, TLSV1_ALERT_*, TLSV13_ALERT_* (ssl/ssl_err.c).
  const named = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code);
  if (!named) return undefined;
  const name = named[1]!.toLowerCase();
  const number = numbersByName.get(name);
  return number === undefined ? `${name} (?)` : formatAlert(number);
}
