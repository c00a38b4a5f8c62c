/**
 * Alert (RFC 8446 §6, RFC 5246 §7.2) and ChangeCipherSpec (RFC 5246 §7.1, RFC 8446 §5)
 * records: tiny, but the alert is usually the one message that says *why* a handshake died.
 */
import { alertDescriptionName, alertLevelName } from './codepoints.js';
import { field, readInt, type Field } from './field.js';
import { DecodeError, Reader } from './reader.js';

export interface AlertInfo {
  level: string;
  description: string;
  code: number;
}

/** What each alert usually means in an mTLS lab, in a learner's words. */
const hints = new Map<number, string>([
  [0, 'an orderly close: the sender will write no more'],
  [10, 'a message arrived that the state machine did not expect'],
  [20, 'a record failed its integrity check (wrong keys or tampering)'],
  [40, 'no acceptable set of parameters: nothing in common'],
  [42, 'the peer\'s certificate was corrupt or its signature did not verify'],
  [43, 'the certificate is of a type the peer does not support'],
  [44, 'the certificate was revoked by its issuer'],
  [45, 'the certificate has expired or is not yet valid'],
  [46, 'the certificate was rejected for another reason (often: wrong key usage or EKU)'],
  [47, 'a field in a handshake message was out of range'],
  [48, 'the certificate chain does not lead to a CA the peer trusts'],
  [49, 'the certificate was valid but access was denied by policy'],
  [50, 'a message could not be decoded'],
  [51, 'a signature or Finished check failed'],
  [70, 'the peer does not support the offered TLS version'],
  [71, 'the parameters offered are too weak for the peer'],
  [80, 'the peer hit an internal error unrelated to the protocol'],
  [86, 'a version fallback the peer considers an attack'],
  [90, 'the handshake was cancelled by the user'],
  [109, 'a required extension was missing'],
  [110, 'an extension appeared where it is not allowed'],
  [112, 'the server has no certificate for the requested name (SNI)'],
  [113, 'an invalid OCSP response was stapled'],
  [115, 'no acceptable PSK identity'],
  [116, 'the server requires a client certificate and none was sent'],
  [120, 'no application protocol (ALPN) in common'],
]);

export function parseAlerts(fragment: Uint8Array): { fields: Field[]; alerts: AlertInfo[] } {
  const r = new Reader(fragment, 'Alert');
  if (fragment.length === 0) throw new DecodeError('missing-data', 'Alert', '0 bytes left, 2 needed');
  const fields: Field[] = [];
  const alerts: AlertInfo[] = [];
  while (!r.atEnd) {
    const start = r.offset;
    const level = readInt(r, 1, 'level', 'warning (1) or fatal (2); in TLS 1.3 every alert but close_notify and user_canceled is fatal.', alertLevelName, 'RFC 8446 §6');
    const description = readInt(r, 1, 'description', hints.get(fragment[start + 1] ?? -1) ?? 'an alert code this decoder does not know', alertDescriptionName, 'RFC 8446 §6');
    const info = { level: alertLevelName(level.value), description: alertDescriptionName(description.value), code: description.value };
    alerts.push(info);
    fields.push(field('Alert', `${info.level} alert: ${hints.get(info.code) ?? info.description}.`, start, r.offset, { value: `${info.level} ${info.description}`, rfc: 'RFC 8446 §6', children: [level.field, description.field] }));
  }
  return { fields, alerts };
}

export function alertHint(code: number): string | undefined {
  return hints.get(code);
}

export function parseChangeCipherSpec(fragment: Uint8Array): Field[] {
  const r = new Reader(fragment, 'ChangeCipherSpec');
  const type = readInt(r, 1, 'type', 'Always 1. In TLS 1.2: "my next records are encrypted". In TLS 1.3: a no-op sent only to calm middleboxes.', (v) => (v === 1 ? 'change_cipher_spec' : `unknown (${v})`), 'RFC 5246 §7.1');
  if (type.value !== 1) throw new DecodeError('illegal-value', 'ChangeCipherSpec.type', `${type.value} is not 1`);
  r.expectEnd();
  return [type.field];
}
