/**
 * Every kind of certificate the PKI issues, cross-checked with the real OpenSSL CLI on the
 * files writeMaterials writes: what a learner's `openssl verify` would print is what these
 * tests expect.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePki, type Pki } from './issuePki.js';
import { writeMaterials, type Materials } from './materials.js';
import { resolveRelativeTime } from './relativeTime.js';
import { pkiSpec } from './testing.js';

const lab = pkiSpec({
  'corp-root': { ca: true },
  'corp-policy': { issuer: 'corp-root', ca: true, pathLen: 1 },
  'corp-issuing': { issuer: 'corp-policy', ca: true, pathLen: 0 },
  'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test', 'ip:127.0.0.1'], eku: ['serverAuth'] },
  'payments-client': {
    issuer: 'corp-issuing',
    san: ['uri:spiffe://corp.test/ns/pay/sa/payments', 'email:payments@corp.test'],
    eku: ['clientAuth'],
    validity: { notBefore: '-365d', notAfter: '+30s' },
  },
  'expired-client': { issuer: 'corp-issuing', eku: ['clientAuth'], validity: { notBefore: '-91d', notAfter: '-1d' } },
  'future-client': { issuer: 'corp-issuing', eku: ['clientAuth'], validity: { notBefore: '+1d' } },
  'revoked-client': { issuer: 'corp-issuing', eku: ['clientAuth'], revoked: true },
  'no-san-server': { issuer: 'corp-issuing', eku: ['serverAuth'] },
  'too-deep-ca': { issuer: 'corp-issuing', ca: true },
  'too-deep-leaf': { issuer: 'too-deep-ca' },
  'partner-root': { ca: true },
  'partner-client': { issuer: 'partner-root', eku: ['clientAuth'] },
  'rsa-root': { ca: true, key: 'rsa-2048' },
  'rsa-issuing': { issuer: 'rsa-root', ca: true, key: 'rsa-2048' },
  'rsa-server': { issuer: 'rsa-issuing', key: 'rsa-2048', san: ['dns:rsa.corp.test'], eku: ['serverAuth'] },
  'ed-root': { ca: true, key: 'ed25519' },
  'ed-issuing': { issuer: 'ed-root', ca: true, key: 'ed25519' },
  'ed-server': { issuer: 'ed-issuing', key: 'ed25519', san: ['dns:ed.corp.test'], eku: ['serverAuth'] },
  'long-root': { ca: true, validity: { notAfter: '+30y' } },
});

let dir: string;
let issuedAt: Date;
let pki: Pki;
let materials: Materials;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mtls-lab-pki-'));
  issuedAt = new Date();
  pki = await issuePki(lab, issuedAt);
  materials = await writeMaterials(pki, dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real openssl; a non-zero exit is a result to assert on, not a test error. */
function openssl(...args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

/** `openssl verify -CAfile <root> -untrusted <leaf's chain file> [...options] <leaf>`. */
function verify(name: string, root: string, ...options: string[]) {
  const { cert, chain } = materials.paths(name);
  return openssl('verify', '-CAfile', materials.paths(root).cert, '-untrusted', chain, ...options, cert);
}

const text = (name: string) => openssl('x509', '-in', materials.paths(name).cert, '-noout', '-text').output;

describe('openssl verify', () => {
  it('accepts a leaf under two intermediates', () => {
    expect(verify('auth-server', 'corp-root')).toEqual({ ok: true, output: `${materials.paths('auth-server').cert}: OK\n` });
  });

  it('accepts the same chain through the trust bundle', async () => {
    const { cert, chain } = materials.paths('payments-client');
    const result = openssl('verify', '-CAfile', await materials.trustBundle(['corp-root']), '-untrusted', chain, cert);
    expect(result.ok).toBe(true);
  });

  it('rejects an expired leaf with "certificate has expired"', () => {
    const result = verify('expired-client', 'corp-root');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('certificate has expired');
  });

  it('rejects a not-yet-valid leaf with "certificate is not yet valid"', () => {
    const result = verify('future-client', 'corp-root');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('certificate is not yet valid');
  });

  it('rejects a CA under a pathLen 0 intermediate with "path length constraint exceeded"', () => {
    const result = verify('too-deep-leaf', 'corp-root');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('path length constraint exceeded');
  });

  it('rejects a leaf signed by another root with "unable to get local issuer certificate"', () => {
    const result = verify('partner-client', 'corp-root');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('unable to get local issuer certificate');
  });

  it('accepts a client certificate for the sslclient purpose', () => {
    expect(verify('payments-client', 'corp-root', '-purpose', 'sslclient').ok).toBe(true);
  });

  // OpenSSL 1.1 said "unsupported certificate purpose"; 3.0 renamed error 26 to "unsuitable".
  it('rejects a serverAuth-only certificate for the sslclient purpose with error 26, "unsuitable certificate purpose"', () => {
    const result = verify('auth-server', 'corp-root', '-purpose', 'sslclient');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('error 26 at 0 depth lookup: unsuitable certificate purpose');
  });

  it('matches a host name against the DNS SAN', () => {
    expect(verify('auth-server', 'corp-root', '-verify_hostname', 'auth.corp.test').ok).toBe(true);
  });

  it('rejects a certificate without SAN for a host name with "hostname mismatch"', () => {
    const result = verify('no-san-server', 'corp-root', '-verify_hostname', 'auth.corp.test');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('hostname mismatch');
  });

  it('accepts an RSA chain', () => {
    expect(verify('rsa-server', 'rsa-root').ok).toBe(true);
  });

  it('accepts an Ed25519 chain', () => {
    expect(verify('ed-server', 'ed-root').ok).toBe(true);
  });
});

describe('openssl verify -crl_check', () => {
  it('rejects a revoked leaf with "certificate revoked"', () => {
    const result = verify('revoked-client', 'corp-root', '-crl_check', '-CRLfile', materials.crlPath('corp-issuing'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('certificate revoked');
  });

  it("accepts a sibling that is not revoked with the same CRL", () => {
    expect(verify('payments-client', 'corp-root', '-crl_check', '-CRLfile', materials.crlPath('corp-issuing')).ok).toBe(true);
  });

  it("accepts the whole chain against every CA's CRL, empty ones included", async () => {
    const crls = join(dir, 'all-corp.crl.pem');
    const pems = await Promise.all(['corp-root', 'corp-policy', 'corp-issuing'].map((ca) => readFile(materials.crlPath(ca), 'utf8')));
    await writeFile(crls, pems.join(''));
    expect(verify('auth-server', 'corp-root', '-crl_check_all', '-CRLfile', crls)).toMatchObject({ ok: true });
  });

  it('reads the revoked serial number in its CA\'s CRL', () => {
    const serial = pki.certificates.get('revoked-client')!.certificate.serialNumber.toUpperCase();
    const crl = openssl('crl', '-in', materials.crlPath('corp-issuing'), '-noout', '-text').output;
    expect(crl).toContain(`Serial Number: ${serial}`);
    expect(crl).toContain('Key Compromise');
  });
});

describe('openssl x509 -text', () => {
  it('shows DNS and IP Address SANs', () => {
    expect(text('auth-server')).toContain('DNS:auth.corp.test, IP Address:127.0.0.1');
  });

  it('shows the SPIFFE ID as a URI SAN and the email SAN', () => {
    expect(text('payments-client')).toContain('URI:spiffe://corp.test/ns/pay/sa/payments, email:payments@corp.test');
  });

  it('shows the client EKU', () => {
    expect(text('payments-client')).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
  });

  it('shows a critical CA:TRUE with pathlen:0 on the issuing intermediate', () => {
    expect(text('corp-issuing')).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
  });

  it('shows a critical CA:FALSE on a leaf', () => {
    expect(text('auth-server')).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
  });

  it('shows a critical key usage of Certificate Sign and CRL Sign on a CA', () => {
    expect(text('corp-root')).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
  });

  it('shows no SAN section on a certificate issued without one', () => {
    expect(text('no-san-server')).not.toContain('Subject Alternative Name');
  });

  it("shows the RSA issuer's signature on an RSA chain", () => {
    expect(text('rsa-server')).toContain('Signature Algorithm: sha256WithRSAEncryption');
  });

  it('shows an Ed25519 signature on an Ed25519 chain', () => {
    expect(text('ed-server')).toContain('Signature Algorithm: ED25519');
  });
});

describe('openssl x509 -dates', () => {
  /** `notBefore=Nov 23 08:09:27 2026 GMT` → milliseconds since the epoch. */
  const dates = (name: string) => {
    const output = openssl('x509', '-in', materials.paths(name).cert, '-noout', '-dates').output;
    const read = (field: string) => new Date(output.match(new RegExp(`^${field}=(.+)$`, 'm'))![1]!).getTime();
    return { notBefore: read('notBefore'), notAfter: read('notAfter') };
  };
  const expected = (spec: string) => resolveRelativeTime(spec, issuedAt).getTime();
  const withinSeconds = 2000;

  it('reads the defaults of a leaf: -1h to +90d', () => {
    const { notBefore, notAfter } = dates('auth-server');
    expect(Math.abs(notBefore - expected('-1h'))).toBeLessThan(withinSeconds);
    expect(Math.abs(notAfter - expected('+90d'))).toBeLessThan(withinSeconds);
  });

  it('reads the default notAfter of a CA: +10y', () => {
    expect(Math.abs(dates('corp-root').notAfter - expected('+10y'))).toBeLessThan(withinSeconds);
  });

  it('reads requested validity: -365d to +30s', () => {
    const { notBefore, notAfter } = dates('payments-client');
    expect(Math.abs(notBefore - expected('-365d'))).toBeLessThan(withinSeconds);
    expect(Math.abs(notAfter - expected('+30s'))).toBeLessThan(withinSeconds);
  });

  it('reads an expired validity: -91d to -1d', () => {
    const { notBefore, notAfter } = dates('expired-client');
    expect(Math.abs(notBefore - expected('-91d'))).toBeLessThan(withinSeconds);
    expect(Math.abs(notAfter - expected('-1d'))).toBeLessThan(withinSeconds);
  });

  it('reads a notAfter past 2049, which X.509 encodes as GeneralizedTime (RFC 5280 §4.1.2.5)', () => {
    expect(Math.abs(dates('long-root').notAfter - expected('+30y'))).toBeLessThan(withinSeconds);
  });
});

describe('openssl pkey', () => {
  it.each(['auth-server', 'rsa-server', 'ed-server'])('reads the key file of %s as the private key of its certificate', (name) => {
    const { cert, key } = materials.paths(name);
    const fromKey = openssl('pkey', '-in', key, '-pubout');
    const fromCert = openssl('x509', '-in', cert, '-noout', '-pubkey');
    expect(fromKey.ok).toBe(true);
    expect(fromKey.output).toBe(fromCert.output);
  });
});
