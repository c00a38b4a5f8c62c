import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { applicationData, certificate, connection, corp, handshake, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import { applyFaults, applyFixes, FaultError, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('identity-not-allowed', {
  pki: {
    'corp-root': { ca: true },
    'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-root', san: ['dns:payments.corp.test', 'uri:spiffe://corp.test/sa/payments'], eku: ['clientAuth'] },
  },
  services: {
    auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['corp-root'], allow: ['uri:spiffe://corp.test/sa/payments'] },
    open: { host: 'open.corp.test', cert: 'auth-server', trust: ['corp-root'] },
  },
  clients: {
    payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'] },
    scraper: { calls: 'open', cert: 'payments-client', trust: ['corp-root'] },
  },
});

describe('identity-not-allowed, the transform and its fix', () => {
  it("renames the caller's URI SAN and keeps its other names", () => {
    const broken = applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'payments', params: {} }]);
    expect(broken.pki['payments-client']!.san).toEqual(['dns:payments.corp.test', 'uri:spiffe://corp.test/sa/payments-v2']);
    expect(lab.pki['payments-client']!.san).toContain('uri:spiffe://corp.test/sa/payments');
    const named = applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'payments', params: { identity: 'uri:spiffe://corp.test/sa/pay-api' } }]);
    expect(named.pki['payments-client']!.san.at(-1)).toBe('uri:spiffe://corp.test/sa/pay-api');
  });

  it('refuses a caller of a service with no allow list, and an identity that is not a URI', () => {
    expect(() => applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'scraper', params: {} }])).toThrow(FaultError);
    expect(() => applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'scraper', params: {} }])).toThrow(/open, which scraper calls, has no allow list/);
    expect(() => applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'payments', params: { identity: 'dns:payments.corp.test' } }])).toThrow(ParamsError);
  });

  it('is undone by putting the new identity on the list, once', () => {
    const broken = applyFaults(lab, [{ kind: 'identity-not-allowed', target: 'payments', params: {} }]);
    const fix = { action: 'allow-identity', target: 'auth', params: { identity: 'uri:spiffe://corp.test/sa/payments-v2' } };
    const fixed = applyFixes(applyFixes(broken, [fix]), [fix]);
    expect(fixed.services.auth!.allow).toEqual(['uri:spiffe://corp.test/sa/payments', 'uri:spiffe://corp.test/sa/payments-v2']);
    expect(() => applyFixes(broken, [{ ...fix, params: {} }])).toThrow(/params.identity: expected an identity like/);
  });
});

describe('identity-not-allowed, the verdict from the bytes', () => {
  const renamed = { ...corp.client, san: ['url:spiffe://corp.test/ns/pay/sa/payments-api'] };
  const verdict = (status: string) =>
    connectionVerdict(1, traceDecoded({ sandbox: 's', connections: [connection(1, [
      ...serverFlight(0, [corp.root], [corp.server, corp.intermediate]),
      certificate('c2s', 2000, [renamed, corp.intermediate]),
      handshake('Finished', 'c2s', 2000),
      applicationData('c2s', 2100, 'GET / HTTP/1.1'),
      applicationData('s2c', 3000, status),
    ])], processEvents: [] }));

  it('names a decrypted 403 after a clean handshake, citing the URI SAN of the client Certificate', () => {
    const v = verdict('HTTP/1.1 403 Forbidden')!;
    expect(v).toMatchObject({ rootCause: 'identity-not-allowed', detectedBy: 'server', severity: 'error', evidence: { message: 'Certificate', field: 'subjectAltName', value: 'url:spiffe://corp.test/ns/pay/sa/payments-api' } });
    expect(v.summary).toContain('its identity (spiffe://corp.test/ns/pay/sa/payments-api) is not on');
  });

  it('finds nothing when the same caller is served', () => {
    expect(verdict('HTTP/1.1 200 OK')).toBeUndefined();
  });
});
