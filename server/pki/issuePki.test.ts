import { beforeAll, describe, expect, it } from 'vitest';
import { issuePki, type Pki } from './issuePki.js';
import { pkiSpec } from './testing.js';
import { x509 } from './x509.js';

/** Children listed before their parents on purpose: issuance must sort them. */
const lab = pkiSpec({
  'payments-client': {
    issuer: 'corp-issuing',
    san: ['uri:spiffe://corp.test/ns/pay/sa/payments'],
    eku: ['clientAuth'],
    revoked: true,
  },
  'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'], commonName: 'auth' },
  'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
  'corp-root': { ca: true },
  'rsa-root': { ca: true, key: 'rsa-2048' },
  'rsa-signed': { issuer: 'rsa-root' },
  'rsa-leaf': { issuer: 'corp-issuing', key: 'rsa-2048' },
});
const now = new Date('2031-03-01T10:20:30.000Z');

let pki: Pki;
beforeAll(async () => {
  pki = await issuePki(lab, now);
});

const cert = (name: string) => pki.certificates.get(name)!.certificate;
const pemBlocks = (pem: string) => pem.match(/-----BEGIN [^-]+-----\n[^-]+-----END [^-]+-----\n/g) ?? [];

describe('issuePki', () => {
  it('issues every issuer before the certificates it signs', () => {
    const order = [...pki.certificates.keys()];
    for (const [name, spec] of Object.entries(lab)) {
      if (spec.issuer !== undefined) expect(order.indexOf(spec.issuer)).toBeLessThan(order.indexOf(name));
    }
  });

  it("signs each certificate with its issuer's key", async () => {
    const issuer = cert('corp-issuing');
    expect(await cert('auth-server').verify({ publicKey: issuer.publicKey, signatureOnly: true })).toBe(true);
    expect(await cert('auth-server').verify({ publicKey: cert('corp-root').publicKey, signatureOnly: true })).toBe(false);
  });

  it("writes the issuer's subject as the issuer name", () => {
    expect(cert('auth-server').issuer).toBe(cert('corp-issuing').subject);
    expect(pki.certificates.get('auth-server')!.issuer).toBe('corp-issuing');
  });

  it('self-signs a certificate without an issuer and names itself as its issuer', async () => {
    const root = cert('corp-root');
    expect(root.issuer).toBe(root.subject);
    expect(await root.verify({ signatureOnly: true })).toBe(true);
    expect(pki.certificates.get('corp-root')!.issuer).toBe('corp-root');
  });

  it("points the authority key identifier at the issuer's subject key identifier", () => {
    const issuerKeyId = cert('corp-issuing').getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(cert('auth-server').getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(issuerKeyId);
  });

  it("takes the signature algorithm from the issuer's key, not the subject's", () => {
    expect(cert('rsa-signed').signatureAlgorithm.name).toBe('RSASSA-PKCS1-v1_5');
    expect(cert('rsa-signed').publicKey.algorithm.name).toBe('ECDSA');
    expect(cert('rsa-leaf').signatureAlgorithm.name).toBe('ECDSA');
  });

  it('gives every certificate a distinct, positive 16-byte serial number', () => {
    const serials = [...pki.certificates.values()].map(({ certificate }) => certificate.serialNumber);
    for (const serial of serials) expect(serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('uses the lab name as common name unless commonName is given', () => {
    expect(cert('corp-root').subject).toBe('O=mtls-lab, CN=corp-root');
    expect(cert('auth-server').subject).toBe('O=mtls-lab, CN=auth');
  });

  it('dates every certificate from the given now', () => {
    expect(cert('auth-server').notBefore.toISOString()).toBe('2031-03-01T09:20:30.000Z');
    expect(cert('auth-server').notAfter.toISOString()).toBe('2031-05-30T10:20:30.000Z');
    expect(cert('corp-root').notAfter.toISOString()).toBe('2041-02-26T10:20:30.000Z');
  });

  it('leaves out the extended key usage when eku is empty', () => {
    expect(cert('corp-root').getExtension(x509.ExtendedKeyUsageExtension)).toBeNull();
    expect(cert('auth-server').getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
    ]);
  });

  it('leaves out the subject alternative name when san is empty', () => {
    expect(cert('rsa-leaf').getExtension(x509.SubjectAlternativeNameExtension)).toBeNull();
  });

  it('gives a CA keyCertSign and cRLSign, critical', () => {
    const keyUsage = cert('corp-issuing').getExtension(x509.KeyUsagesExtension)!;
    expect(keyUsage.critical).toBe(true);
    expect(keyUsage.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  });

  it('adds keyEncipherment to an RSA leaf only', () => {
    const { digitalSignature, keyEncipherment } = x509.KeyUsageFlags;
    expect(cert('rsa-leaf').getExtension(x509.KeyUsagesExtension)!.usages).toBe(digitalSignature | keyEncipherment);
    expect(cert('auth-server').getExtension(x509.KeyUsagesExtension)!.usages).toBe(digitalSignature);
  });

  it('marks basic constraints critical on CAs and leaves alike', () => {
    const ca = cert('corp-issuing').getExtension(x509.BasicConstraintsExtension)!;
    const leaf = cert('auth-server').getExtension(x509.BasicConstraintsExtension)!;
    expect([ca.critical, ca.ca, ca.pathLength]).toEqual([true, true, 0]);
    expect([leaf.critical, leaf.ca, leaf.pathLength]).toEqual([true, false, undefined]);
  });

  it('ends every certificate and key PEM with a newline', () => {
    for (const issued of pki.certificates.values()) {
      expect(issued.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[^]*-----END CERTIFICATE-----\n$/);
      expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[^]*-----END PRIVATE KEY-----\n$/);
    }
  });

  it('puts the named certificate first in its chain, then its intermediates, without the root', () => {
    const certPem = (name: string) => pki.certificates.get(name)!.certPem;
    expect(pemBlocks(pki.chainPem('auth-server'))).toEqual([certPem('auth-server'), certPem('corp-issuing')]);
    expect(pki.chainPem('auth-server')).toBe(certPem('auth-server') + certPem('corp-issuing'));
  });

  it('makes a self-signed certificate its own chain', () => {
    expect(pki.chainPem('corp-root')).toBe(pki.certificates.get('corp-root')!.certPem);
  });

  it('throws a TypeError naming an unknown certificate in chainPem', () => {
    expect(() => pki.chainPem('corp-rooot')).toThrow(TypeError);
    expect(() => pki.chainPem('corp-rooot')).toThrow('"corp-rooot"');
  });

  it('gives every CA a CRL, empty when nothing it issued is revoked', () => {
    expect([...pki.crls.keys()].sort()).toEqual(['corp-issuing', 'corp-root', 'rsa-root']);
    expect(new x509.X509Crl(pki.crls.get('corp-root')!).entries).toEqual([]);
  });

  it("lists a revoked certificate in its issuer's CRL and nowhere else", () => {
    const revoked = cert('payments-client');
    const issuing = new x509.X509Crl(pki.crls.get('corp-issuing')!);
    expect(issuing.entries.map((entry) => entry.serialNumber)).toEqual([revoked.serialNumber]);
    expect(new x509.X509Crl(pki.crls.get('corp-root')!).findRevoked(revoked)).toBeNull();
  });

  it("signs each CRL with its CA's key", async () => {
    const crl = new x509.X509Crl(pki.crls.get('corp-issuing')!);
    expect(await crl.verify({ publicKey: cert('corp-issuing').publicKey })).toBe(true);
  });

  it('writes CRLs as PEM "X509 CRL" blocks ending with a newline', () => {
    for (const pem of pki.crls.values()) expect(pem).toMatch(/^-----BEGIN X509 CRL-----\n[^]*-----END X509 CRL-----\n$/);
  });
});

describe('issuePki refuses a lab it cannot issue', () => {
  it('throws a TypeError naming an unknown issuer', async () => {
    const lab = pkiSpec({ root: { ca: true }, leaf: { issuer: 'rooot' } });
    await expect(issuePki(lab)).rejects.toThrow(TypeError);
    await expect(issuePki(lab)).rejects.toThrow('pki.leaf.issuer: "rooot" is not a certificate in this lab (known: root, leaf)');
  });

  it('throws a TypeError naming a cycle of issuers', async () => {
    const lab = pkiSpec({ a: { issuer: 'b', ca: true }, b: { issuer: 'c', ca: true }, c: { issuer: 'a', ca: true } });
    await expect(issuePki(lab)).rejects.toThrow(TypeError);
    await expect(issuePki(lab)).rejects.toThrow('a → b → c → a');
  });

  it('treats a certificate naming itself as issuer as a cycle', async () => {
    await expect(issuePki(pkiSpec({ root: { issuer: 'root', ca: true } }))).rejects.toThrow('root → root');
  });

  it('throws a TypeError for pathLen on a certificate that is not a CA', async () => {
    const lab = pkiSpec({ root: { ca: true }, leaf: { issuer: 'root', pathLen: 0 } });
    await expect(issuePki(lab)).rejects.toThrow(new TypeError('pki.leaf.pathLen: 0 needs ca: true (RFC 5280 §4.2.1.9)'));
  });

  it('throws a TypeError for a notAfter that is not after notBefore', async () => {
    const lab = pkiSpec({ root: { ca: true }, leaf: { issuer: 'root', validity: { notAfter: '-1d' } } });
    await expect(issuePki(lab)).rejects.toThrow(TypeError);
    await expect(issuePki(lab)).rejects.toThrow('pki.leaf.validity: notAfter "-1d" is not after notBefore "-1h"');
  });
});

describe('issuePki given the PKI of a running sandbox', () => {
  const changed = (spec: typeof lab, name: string, notAfter: string) => ({ ...spec, [name]: { ...spec[name]!, validity: { ...spec[name]!.validity, notAfter } } });

  it('issues again only the certificate whose spec changed, with its key kept and a new serial', async () => {
    const next = await issuePki(changed(lab, 'auth-server', '+30d'), now, pki);
    const reissued = [...next.certificates].filter(([name, issued]) => pki.certificates.get(name) !== issued).map(([name]) => name);
    expect(reissued).toEqual(['auth-server']);
    const [before, after] = [pki, next].map((p) => p.certificates.get('auth-server')!);
    expect(after!.certificate.serialNumber).not.toBe(before!.certificate.serialNumber);
    expect(after!.keyPem).toBe(before!.keyPem);
    expect(next.crls).toEqual(pki.crls);
  });

  it('keeps the leaves of a CA renewed with its subject and key, and issues a new CRL for it', async () => {
    const next = await issuePki(changed(lab, 'corp-issuing', '+2y'), now, pki);
    expect(next.certificates.get('corp-issuing')).not.toBe(pki.certificates.get('corp-issuing'));
    expect(next.certificates.get('auth-server')).toBe(pki.certificates.get('auth-server'));
    expect(await next.certificates.get('auth-server')!.certificate.verify({ publicKey: next.certificates.get('corp-issuing')!.certificate.publicKey, signatureOnly: true })).toBe(true);
    expect(next.crls.get('corp-issuing')).not.toBe(pki.crls.get('corp-issuing'));
    expect(next.crls.get('corp-root')).toBe(pki.crls.get('corp-root'));
  });

  it('issues again every child of a CA given a new key type', async () => {
    const next = await issuePki({ ...lab, 'corp-issuing': { ...lab['corp-issuing']!, key: 'rsa-2048' } }, now, pki);
    for (const name of ['corp-issuing', 'auth-server', 'payments-client', 'rsa-leaf']) expect(next.certificates.get(name), name).not.toBe(pki.certificates.get(name));
    expect(next.certificates.get('corp-root')).toBe(pki.certificates.get('corp-root'));
    expect(next.crls.get('corp-root')).toBe(pki.crls.get('corp-root'));
  });

  it("lists a certificate revoked live on its CA's new CRL, and leaves the other CRLs", async () => {
    const next = await issuePki({ ...lab, 'auth-server': { ...lab['auth-server']!, revoked: true } }, now, pki);
    const listed = new x509.X509Crl(next.crls.get('corp-issuing')!).entries.map((entry) => entry.serialNumber);
    expect(listed).toContain(next.certificates.get('auth-server')!.certificate.serialNumber);
    expect(next.crls.get('corp-root')).toBe(pki.crls.get('corp-root'));
    expect(next.crls.get('rsa-root')).toBe(pki.crls.get('rsa-root'));
  });
});
