import { describe, expect, it } from 'vitest';
import type { LabSpec } from '../lab/schema.js';
import { applyFaults, applyFixes, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab: LabSpec = unitLab('expired-cert', {
  pki: {
    'corp-root': { ca: true },
    'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
    'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-issuing', eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['corp-root'] } },
  clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'], tls: { maxVersion: 'TLSv1.2' } } },
});

/** The fault applied, then its fix: the spec the lab was written with. */
function roundTrip(kind: string, target: string, params: Record<string, unknown>, action: string, fixTarget = target): { broken: LabSpec; fixed: LabSpec } {
  const broken = applyFaults(lab, [{ kind, target, params }]);
  return { broken, fixed: applyFixes(broken, [{ action, target: fixTarget, params: {} }]) };
}

describe('port, version and cipher faults', () => {
  it('tls-to-plaintext-port turns the service port to plain HTTP; enforce-strict puts mTLS back', () => {
    const { broken, fixed } = roundTrip('tls-to-plaintext-port', 'auth', {}, 'enforce-strict');
    expect(broken.services.auth!.mode).toBe('disable');
    expect(fixed.services.auth!.mode).toBe('strict');
  });

  it('plaintext-to-strict-port makes the caller speak plaintext, keeping its certificate; speak-tls undoes it', () => {
    const { broken, fixed } = roundTrip('plaintext-to-strict-port', 'payments', {}, 'speak-tls');
    expect(broken.clients.payments).toMatchObject({ protocol: 'plaintext', cert: 'payments-client' });
    expect(fixed.clients.payments).toEqual(lab.clients.payments);
  });

  it('client-missing-intermediate leaves the client sending its leaf; send-full-chain sends the chain', () => {
    const { broken, fixed } = roundTrip('client-missing-intermediate', 'payments', {}, 'send-full-chain');
    expect(broken.clients.payments!.chain).toBe('leaf');
    expect(fixed.clients.payments!.chain).toBe('full');
  });

  it('protocol-version-mismatch pins the target to one version; allow-tls-versions lifts the pin', () => {
    const { broken, fixed } = roundTrip('protocol-version-mismatch', 'auth', { only: 'TLSv1.3' }, 'allow-tls-versions');
    expect(broken.services.auth!.tls).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(fixed.services.auth!.tls).toEqual({});
  });

  it('no-shared-cipher sets a TLS 1.2 cipher list; allow-default-ciphers drops it and keeps the versions', () => {
    const { broken, fixed } = roundTrip('no-shared-cipher', 'payments', {}, 'allow-default-ciphers');
    expect(broken.clients.payments!.tls).toEqual({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305' });
    expect(fixed.clients.payments!.tls).toEqual({ maxVersion: 'TLSv1.2' });
  });

  it('refuses a version that is not a TLS version, naming the choices', () => {
    const attempt = () => applyFaults(lab, [{ kind: 'protocol-version-mismatch', target: 'auth', params: { only: 'TLSv1.1' } }]);
    expect(attempt).toThrow(ParamsError);
    expect(attempt).toThrow('params.only: expected one of TLSv1.2, TLSv1.3 but found "TLSv1.1"');
  });

  it('refuses a cipher list that is not OpenSSL names joined by ":"', () => {
    expect(() => applyFaults(lab, [{ kind: 'no-shared-cipher', target: 'auth', params: { ciphers: 'aes; rm -rf' } }])).toThrow(/params\.ciphers: expected TLS 1\.2 cipher suites/);
  });

  it('refuses unknown params', () => {
    expect(() => applyFaults(lab, [{ kind: 'tls-to-plaintext-port', target: 'auth', params: { port: 80 } }])).toThrow(/unknown param "port"/);
  });
});
