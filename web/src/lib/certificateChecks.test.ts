import { describe, expect, it } from 'vitest';
import type { CertificateHolder, InspectedCertificate } from '../../../server/app/protocol.ts';
import { chainFindings, verifiersOf, type CheckedCertificate, type Verifier } from './certificateChecks.ts';

const now = Date.parse('2031-03-01T10:00:00.000Z');
const root: CheckedCertificate = { subject: 'CN=Corp Root CA', issuer: 'CN=Corp Root CA', sha256: 'aa' };
const issuing: CheckedCertificate = { subject: 'CN=Corp Issuing CA 1', issuer: 'CN=Corp Root CA', notBefore: '2030-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z' };
const leaf = (more: Partial<CheckedCertificate> = {}): CheckedCertificate => ({
  subject: 'CN=payments-client',
  issuer: 'CN=Corp Issuing CA 1',
  notBefore: '2031-01-01T00:00:00.000Z',
  notAfter: '2031-12-01T00:00:00.000Z',
  extendedKeyUsage: ['clientAuth'],
  subjectAltNames: ['url:spiffe://corp.test/ns/pay/sa/payments'],
  ...more,
});
const auth: Verifier = { name: 'auth', file: 'trust-corp-root.pem', anchors: [root] };
const client = { role: 'client' as const, atMs: now, verifiers: [auth] };

describe('chainFindings', () => {
  it('finds nothing wrong with a valid chain that leads to an anchor', () => {
    expect(chainFindings([leaf(), issuing], client)).toEqual([]);
  });

  it('flags an expired certificate as a failure, with its notAfter', () => {
    const [finding] = chainFindings([leaf({ notAfter: '2031-02-28T10:00:00.000Z' }), issuing], client);
    expect(finding).toEqual({ tone: 'fail', icon: '✗', text: 'expired 1 day ago (notAfter 2031-02-28 10:00 UTC)', at: 0 });
  });

  it('flags a certificate not valid yet', () => {
    expect(chainFindings([leaf({ notBefore: '2031-03-02T10:00:00.000Z' }), issuing], client)[0]?.text).toMatch(/^not valid yet: valid from 2031-03-02 10:00 UTC, in 1 day$/);
  });

  it('says when a chain stops at its leaf and its issuer is not an anchor of the peer', () => {
    expect(chainFindings([leaf()], client)).toEqual([
      { tone: 'warn', icon: '⚠', text: "the chain stops at the leaf, and its issuer CN=Corp Issuing CA 1 is not among auth's trust anchors (trust-corp-root.pem: CN=Corp Root CA)" },
    ]);
  });

  it('accepts a leaf issued straight by an anchor', () => {
    expect(chainFindings([leaf({ issuer: 'CN=Corp Root CA' })], client)).toEqual([]);
  });

  it("says when the chain leads to a CA the peer does not trust", () => {
    const other: Verifier = { name: 'ledger', file: 'trust-corp-root-2026.pem', anchors: [{ subject: 'CN=Corp Root CA 2026' }] };
    const [finding] = chainFindings([leaf(), issuing], { ...client, verifiers: [other] });
    expect(finding?.text).toBe("the chain ends at CN=Corp Issuing CA 1, whose issuer CN=Corp Root CA is not among ledger's trust anchors (trust-corp-root-2026.pem: CN=Corp Root CA 2026)");
  });

  it('says when the certificates are out of order', () => {
    const findings = chainFindings([leaf(), root], client);
    expect(findings).toContainEqual({ tone: 'warn', icon: '⚠', text: 'certificate 2 (CN=Corp Root CA) is not the issuer of certificate 1, which names CN=Corp Issuing CA 1', at: 1 });
  });

  it('checks the key purpose for the role', () => {
    expect(chainFindings([leaf(), issuing], { ...client, role: 'service' })[0]?.text).toBe('its extended key usage (clientAuth) has no serverAuth');
    expect(chainFindings([leaf({ extendedKeyUsage: undefined }), issuing], { ...client, role: 'service' })).toEqual([]);
  });

  it('checks that a service leaf names the host its callers dial, wildcards included', () => {
    const server = { ...client, role: 'service' as const, host: 'auth.corp.test' };
    const named = (san: string[]) => leaf({ extendedKeyUsage: ['serverAuth'], subjectAltNames: san });
    expect(chainFindings([named(['dns:auth.corp.test']), issuing], server)).toEqual([]);
    expect(chainFindings([named(['dns:*.corp.test']), issuing], server)).toEqual([]);
    expect(chainFindings([named(['dns:*.test']), issuing], server)[0]?.text).toBe('auth.corp.test is not among its subject alternative names (dns:*.test)');
  });

  it('checks nothing against anchors when no peer has a bundle of its own', () => {
    expect(chainFindings([leaf()], { ...client, verifiers: [] })).toEqual([]);
  });
});

describe('verifiersOf', () => {
  const file = (name: string, certificates: CheckedCertificate[]) => ({ file: name, certificates: certificates as InspectedCertificate[] });
  const holders: CertificateHolder[] = [
    { role: 'service', name: 'auth', peers: ['payments', 'browser'], sends: null, trusts: file('trust-corp-root.pem', [root]) },
    { role: 'client', name: 'payments', peers: ['auth'], sends: null, trusts: file('trust-corp-root.pem', [root]) },
    { role: 'client', name: 'browser', peers: ['auth'], sends: null, trusts: null },
  ];

  it("gives a client's chain to the service it calls, and a service's to each caller with a bundle", () => {
    expect(verifiersOf(holders[1]!, holders).map((v) => v.name)).toEqual(['auth']);
    expect(verifiersOf(holders[0]!, holders).map((v) => v.name)).toEqual(['payments']);
  });
});
