/**
 * Certificate facts spelled the way `openssl x509 -noout -text` prints them, so what the
 * inspector shows reads the same as what the learner gets in the terminal.
 *
 *   CertificateFacts (names, ISO dates, `dns:` SANs, EKU names, hex) ──▶ OpenSSL's wording
 */

/** `O=mtls-lab, CN=auth` → `O = mtls-lab, CN = auth` (OpenSSL's default -nameopt oneline). */
export function opensslName(dn: string | undefined): string {
  return (dn ?? '').replace(/(^|, )([A-Za-z][A-Za-z0-9.]*)=/g, '$1$2 = ');
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2031-03-01T10:20:30.000Z` → `Mar  1 10:20:30 2031 GMT` (ASN1_TIME_print). */
export function opensslDate(iso: string | undefined): string {
  const d = new Date(iso ?? NaN);
  if (Number.isNaN(d.getTime())) return iso ?? '';
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${months[d.getUTCMonth()]} ${day} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()} GMT`;
}

const sanTypes: Record<string, string> = { dns: 'DNS', url: 'URI', uri: 'URI', ip: 'IP Address', email: 'email', dn: 'DirName' };

/** `dns:auth.corp.test` → `DNS:auth.corp.test`; `url:spiffe://…` → `URI:spiffe://…`. */
export function opensslSan(san: string): string {
  const colon = san.indexOf(':');
  const type = san.slice(0, colon);
  return sanTypes[type] ? `${sanTypes[type]}:${san.slice(colon + 1)}` : san;
}

const ekuNames: Record<string, string> = {
  serverAuth: 'TLS Web Server Authentication',
  clientAuth: 'TLS Web Client Authentication',
  codeSigning: 'Code Signing',
  emailProtection: 'E-mail Protection',
  timeStamping: 'Time Stamping',
  OCSPSigning: 'OCSP Signing',
  anyExtendedKeyUsage: 'Any Extended Key Usage',
};

/** `clientAuth` → `TLS Web Client Authentication`; an unnamed OID stays as it is. */
export function opensslEku(usage: string): string {
  return ekuNames[usage] ?? usage;
}

/** Lower-case hex → `58:8C:DF:…`, as `openssl x509 -fingerprint -sha256` prints it. */
export function opensslFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}
