import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectCertificate } from './inspect.js';
import { issuePki, type Pki } from './issuePki.js';
import { pemBlocks, pemToDer } from './pem.js';
import { pkiSpec } from './testing.js';
import { validityAt } from './validity.js';

const lab = pkiSpec({
  'corp-root': { ca: true, commonName: 'Corp Root CA' },
  'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0, commonName: 'Corp Issuing CA 1' },
  'payments-client': {
    issuer: 'corp-issuing',
    san: ['uri:spiffe://corp.test/ns/pay/sa/payments', 'dns:payments.corp.test'],
    eku: ['clientAuth'],
    validity: { notBefore: '-91d', notAfter: '-1d' },
  },
  'rsa-leaf': { issuer: 'corp-root', key: 'rsa-2048' },
});
const now = new Date('2031-03-01T10:20:30.000Z');

let pki: Pki;
beforeAll(async () => {
  pki = await issuePki(lab, now);
});

const der = (name: string): Uint8Array => pemToDer(pki.certificates.get(name)!.certPem);

describe('inspectCertificate', () => {
  it('reads subject, issuer and the validity period', () => {
    const facts = inspectCertificate(der('payments-client'));
    expect(facts.subject).toContain('CN=payments-client');
    expect(facts.issuer).toContain('CN=Corp Issuing CA 1');
    expect(facts.notAfter).toBe('2031-02-28T10:20:30.000Z');
    expect(facts.notBefore).toBe('2030-11-30T10:20:30.000Z');
  });

  it('names SANs, key purposes and the key the way openssl does', () => {
    const facts = inspectCertificate(der('payments-client'));
    expect(facts.subjectAltNames).toEqual(['url:spiffe://corp.test/ns/pay/sa/payments', 'dns:payments.corp.test']);
    expect(facts.extendedKeyUsage).toEqual(['clientAuth']);
    expect(facts.publicKey).toBe('EC P-256');
    expect(facts.isCa).toBe(false);
    expect(inspectCertificate(der('rsa-leaf')).publicKey).toBe('RSA 2048-bit');
  });

  it('leaves absent extensions absent: no SAN, any purpose', () => {
    const facts = inspectCertificate(der('rsa-leaf'));
    expect(facts.subjectAltNames).toBeUndefined();
    expect(facts.extendedKeyUsage).toBeUndefined();
  });

  it('prints the serial as lower-case hex pairs and fingerprints the DER with SHA-256', () => {
    const bytes = der('corp-root');
    const facts = inspectCertificate(bytes);
    const cert = pki.certificates.get('corp-root')!.certificate;
    expect(facts.serialNumber).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})*$/);
    expect(facts.serialNumber.replaceAll(':', '')).toBe(cert.serialNumber.toLowerCase());
    expect(facts.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('throws on bytes that are not a certificate', () => {
    expect(() => inspectCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow();
  });
});

describe('pemBlocks', () => {
  it('splits a chain file into its certificates, leaf first', () => {
    const blocks = pemBlocks(pki.chainPem('payments-client'));
    expect(blocks).toHaveLength(2);
    expect(inspectCertificate(pemToDer(blocks[0]!)).subject).toContain('CN=payments-client');
    expect(inspectCertificate(pemToDer(blocks[1]!)).subject).toContain('CN=Corp Issuing CA 1');
  });

  it('finds nothing in text without PEM blocks', () => {
    expect(pemBlocks('not a certificate\n')).toEqual([]);
  });
});

describe('validityAt', () => {
  const cert = { notBefore: '2030-01-01T00:00:00.000Z', notAfter: '2030-12-31T00:00:00.000Z' };

  it('is valid inside the period, both ends included (RFC 5280 §4.1.2.5)', () => {
    expect(validityAt(cert, Date.parse(cert.notBefore))).toBe('valid');
    expect(validityAt(cert, Date.parse(cert.notAfter))).toBe('valid');
  });

  it('is expired after notAfter and not yet valid before notBefore', () => {
    expect(validityAt(cert, Date.parse(cert.notAfter) + 1)).toBe('expired');
    expect(validityAt(cert, Date.parse(cert.notBefore) - 1)).toBe('not-yet-valid');
  });

  it('is unknown without an instant or a notAfter', () => {
    expect(validityAt(cert, undefined)).toBe('unknown');
    expect(validityAt({}, 0)).toBe('unknown');
  });
});
