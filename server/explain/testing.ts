/**
 * For tests only: decoded messages built by hand in the decoder's own shapes (the field
 * names connectionDecoder and handshake.ts produce), so notes and verdicts can be tested
 * without a sandbox.
 */
import type { ProcessEvent } from '../runtime/index.js';
import type { DecodedMessage } from '../wire/connectionDecoder.js';
import { field, type Field } from '../wire/field.js';
import type { DecodedInput } from './buildTrace.js';

export interface CertSpec {
  subject: string;
  issuer: string;
  notBefore?: string;
  notAfter?: string;
  san?: string[];
  sha256?: string;
}

const at = (t: number) => ({ t, encrypted: true });

function certField(i: number, cert: CertSpec): Field {
  const children = [
    field('subject', 'subject', 0, 0, { value: cert.subject }),
    field('issuer', 'issuer', 0, 0, { value: cert.issuer }),
    ...(cert.san ? [field('subjectAltName', 'SAN', 0, 0, { value: cert.san.join(', ') })] : []),
    field('notBefore', 'notBefore', 0, 0, { value: cert.notBefore ?? '2026-01-01T00:00:00.000Z' }),
    field('notAfter', 'notAfter', 0, 0, { value: cert.notAfter ?? '2027-01-01T00:00:00.000Z' }),
    ...(cert.sha256 ? [field('sha256', 'SHA-256', 0, 0, { value: cert.sha256 })] : []),
  ];
  const cf = field(i === 0 ? 'end_entity' : `chain[${i}]`, 'certificate', 0, 0, { value: cert.subject, children });
  return field('CertificateEntry', 'entry', 0, 0, { value: cert.subject, children: [cf] });
}

export function certificate(dir: 'c2s' | 's2c', t: number, certs: CertSpec[]): DecodedMessage {
  const list = field('certificate_list', 'chain', 0, 0, { value: `${certs.length} certificates`, children: certs.map((c, i) => certField(i, c)) });
  return { dir, ...at(t), layer: 'handshake', type: 'Certificate', fields: [list], summary: certs.length ? `Certificate: ${certs[0]!.subject}` : 'Certificate: empty (no certificate sent)' };
}

export function certificateRequest(t: number, cas: string[]): DecodedMessage {
  const names = cas.map((ca) => field('DistinguishedName', 'CA', 0, 0, { value: ca }));
  const ext = field('certificate_authorities', 'CAs', 0, 0, { children: [field('authorities', 'CAs', 0, 0, { children: names })] });
  return { dir: 's2c', ...at(t), layer: 'handshake', type: 'CertificateRequest', fields: [field('extensions', 'ext', 0, 0, { children: [ext] })], summary: 'CertificateRequest' };
}

export function handshake(type: string, dir: 'c2s' | 's2c', t: number, summary = `${type}: …`): DecodedMessage {
  return { dir, t, encrypted: type !== 'ClientHello' && type !== 'ServerHello', layer: 'handshake', type, fields: [], summary };
}

export function alert(dir: 'c2s' | 's2c', t: number, code: number, description: string, level = 'fatal'): DecodedMessage {
  return { dir, ...at(t), layer: 'alert', type: 'alert', fields: [], summary: `${level} alert: ${description} (${code})`, alert: { level, description, code } };
}

export function applicationData(dir: 'c2s' | 's2c', t: number, firstLine: string, bytes = 70): DecodedMessage {
  return { dir, ...at(t), layer: 'application', type: 'application_data', fields: [], summary: `application data, ${bytes} bytes: "${firstLine}"`, bytes: new Uint8Array(bytes) };
}

export function plaintext(dir: 'c2s' | 's2c', t: number, firstLine: string): DecodedMessage {
  return {
    dir, t, encrypted: false, layer: 'plaintext', type: 'plaintext',
    fields: [field('first_line', 'first line', 0, firstLine.length, { value: firstLine })],
    summary: `plaintext on a TLS port (${firstLine.length} bytes): "${firstLine}"`,
  };
}

/** A TLS 1.3 handshake up to the server's Finished, with a CertificateRequest listing `cas`. */
export function serverFlight(t: number, cas: string[], serverChain: CertSpec[]): DecodedMessage[] {
  return [
    handshake('ClientHello', 'c2s', t, 'ClientHello: SNI auth.corp.test, offers TLS 1.3'),
    handshake('ServerHello', 's2c', t + 1000, 'ServerHello: TLS 1.3, TLS_AES_128_GCM_SHA256'),
    handshake('EncryptedExtensions', 's2c', t + 1000),
    certificateRequest(t + 1000, cas),
    certificate('s2c', t + 1000, serverChain),
    handshake('CertificateVerify', 's2c', t + 1000),
    handshake('Finished', 's2c', t + 1000),
  ];
}

/** A connection opened at µs 0, wall clock `openedAt`, with these messages. */
export function connection(
  id: number,
  messages: DecodedMessage[],
  options: { openedAt?: string; closeReason?: 'end' | 'reset'; closedAt?: number; service?: string } = {},
): DecodedInput {
  const closedAt = options.closedAt ?? (messages.at(-1)?.t ?? 0) + 5000;
  return {
    connection: {
      id,
      service: options.service ?? 'auth',
      clientPort: 40000 + id,
      openedAt: 0,
      openedAtMs: Date.parse(options.openedAt ?? '2026-06-01T12:00:00.000Z'),
      closedAt,
      closeReason: options.closeReason ?? 'end',
      droppedBytes: 0,
    },
    decoded: { version: 'TLS 1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', messages, errors: [] },
  };
}

export function report(kind: ProcessEvent['kind'], role: ProcessEvent['role'], name: string, t: number, connection: number | undefined, code: string, message: string): ProcessEvent {
  return { t, role, name, kind, code, message, ...(connection !== undefined ? { connection } : {}) };
}

export const corp = {
  root: 'O=mtls-lab, CN=Corp Root CA',
  issuing: 'O=mtls-lab, CN=Corp Issuing CA 1',
  server: { subject: 'O=mtls-lab, CN=auth-server', issuer: 'O=mtls-lab, CN=Corp Issuing CA 1', san: ['dns:auth.corp.test'] },
  intermediate: { subject: 'O=mtls-lab, CN=Corp Issuing CA 1', issuer: 'O=mtls-lab, CN=Corp Root CA' },
  client: { subject: 'O=mtls-lab, CN=payments-client', issuer: 'O=mtls-lab, CN=Corp Issuing CA 1', san: ['url:spiffe://corp.test/ns/pay/sa/payments'] },
};
