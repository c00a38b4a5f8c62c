/**
 * Handshake messages (RFC 8446 §4, RFC 5246 §7.4) into annotated field trees. Each parser
 * reads the body with a bounded cursor and insists the body is consumed exactly, so a
 * mis-sized message is a typed `DecodeError` naming the field, never a silent misread.
 * The shape of several messages depends on the negotiated version (Certificate,
 * CertificateRequest, NewSessionTicket) or key exchange (ServerKeyExchange,
 * ClientKeyExchange): the caller says which.
 */
import {
  certificateTypeName,
  cipherSuiteName,
  compressionMethodName,
  downgradeSentinels,
  handshakeTypeName,
  helloRetryRequestRandom,
  keyUpdateRequestName,
  namedGroupName,
  signatureSchemeName,
  versionName,
} from './codepoints.js';
import { certificateField, type CertificateSummary } from './certificates.js';
import { distinguishedNames, parseExtensions, type ExtensionFacts } from './extensions.js';
import { field, readInt, toHex, type Field } from './field.js';
import { DecodeError, Reader } from './reader.js';

export interface HandshakeContext {
  /** TLS 1.3 forms of Certificate, CertificateRequest and NewSessionTicket (else TLS 1.2). */
  tls13: boolean;
  /** TLS 1.2 key exchange, from the cipher suite: decides the ServerKeyExchange/ClientKeyExchange shape. */
  keyExchange?: 'ECDHE' | 'DHE' | 'RSA';
}

export interface HandshakeFacts {
  random?: Uint8Array;
  sessionId?: Uint8Array;
  cipherSuite?: number;
  cipherSuites?: number[];
  legacyVersion?: number;
  helloRetry?: boolean;
  extensions?: ExtensionFacts;
  certificates?: CertificateSummary[];
  keyUpdateRequested?: boolean;
}

export interface ParsedHandshake {
  /** `ClientHello`, `HelloRetryRequest`, `Certificate`, … */
  type: string;
  fields: Field[];
  summary: string;
  facts: HandshakeFacts;
}

const S = (section: string): string => `RFC 8446 §${section}`;
const T12 = (section: string): string => `RFC 5246 §${section}`;

function bytesField(r: Reader, n: number, name: string, label: string, rfc?: string, max = 32): { bytes: Uint8Array; field: Field } {
  const start = r.offset;
  const bytes = r.bytes(n, name);
  return { bytes, field: field(name, label, start, r.offset, { value: toHex(bytes, max), ...(rfc ? { rfc } : {}) }) };
}

function opaque(r: Reader, prefix: 1 | 2 | 3, name: string, label: string, rfc?: string, max = 32): { bytes: Uint8Array; field: Field } {
  const start = r.offset;
  const v = prefix === 1 ? r.vec8(name) : prefix === 2 ? r.vec16(name) : r.vec24(name);
  const bytes = v.rest();
  const value = bytes.length === 0 ? 'empty' : toHex(bytes, max);
  return { bytes, field: field(name, label, start, r.offset, { value, ...(rfc ? { rfc } : {}) }) };
}

type Body = (r: Reader, ctx: HandshakeContext, facts: HandshakeFacts, name: string) => { fields: Field[]; summary: string; type?: string };

function clientHello(r: Reader, _ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const fields: Field[] = [];
  const version = readInt(r, 2, 'legacy_version', 'Highest version in the TLS 1.2 way; TLS 1.3 clients freeze it at TLS 1.2 and use supported_versions.', versionName, S('4.1.2'));
  facts.legacyVersion = version.value;
  fields.push(version.field);
  const random = bytesField(r, 32, 'random', '32 random bytes; also the key that finds this connection in an SSLKEYLOGFILE.', S('4.1.2'), 64);
  facts.random = random.bytes;
  fields.push(random.field);
  const session = opaque(r, 1, 'legacy_session_id', 'A TLS 1.2 session to resume, or (TLS 1.3) random bytes for middlebox compatibility.', S('4.1.2'));
  facts.sessionId = session.bytes;
  fields.push(session.field);
  const suitesStart = r.offset;
  const suites = r.vec16('cipher_suites');
  const suiteFields: Field[] = [];
  const suiteValues: number[] = [];
  while (!suites.atEnd) {
    const s = readInt(suites, 2, 'cipher_suite', 'A cipher suite the client can use.', cipherSuiteName, S('B.4'));
    suiteValues.push(s.value);
    suiteFields.push(s.field);
  }
  facts.cipherSuites = suiteValues;
  fields.push(field('cipher_suites', 'Cipher suites offered, most preferred first.', suitesStart, r.offset, { value: `${suiteValues.length} suites`, rfc: S('4.1.2'), children: suiteFields }));
  const compStart = r.offset;
  const comp = r.vec8('legacy_compression_methods');
  const methods: string[] = [];
  while (!comp.atEnd) methods.push(compressionMethodName(comp.u8('compression_method')));
  fields.push(field('legacy_compression_methods', 'Compression methods; only "null" is allowed since CRIME.', compStart, r.offset, { value: methods.join(', '), rfc: S('4.1.2') }));
  if (!r.atEnd) {
    const ext = parseExtensions(r, 'ClientHello');
    facts.extensions = ext.facts;
    fields.push(ext.field);
  }
  const e = facts.extensions;
  const parts: string[] = [];
  if (e?.serverName) parts.push(`SNI ${e.serverName}`);
  parts.push(`offers ${(e?.supportedVersions ?? [version.value]).map(versionName).join('/')}`);
  parts.push(`${suiteValues.length} cipher suites`);
  if (e?.keyShareGroups?.length) parts.push(`key share ${e.keyShareGroups.map(namedGroupName).join(', ')}`);
  if (e?.alpn?.length) parts.push(`ALPN ${e.alpn.join(', ')}`);
  return { fields, summary: `ClientHello: ${parts.join(', ')}` };
}

function serverHello(r: Reader, _ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string; type: string } {
  const fields: Field[] = [];
  const version = readInt(r, 2, 'legacy_version', 'TLS 1.2 style version; TLS 1.3 servers put 0x0303 here and the real one in supported_versions.', versionName, S('4.1.3'));
  facts.legacyVersion = version.value;
  fields.push(version.field);
  const start = r.offset;
  const random = r.bytes(32, 'random');
  facts.random = random;
  const randomHex = toHex(random);
  const hrr = randomHex === helloRetryRequestRandom;
  facts.helloRetry = hrr;
  const sentinel = downgradeSentinels.get(randomHex.slice(48));
  fields.push(field('random', hrr
    ? 'The special value SHA-256("HelloRetryRequest"): this ServerHello is a HelloRetryRequest.'
    : sentinel ? `Random; ends with the downgrade sentinel ${sentinel}.` : '32 random bytes from the server.', start, r.offset, { value: randomHex, rfc: S('4.1.3') }));
  const type = hrr ? 'HelloRetryRequest' : 'ServerHello';
  fields.push(opaque(r, 1, 'legacy_session_id_echo', 'Echo of the client\'s session id.', S('4.1.3')).field);
  const suite = readInt(r, 2, 'cipher_suite', 'The cipher suite the server chose from the client\'s list.', cipherSuiteName, S('4.1.3'));
  facts.cipherSuite = suite.value;
  fields.push(suite.field);
  fields.push(readInt(r, 1, 'legacy_compression_method', 'Always null.', compressionMethodName, S('4.1.3')).field);
  if (!r.atEnd) {
    const ext = parseExtensions(r, hrr ? 'HelloRetryRequest' : 'ServerHello');
    facts.extensions = ext.facts;
    fields.push(ext.field);
  }
  const negotiated = facts.extensions?.selectedVersion ?? version.value;
  if (hrr) {
    const group = facts.extensions?.keyShareGroups?.[0];
    return { fields, type, summary: `HelloRetryRequest: ${group !== undefined ? `server wants a ${namedGroupName(group)} key share` : 'server asks for a new ClientHello'}` };
  }
  const share = facts.extensions?.keyShareGroups?.[0];
  return { fields, type, summary: `ServerHello: ${versionName(negotiated)}, ${cipherSuiteName(suite.value)}${share !== undefined ? `, key share ${namedGroupName(share)}` : ''}` };
}

function encryptedExtensions(r: Reader, _ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const ext = parseExtensions(r, 'EncryptedExtensions', S('4.3.1'));
  facts.extensions = ext.facts;
  const names = ext.field.children?.map((c) => c.name) ?? [];
  return { fields: [ext.field], summary: `EncryptedExtensions: ${names.length ? names.join(', ') : 'none'}` };
}

function certificateRequest(r: Reader, ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const fields: Field[] = [];
  if (ctx.tls13) {
    fields.push(opaque(r, 1, 'certificate_request_context', 'Echoed in the client\'s Certificate; empty during the handshake.', S('4.3.2')).field);
    const ext = parseExtensions(r, 'CertificateRequest', S('4.3.2'));
    facts.extensions = ext.facts;
    fields.push(ext.field);
  } else {
    const typesStart = r.offset;
    const types = r.vec8('certificate_types');
    const names: string[] = [];
    while (!types.atEnd) names.push(certificateTypeName(types.u8('certificate_type')));
    fields.push(field('certificate_types', 'Kinds of client key the server accepts.', typesStart, r.offset, { value: names.join(', '), rfc: T12('7.4.4') }));
    const algsStart = r.offset;
    const algs = r.vec16('supported_signature_algorithms');
    const schemes: number[] = [];
    const algFields: Field[] = [];
    while (!algs.atEnd) {
      const s = readInt(algs, 2, 'scheme', 'A signature algorithm.', signatureSchemeName);
      schemes.push(s.value);
      algFields.push(s.field);
    }
    fields.push(field('supported_signature_algorithms', 'Signature algorithms the server accepts.', algsStart, r.offset, { value: schemes.map(signatureSchemeName).join(', '), rfc: T12('7.4.4'), children: algFields }));
    const caStart = r.offset;
    const names2: string[] = [];
    const cas = distinguishedNames(r.vec16('certificate_authorities'), names2);
    fields.push(field('certificate_authorities', 'CAs the server trusts for client certificates.', caStart, r.offset, { value: `${names2.length} CA names`, rfc: T12('7.4.4'), children: cas }));
    facts.extensions = { types: [], signatureAlgorithms: schemes, certificateAuthorities: names2 };
  }
  const cas = facts.extensions?.certificateAuthorities;
  return { fields, summary: `CertificateRequest: the server asks for a client certificate${cas?.length ? ` issued by ${cas.join('; ')}` : ''}` };
}

function certificate(r: Reader, ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const fields: Field[] = [];
  if (ctx.tls13) fields.push(opaque(r, 1, 'certificate_request_context', 'Empty in the handshake; echoes the CertificateRequest for post-handshake auth.', S('4.4.2')).field);
  const listStart = r.offset;
  const list = r.vec24('certificate_list');
  const entries: Field[] = [];
  const summaries: CertificateSummary[] = [];
  while (!list.atEnd) {
    const start = list.offset;
    const der = list.vec24('cert_data').rest();
    const i = summaries.length;
    const cert = certificateField(i === 0 ? 'end_entity' : `chain[${i}]`, der, start + 3, list.offset);
    summaries.push(cert.summary);
    const children = [cert.field];
    if (ctx.tls13) {
      const ext = parseExtensions(list, 'Certificate', S('4.4.2'));
      children.push(ext.field);
    }
    entries.push(field('CertificateEntry', i === 0 ? 'The sender\'s own certificate (always first).' : 'An intermediate CA certificate, to help the peer build a chain to a root it trusts.', start, list.offset, { value: cert.summary.subject ?? 'unparsed', rfc: ctx.tls13 ? S('4.4.2') : T12('7.4.2'), children }));
  }
  facts.certificates = summaries;
  fields.push(field('certificate_list', summaries.length === 0 ? 'Empty: the sender has no certificate to offer (a client may answer a CertificateRequest this way).' : 'The chain, leaf first.', listStart, r.offset, { value: `${summaries.length} certificate${summaries.length === 1 ? '' : 's'}`, rfc: ctx.tls13 ? S('4.4.2') : T12('7.4.2'), children: entries }));
  const leaf = summaries[0];
  return { fields, summary: summaries.length === 0 ? 'Certificate: empty (no certificate sent)' : `Certificate: ${leaf?.subject ?? 'unparsed certificate'}${summaries.length > 1 ? ` + ${summaries.length - 1} more` : ''}` };
}

function certificateVerify(r: Reader): { fields: Field[]; summary: string } {
  const alg = readInt(r, 2, 'algorithm', 'The signature scheme used.', signatureSchemeName, S('4.4.3'));
  const sig = opaque(r, 2, 'signature', 'Signature over the handshake so far with the certificate\'s private key: proof the sender holds that key.', S('4.4.3'), 16);
  return { fields: [alg.field, sig.field], summary: `CertificateVerify: ${signatureSchemeName(alg.value)} signature (${sig.bytes.length} bytes)` };
}

function finished(r: Reader): { fields: Field[]; summary: string } {
  const start = r.offset;
  const data = r.rest();
  return { fields: [field('verify_data', 'HMAC over the whole handshake transcript: both sides saw the same messages.', start, r.offset, { value: toHex(data, 48), rfc: S('4.4.4') })], summary: `Finished: ${data.length}-byte verify_data` };
}

function newSessionTicket(r: Reader, ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const fields: Field[] = [];
  const lifetime = readInt(r, 4, ctx.tls13 ? 'ticket_lifetime' : 'ticket_lifetime_hint', 'Seconds the ticket may be used to resume.', undefined, ctx.tls13 ? S('4.6.1') : 'RFC 5077 §3.3');
  fields.push(lifetime.field);
  if (ctx.tls13) {
    fields.push(readInt(r, 4, 'ticket_age_add', 'Obscures the ticket age the client reports.', undefined, S('4.6.1')).field);
    fields.push(opaque(r, 1, 'ticket_nonce', 'Makes each ticket\'s PSK distinct.', S('4.6.1')).field);
  }
  const ticket = opaque(r, 2, 'ticket', 'Opaque to the client: the server\'s encrypted session state.', ctx.tls13 ? S('4.6.1') : 'RFC 5077 §3.3', 16);
  fields.push(ticket.field);
  if (ctx.tls13) {
    const ext = parseExtensions(r, 'NewSessionTicket', S('4.6.1'));
    facts.extensions = ext.facts;
    fields.push(ext.field);
  }
  return { fields, summary: `NewSessionTicket: ${ticket.bytes.length}-byte ticket, lifetime ${lifetime.value}s` };
}

function keyUpdate(r: Reader, _ctx: HandshakeContext, facts: HandshakeFacts): { fields: Field[]; summary: string } {
  const req = readInt(r, 1, 'request_update', 'Whether the peer must update its own sending key too.', keyUpdateRequestName, S('4.6.3'));
  if (req.value > 1) throw new DecodeError('illegal-value', 'KeyUpdate.request_update', `${req.value} is neither 0 nor 1`);
  facts.keyUpdateRequested = req.value === 1;
  return { fields: [req.field], summary: `KeyUpdate: sender switches to its next traffic key (${keyUpdateRequestName(req.value)})` };
}

function serverKeyExchange(r: Reader, ctx: HandshakeContext): { fields: Field[]; summary: string } {
  const fields: Field[] = [];
  let summary = 'ServerKeyExchange';
  if (ctx.keyExchange === 'DHE') {
    const p = opaque(r, 2, 'dh_p', 'The Diffie-Hellman prime.', T12('7.4.3'), 16);
    fields.push(p.field, opaque(r, 2, 'dh_g', 'The generator.', T12('7.4.3')).field, opaque(r, 2, 'dh_Ys', 'The server\'s DH public value.', T12('7.4.3'), 16).field);
    summary = `ServerKeyExchange: DHE with a ${p.bytes.length * 8}-bit prime`;
  } else {
    const curveType = readInt(r, 1, 'curve_type', '3 = named_curve: the group is named, not spelled out.', (v) => (v === 3 ? 'named_curve' : `unknown (${v})`), 'RFC 8422 §5.4');
    fields.push(curveType.field);
    if (curveType.value !== 3) throw new DecodeError('illegal-value', 'ServerKeyExchange.curve_type', `${curveType.value} is not named_curve (3)`);
    const group = readInt(r, 2, 'namedcurve', 'The ECDHE group the server chose.', namedGroupName, 'RFC 8422 §5.4');
    fields.push(group.field, opaque(r, 1, 'public', 'The server\'s ephemeral public key.', 'RFC 8422 §5.4').field);
    summary = `ServerKeyExchange: ECDHE on ${namedGroupName(group.value)}`;
  }
  const alg = readInt(r, 2, 'algorithm', 'Signature scheme over the key-exchange parameters.', signatureSchemeName, T12('7.4.1.4.1'));
  fields.push(alg.field, opaque(r, 2, 'signature', 'Signature with the certificate\'s key: the parameters really come from the server.', T12('7.4.3'), 16).field);
  return { fields, summary: `${summary}, signed with ${signatureSchemeName(alg.value)}` };
}

function clientKeyExchange(r: Reader, ctx: HandshakeContext): { fields: Field[]; summary: string } {
  if (ctx.keyExchange === 'RSA') {
    const pms = opaque(r, 2, 'encrypted_pre_master_secret', 'The premaster secret, encrypted to the server\'s RSA key (no forward secrecy).', T12('7.4.7.1'), 16);
    return { fields: [pms.field], summary: `ClientKeyExchange: RSA-encrypted premaster secret (${pms.bytes.length} bytes)` };
  }
  if (ctx.keyExchange === 'DHE') {
    return { fields: [opaque(r, 2, 'dh_Yc', 'The client\'s DH public value.', T12('7.4.7.2'), 16).field], summary: 'ClientKeyExchange: DHE public value' };
  }
  const pub = opaque(r, 1, 'ecdh_Yc', 'The client\'s ephemeral ECDH public key.', 'RFC 8422 §5.7');
  return { fields: [pub.field], summary: `ClientKeyExchange: ECDHE public key (${pub.bytes.length} bytes)` };
}

const empty = (type: string, label: string, rfc: string): Body => (r) => {
  r.expectEnd();
  return { fields: [field('body', label, r.offset, r.offset, { rfc })], summary: `${type}: ${label.replace(/\.$/, '')}` };
};

const bodies = new Map<number, Body>([
  [0, empty('HelloRequest', 'The server asks the client to renegotiate.', T12('7.4.1.1'))],
  [1, clientHello],
  [2, serverHello],
  [4, newSessionTicket],
  [5, empty('EndOfEarlyData', 'The client has finished sending 0-RTT data.', S('4.5'))],
  [8, encryptedExtensions],
  [11, certificate],
  [12, serverKeyExchange],
  [13, certificateRequest],
  [14, empty('ServerHelloDone', 'The server has sent all its hello messages; the client answers now.', T12('7.4.5'))],
  [15, certificateVerify],
  [16, clientKeyExchange],
  [20, finished],
  [24, keyUpdate],
]);

/**
 * Parses one whole handshake message (`bytes` = 4-byte header + body, as reassembled).
 * Throws `DecodeError` on malformed input.
 */
export function parseHandshake(bytes: Uint8Array, ctx: HandshakeContext): ParsedHandshake {
  const r = new Reader(bytes, 'Handshake');
  const typeField = readInt(r, 1, 'msg_type', 'Which handshake message this is.', handshakeTypeName, S('4'));
  const name = handshakeTypeName(typeField.value);
  const length = readInt(r, 3, 'length', 'Length of the message body in bytes.', undefined, S('4'));
  const body = r.sub(length.value, 'body');
  const bodyReader = new Reader(bytes, name, body.offset, body.offset + body.remaining);
  r.expectEnd('Handshake');
  const facts: HandshakeFacts = {};
  const parse = bodies.get(typeField.value);
  if (!parse) {
    const raw = bodyReader.rest();
    return {
      type: name,
      fields: [typeField.field, length.field, field('body', 'A message type this decoder does not parse; its bytes are kept raw.', 4, bytes.length, { value: toHex(raw, 32) })],
      summary: `${name}: ${raw.length} bytes`,
      facts,
    };
  }
  const out = parse(bodyReader, ctx, facts, name);
  bodyReader.expectEnd();
  return { type: out.type ?? name, fields: [typeField.field, length.field, ...out.fields], summary: out.summary, facts };
}
