/**
 * Hello and certificate extensions (RFC 8446 §4.2). The same extension type has a different
 * body depending on the message carrying it (supported_versions lists versions in a
 * ClientHello but names one in a ServerHello, §4.2.1), so the parser takes the message.
 * Extensions this decoder does not know survive as raw bytes under `unknown (0x…)`.
 */
import {
  ecPointFormatName,
  extensionName,
  namedGroupName,
  pskKeyExchangeModeName,
  signatureSchemeName,
  versionName,
} from './codepoints.js';
import { distinguishedName } from './certificates.js';
import { field, printable, readInt, toHex, type Field } from './field.js';
import type { Reader } from './reader.js';

export type ExtensionHost =
  | 'ClientHello'
  | 'ServerHello'
  | 'HelloRetryRequest'
  | 'EncryptedExtensions'
  | 'CertificateRequest'
  | 'Certificate'
  | 'NewSessionTicket';

/** Facts the connection decoder and summaries need from the extensions. */
export interface ExtensionFacts {
  types: number[];
  serverName?: string;
  alpn?: string[];
  supportedVersions?: number[];
  selectedVersion?: number;
  keyShareGroups?: number[];
  signatureAlgorithms?: number[];
  certificateAuthorities?: string[];
  earlyData?: boolean;
}

interface ExtensionSpec {
  label: string;
  rfc: string;
  parse?: (r: Reader, host: ExtensionHost, facts: ExtensionFacts) => { value?: string; children: Field[] };
}

function u16List(r: Reader, name: string, label: string, format: (v: number) => string, rfc: string): { values: number[]; children: Field[] } {
  const values: number[] = [];
  const children: Field[] = [];
  while (!r.atEnd) {
    const { value, field: f } = readInt(r, 2, name, label, format, rfc);
    values.push(value);
    children.push(f);
  }
  return { values, children };
}


function vector(r: Reader, prefix: 1 | 2, name: string, label: string, rfc: string, each: (v: Reader) => Field[], value?: (children: Field[]) => string): Field {
  const start = r.offset;
  const v = prefix === 1 ? r.vec8(name) : r.vec16(name);
  const children = each(v);
  v.expectEnd();
  return field(name, label, start, r.offset, { rfc, children, ...(value ? { value: value(children) } : {}) });
}

const specs = new Map<number, ExtensionSpec>([
  [0, {
    label: 'Server Name Indication: the hostname the client wants, so one address can serve many names.',
    rfc: 'RFC 6066 §3',
    parse: (r, host, facts) => {
      if (host !== 'ClientHello') return { value: 'acknowledged', children: [] };
      const names: string[] = [];
      const list = vector(r, 2, 'server_name_list', 'The names asked for (in practice exactly one).', 'RFC 6066 §3', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const start = v.offset;
          const type = v.u8('name_type');
          const name = v.vec16('host_name');
          const text = printable(name.rest());
          if (type === 0) names.push(text);
          out.push(field('host_name', type === 0 ? 'A DNS hostname.' : `Name of unknown type ${type}.`, start, v.offset, { value: text, rfc: 'RFC 6066 §3' }));
        }
        return out;
      });
      if (names[0] !== undefined) facts.serverName = names[0];
      return { value: names.join(', '), children: [list] };
    },
  }],
  [10, {
    label: 'Key-exchange groups the client supports, most preferred first.',
    rfc: 'RFC 8446 §4.2.7',
    parse: (r) => {
      let names: string[] = [];
      const list = vector(r, 2, 'named_group_list', 'Groups, most preferred first.', 'RFC 8446 §4.2.7', (v) => {
        const { values, children } = u16List(v, 'group', 'A key-exchange group.', namedGroupName, 'RFC 8446 §4.2.7');
        names = values.map(namedGroupName);
        return children;
      });
      return { value: names.join(', '), children: [list] };
    },
  }],
  [11, {
    label: 'Elliptic-curve point formats (TLS 1.2; only "uncompressed" is used today).',
    rfc: 'RFC 8422 §5.1.2',
    parse: (r) => {
      const names: string[] = [];
      const list = vector(r, 1, 'ec_point_format_list', 'Point formats.', 'RFC 8422 §5.1.2', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const { value, field: f } = readInt(v, 1, 'ec_point_format', 'A point format.', ecPointFormatName);
          names.push(ecPointFormatName(value));
          out.push(f);
        }
        return out;
      });
      return { value: names.join(', '), children: [list] };
    },
  }],
  [13, {
    label: 'Signature algorithms this side accepts in CertificateVerify (and, unless signature_algorithms_cert is sent, in certificates).',
    rfc: 'RFC 8446 §4.2.3',
    parse: (r, _host, facts) => sigAlgs(r, facts),
  }],
  [50, {
    label: 'Signature algorithms accepted in certificates themselves.',
    rfc: 'RFC 8446 §4.2.3',
    parse: (r) => sigAlgs(r, { types: [] }),
  }],
  [16, {
    label: 'ALPN: application protocols (h2, http/1.1, …) offered or chosen.',
    rfc: 'RFC 7301 §3.1',
    parse: (r, _host, facts) => {
      const names: string[] = [];
      const list = vector(r, 2, 'protocol_name_list', 'Protocol names.', 'RFC 7301 §3.1', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const start = v.offset;
          const name = printable(v.vec8('protocol_name').rest());
          names.push(name);
          out.push(field('protocol_name', 'An application protocol id.', start, v.offset, { value: name }));
        }
        return out;
      });
      facts.alpn = names;
      return { value: names.join(', '), children: [list] };
    },
  }],
  [43, {
    label: 'TLS versions: the real version negotiation of TLS 1.3 (legacy_version stays 0x0303).',
    rfc: 'RFC 8446 §4.2.1',
    parse: (r, host, facts) => {
      if (host === 'ClientHello') {
        let values: number[] = [];
        const list = vector(r, 1, 'versions', 'Versions offered, most preferred first.', 'RFC 8446 §4.2.1', (v) => {
          const out = u16List(v, 'version', 'A version.', versionName, 'RFC 8446 §4.2.1');
          values = out.values;
          return out.children;
        });
        facts.supportedVersions = values;
        return { value: values.map(versionName).join(', '), children: [list] };
      }
      const { value, field: f } = readInt(r, 2, 'selected_version', 'The version the server chose.', versionName, 'RFC 8446 §4.2.1');
      facts.selectedVersion = value;
      return { value: versionName(value), children: [f] };
    },
  }],
  [51, {
    label: 'Key shares: public keys for the (EC)DHE exchange, sent ahead so TLS 1.3 needs one round trip.',
    rfc: 'RFC 8446 §4.2.8',
    parse: (r, host, facts) => {
      if (host === 'HelloRetryRequest') {
        const { value, field: f } = readInt(r, 2, 'selected_group', 'The group the server wants a share for: the client must send a new ClientHello.', namedGroupName, 'RFC 8446 §4.2.8');
        facts.keyShareGroups = [value];
        return { value: namedGroupName(value), children: [f] };
      }
      const groups: number[] = [];
      const entry = (v: Reader): Field => {
        const start = v.offset;
        const group = v.u16('group');
        const key = v.vec16('key_exchange').rest();
        groups.push(group);
        return field('key_share_entry', `A ${namedGroupName(group)} public key (${key.length} bytes).`, start, v.offset, { value: namedGroupName(group), children: [field('key_exchange', 'The public key bytes.', v.offset - key.length, v.offset, { value: toHex(key, 32) })] });
      };
      if (host === 'ClientHello') {
        const list = vector(r, 2, 'client_shares', 'One share per group the client guessed the server would pick.', 'RFC 8446 §4.2.8', (v) => {
          const out: Field[] = [];
          while (!v.atEnd) out.push(entry(v));
          return out;
        });
        facts.keyShareGroups = groups;
        return { value: groups.map(namedGroupName).join(', '), children: [list] };
      }
      const f = entry(r);
      facts.keyShareGroups = groups;
      return { value: groups.map(namedGroupName).join(', '), children: [f] };
    },
  }],
  [45, {
    label: 'PSK key-exchange modes the client allows when resuming.',
    rfc: 'RFC 8446 §4.2.9',
    parse: (r) => {
      const names: string[] = [];
      const list = vector(r, 1, 'ke_modes', 'Modes.', 'RFC 8446 §4.2.9', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const { value, field: f } = readInt(v, 1, 'ke_mode', 'A mode.', pskKeyExchangeModeName);
          names.push(pskKeyExchangeModeName(value));
          out.push(f);
        }
        return out;
      });
      return { value: names.join(', '), children: [list] };
    },
  }],
  [41, {
    label: 'Pre-shared key: a resumption ticket offered (ClientHello) or accepted (ServerHello).',
    rfc: 'RFC 8446 §4.2.11',
    parse: (r, host) => {
      if (host === 'ServerHello') {
        const { value, field: f } = readInt(r, 2, 'selected_identity', 'Which offered ticket the server accepted (0-based).', undefined, 'RFC 8446 §4.2.11');
        return { value: `identity ${value} accepted`, children: [f] };
      }
      let count = 0;
      const identities = vector(r, 2, 'identities', 'Tickets offered.', 'RFC 8446 §4.2.11', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const start = v.offset;
          const identity = v.vec16('identity').rest();
          const age = v.u32('obfuscated_ticket_age');
          count++;
          out.push(field('PskIdentity', `A ticket of ${identity.length} bytes.`, start, v.offset, { value: `obfuscated_ticket_age ${age}` }));
        }
        return out;
      });
      const binders = vector(r, 2, 'binders', 'HMACs proving the client holds each ticket\'s secret.', 'RFC 8446 §4.2.11.2', (v) => {
        const out: Field[] = [];
        while (!v.atEnd) {
          const start = v.offset;
          const binder = v.vec8('binder').rest();
          out.push(field('PskBinderEntry', 'A binder.', start, v.offset, { value: toHex(binder, 16) }));
        }
        return out;
      });
      return { value: `${count} identit${count === 1 ? 'y' : 'ies'}`, children: [identities, binders] };
    },
  }],
  [35, {
    label: 'TLS 1.2 session ticket (empty: "I support tickets"; non-empty: resuming with one).',
    rfc: 'RFC 5077 §3.2',
    parse: (r) => {
      const ticket = r.rest();
      return { value: ticket.length === 0 ? 'empty' : `${ticket.length}-byte ticket`, children: [] };
    },
  }],
  [23, {
    label: 'Extended master secret: binds the TLS 1.2 master secret to the whole handshake.',
    rfc: 'RFC 7627 §5.1',
    parse: () => ({ value: 'supported', children: [] }),
  }],
  [0xff01, {
    label: 'Secure renegotiation indication (TLS 1.2).',
    rfc: 'RFC 5746 §3.2',
    parse: (r) => {
      const start = r.offset;
      const data = r.vec8('renegotiated_connection').rest();
      return { value: data.length === 0 ? 'initial handshake' : `${data.length} bytes of verify_data`, children: [field('renegotiated_connection', 'Empty on a first handshake.', start, r.offset, { value: toHex(data) })] };
    },
  }],
  [28, {
    label: 'The largest record this side is willing to receive.',
    rfc: 'RFC 8449 §4',
    parse: (r) => {
      const { value, field: f } = readInt(r, 2, 'record_size_limit', 'Bytes of plaintext per record.', undefined, 'RFC 8449 §4');
      return { value: String(value), children: [f] };
    },
  }],
  [42, {
    label: '0-RTT early data: offered by the client, accepted in EncryptedExtensions, or allowed by a ticket.',
    rfc: 'RFC 8446 §4.2.10',
    parse: (r, host, facts) => {
      facts.earlyData = true;
      if (host === 'NewSessionTicket') {
        const { value, field: f } = readInt(r, 4, 'max_early_data_size', 'Bytes of 0-RTT data allowed with this ticket.', undefined, 'RFC 8446 §4.2.10');
        return { value: String(value), children: [f] };
      }
      return { value: host === 'ClientHello' ? 'offered' : 'accepted', children: [] };
    },
  }],
  [47, {
    label: 'The CAs this side trusts: a client should pick a certificate issued under one of them.',
    rfc: 'RFC 8446 §4.2.4',
    parse: (r, _host, facts) => {
      const names: string[] = [];
      const list = vector(r, 2, 'authorities', 'Distinguished names of acceptable CAs.', 'RFC 8446 §4.2.4', (v) => distinguishedNames(v, names));
      facts.certificateAuthorities = names;
      return { value: `${names.length} CA name${names.length === 1 ? '' : 's'}`, children: [list] };
    },
  }],
  [44, {
    label: 'A cookie the server wants echoed after a HelloRetryRequest.',
    rfc: 'RFC 8446 §4.2.2',
    parse: (r) => {
      const cookie = r.vec16('cookie').rest();
      return { value: `${cookie.length} bytes`, children: [] };
    },
  }],
  [49, { label: 'The client will answer a CertificateRequest after the handshake.', rfc: 'RFC 8446 §4.2.6', parse: () => ({ value: 'supported', children: [] }) }],
  [21, { label: 'Padding to round the ClientHello size (works around buggy middleboxes).', rfc: 'RFC 7685 §3', parse: (r) => ({ value: `${r.rest().length} bytes`, children: [] }) }],
  [22, { label: 'Encrypt-then-MAC for TLS 1.2 CBC suites.', rfc: 'RFC 7366 §2', parse: () => ({ value: 'supported', children: [] }) }],
  [5, { label: 'OCSP stapling request: "send me proof your certificate is not revoked".', rfc: 'RFC 6066 §8' }],
  [18, { label: 'Certificate Transparency timestamps.', rfc: 'RFC 6962 §3.3' }],
]);

function sigAlgs(r: Reader, facts: ExtensionFacts): { value: string; children: Field[] } {
  let values: number[] = [];
  const list = vector(r, 2, 'supported_signature_algorithms', 'Signature schemes, most preferred first.', 'RFC 8446 §4.2.3', (v) => {
    const out = u16List(v, 'scheme', 'A signature scheme.', signatureSchemeName, 'RFC 8446 §4.2.3');
    values = out.values;
    return out.children;
  });
  facts.signatureAlgorithms = values;
  return { value: values.map(signatureSchemeName).join(', '), children: [list] };
}

/** `DistinguishedName authorities<3..2^16-1>`, each `opaque DistinguishedName<1..2^16-1>` (RFC 8446 §4.2.4). */
export function distinguishedNames(v: Reader, names: string[]): Field[] {
  const out: Field[] = [];
  while (!v.atEnd) {
    const start = v.offset;
    const der = v.vec16('DistinguishedName').rest();
    const name = distinguishedName(der);
    names.push(name);
    out.push(field('DistinguishedName', 'An acceptable CA, by its subject name.', start, v.offset, { value: name, rfc: 'RFC 5280 §4.1.2.4' }));
  }
  return out;
}

/** Parses `Extension extensions<..2^16-1>` (RFC 8446 §4.2) from the block `r` is positioned at. */
export function parseExtensions(r: Reader, host: ExtensionHost, rfc = 'RFC 8446 §4.2'): { field: Field; facts: ExtensionFacts } {
  const facts: ExtensionFacts = { types: [] };
  const start = r.offset;
  const block = r.vec16('extensions');
  const children: Field[] = [];
  while (!block.atEnd) {
    const extStart = block.offset;
    const type = block.u16('extension_type');
    const name = extensionName(type);
    facts.types.push(type);
    const data = block.vec16(name);
    const spec = specs.get(type);
    let value: string | undefined;
    let parts: Field[] = [];
    if (spec?.parse) {
      const out = spec.parse(data, host, facts);
      data.expectEnd();
      value = out.value;
      parts = out.children;
    } else {
      const raw = data.rest();
      value = raw.length === 0 ? 'empty' : `${raw.length} bytes: ${toHex(raw, 16)}`;
    }
    const label = spec?.label ?? (name.startsWith('GREASE') ? 'A GREASE value: deliberately meaningless, sent so that peers keep tolerating unknown extensions (RFC 8701).' : 'An extension this decoder does not know; its bytes are kept raw.');
    children.push(field(name, label, extStart, block.offset, { ...(value !== undefined ? { value } : {}), rfc: spec?.rfc ?? (name.startsWith('GREASE') ? 'RFC 8701 §2' : rfc), children: parts }));
  }
  return { field: field('extensions', `${children.length} extension${children.length === 1 ? '' : 's'}.`, start, r.offset, { rfc, children }), facts };
}
