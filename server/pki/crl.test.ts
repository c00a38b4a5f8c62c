import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { CertificateSchema } from '../lab/schema.js';
import { issuePki } from './issuePki.js';
import { x509 } from './x509.js';

const now = new Date('2026-06-01T12:00:00.000Z');
const cert = (input: unknown) => v.parse(CertificateSchema, input);

describe('a CA\'s CRL dates', () => {
  it('are now and a week on when the CA declares none', async () => {
    const pki = await issuePki({ root: cert({ ca: true }) }, now);
    const crl = new x509.X509Crl(pki.crls.get('root')!);
    expect(crl.thisUpdate.toISOString()).toBe(now.toISOString());
    expect(crl.nextUpdate?.toISOString()).toBe('2026-06-08T12:00:00.000Z');
  });

  it('follow the CA\'s crl block, relative to now: a CRL past its nextUpdate', async () => {
    const pki = await issuePki({ root: cert({ ca: true }), issuing: cert({ issuer: 'root', ca: true, crl: { thisUpdate: '-174h', nextUpdate: '-6h' } }) }, now);
    const crl = new x509.X509Crl(pki.crls.get('issuing')!);
    expect(crl.thisUpdate.toISOString()).toBe('2026-05-25T06:00:00.000Z');
    expect(crl.nextUpdate?.toISOString()).toBe('2026-06-01T06:00:00.000Z');
    expect(await crl.verify({ publicKey: pki.certificates.get('issuing')!.certificate.publicKey })).toBe(true);
  });

  it('default to an hour ago and a week on in a declared block', () => {
    expect(cert({ ca: true, crl: {} }).crl).toEqual({ thisUpdate: '-1h', nextUpdate: '+7d' });
  });

  it('must end after they begin: a TypeError naming the CA and the way out', async () => {
    await expect(issuePki({ root: cert({ ca: true, crl: { thisUpdate: '-1h', nextUpdate: '-2h' } }) }, now)).rejects.toThrow(/CRL of "root" has nextUpdate "-2h" not after thisUpdate "-1h"/);
  });
});
