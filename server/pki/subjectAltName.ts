import { isIP } from 'node:net';
import type { JsonGeneralName } from '@peculiar/x509';

/** The lab's SAN prefixes → GeneralName choices (RFC 5280 §4.2.1.6). */
const generalNameTypes = {
  dns: 'dns', // dNSName
  ip: 'ip', // iPAddress: 4 or 16 octets
  uri: 'url', // uniformResourceIdentifier, where a SPIFFE ID lives (SPIFFE X509-SVID §2)
  email: 'email', // rfc822Name
} as const;

/** `dns:auth.corp.test`, `ip:127.0.0.1`, `uri:spiffe://corp.test/ns/pay/sa/payments`, `email:a@b.test`. */
export function parseSubjectAltName(entry: string): JsonGeneralName {
  const colon = entry.indexOf(':');
  const prefix = entry.slice(0, colon);
  const value = entry.slice(colon + 1);
  if (colon < 0 || !Object.hasOwn(generalNameTypes, prefix) || value === '') {
    throw new TypeError(
      `subject alt name "${entry}" is not like "dns:auth.corp.test", "ip:127.0.0.1", "uri:spiffe://…" or "email:a@b.test"`,
    );
  }
  if (prefix === 'ip' && isIP(value) === 0) {
    throw new TypeError(`subject alt name "${entry}": "${value}" is not an IPv4 or IPv6 address`);
  }
  return { type: generalNameTypes[prefix as keyof typeof generalNameTypes], value };
}
