/**
 * Alert (RFC 8446 §6, RFC 5246 §7.2) and ChangeCipherSpec (RFC 5246 §7.1, RFC 8446 §5)
 * records: tiny, but the alert is usually the one message that says *why* a handshake died.
 */
import { alertNote } from '../faults/alerts.js';
import { alertDescriptionName, alertLevelName } from './codepoints.js';
import { field, readInt, type Field } from './field.js';
import { DecodeError, Reader } from './reader.js';

export interface AlertInfo {
  level: string;
  description: string;
  code: number;
}

export function parseAlerts(fragment: Uint8Array): { fields: Field[]; alerts: AlertInfo[] } {
  const r = new Reader(fragment, 'Alert');
  if (fragment.length === 0) throw new DecodeError('missing-data', 'Alert', '0 bytes left, 2 needed');
  const fields: Field[] = [];
  const alerts: AlertInfo[] = [];
  while (!r.atEnd) {
    const start = r.offset;
    const level = readInt(r, 1, 'level', 'warning (1) or fatal (2); in TLS 1.3 every alert but close_notify and user_canceled is fatal.', alertLevelName, 'RFC 8446 §6');
    const description = readInt(r, 1, 'description', alertNote(fragment[start + 1] ?? -1) ?? 'an alert code this decoder does not know', alertDescriptionName, 'RFC 8446 §6');
    const info = { level: alertLevelName(level.value), description: alertDescriptionName(description.value), code: description.value };
    alerts.push(info);
    fields.push(field('Alert', `${info.level} alert: ${alertNote(info.code) ?? info.description}.`, start, r.offset, { value: `${info.level} ${info.description}`, rfc: 'RFC 8446 §6', children: [level.field, description.field] }));
  }
  return { fields, alerts };
}

export function parseChangeCipherSpec(fragment: Uint8Array): Field[] {
  const r = new Reader(fragment, 'ChangeCipherSpec');
  const type = readInt(r, 1, 'type', 'Always 1. In TLS 1.2: "my next records are encrypted". In TLS 1.3: a no-op sent only to calm middleboxes.', (v) => (v === 1 ? 'change_cipher_spec' : `unknown (${v})`), 'RFC 5246 §7.1');
  if (type.value !== 1) throw new DecodeError('illegal-value', 'ChangeCipherSpec.type', `${type.value} is not 1`);
  r.expectEnd();
  return [type.field];
}
