import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, certificate, connection, corp, handshake, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import { applyFaults, applyFixes, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('expired-intermediate', {
  pki: {
    'corp-root': { ca: true },
    'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
    'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'web-server': { issuer: 'corp-root', san: ['dns:web.corp.test'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', clientAuth: 'none' } },
});

describe('expired-intermediate, the transform', () => {
  it('moves the CA notAfter into the past and keeps the leaves it signed in their dates', () => {
    const broken = applyFaults(lab, [{ kind: 'expired-intermediate', target: 'corp-issuing', params: { expiredDaysAgo: 5 } }]);
    expect(broken.pki['corp-issuing']!.validity).toEqual({ notBefore: '-1100d', notAfter: '-5d' });
    expect(broken.pki['auth-server']!.validity).toEqual({ notBefore: '-35d', notAfter: '+60d' });
    expect(broken.pki['web-server']!.validity).toEqual(lab.pki['web-server']!.validity);
    expect(lab.pki['corp-issuing']!.validity.notAfter).toBeUndefined();
  });

  it('is undone by re-issuing the CA', () => {
    const broken = applyFaults(lab, [{ kind: 'expired-intermediate', target: 'corp-issuing', params: {} }]);
    expect(broken.pki['corp-issuing']!.validity.notAfter).toBe('-2d');
    expect(applyFixes(broken, [{ action: 'reissue', target: 'corp-issuing', params: {} }]).pki['corp-issuing']!.validity).toEqual({ notBefore: '-1h' });
  });

  it('refuses a root or a leaf as its target', () => {
    expect(() => applyFaults(lab, [{ kind: 'expired-intermediate', target: 'corp-root', params: {} }])).toThrow(/"corp-root" is not an intermediate CA/);
    expect(() => applyFaults(lab, [{ kind: 'expired-intermediate', target: 'auth-server', params: {} }])).toThrow(/not an intermediate CA/);
  });

  it('refuses a day count out of its bounds, naming them', () => {
    expect(() => applyFaults(lab, [{ kind: 'expired-intermediate', target: 'corp-issuing', params: { expiredDaysAgo: 0 } }])).toThrow(ParamsError);
    expect(() => applyFaults(lab, [{ kind: 'expired-intermediate', target: 'corp-issuing', params: { expiredDaysAgo: 366 } }])).toThrow(/a whole number from 1 to 365/);
  });
});

describe('expired-intermediate, the verdict from the bytes', () => {
  const expiredCa = { ...corp.intermediate, notBefore: '2023-06-01T00:00:00.000Z', notAfter: '2026-05-30T00:00:00.000Z' };
  const verdict = (messages: Parameters<typeof connection>[1]) => connectionVerdict(1, traceDecoded({ sandbox: 's', connections: [connection(1, messages)], processEvents: [] }));

  it('names the CA at depth 1 from its notAfter on the wire, the leaf being valid, when a client sent alert 45', () => {
    const v = verdict([...serverFlight(0, [], [corp.server, expiredCa]), alert('c2s', 2000, 45, 'certificate_expired')])!;
    expect(v).toMatchObject({ rootCause: 'expired-intermediate', detectedBy: 'client', evidence: { message: 'Certificate', field: 'notAfter', value: '2026-05-30T00:00:00.000Z' } });
    expect(v.summary).toContain('CN=Corp Issuing CA 1 (depth 1) expired');
    expect(v.summary).toContain('3 days before this connection');
  });

  it('names it from the dates alone when the client closed without a reason', () => {
    const v = verdict([...serverFlight(0, [], [corp.server, expiredCa]), handshake('Finished', 'c2s', 2000)])!;
    expect(v).toMatchObject({ rootCause: 'expired-intermediate', detectedBy: 'client' });
  });

  it('leaves an expired leaf to expired-cert', () => {
    const v = verdict([...serverFlight(0, [], [{ ...corp.server, notAfter: '2026-05-31T00:00:00.000Z' }, expiredCa]), alert('c2s', 2000, 45, 'certificate_expired')])!;
    expect(v.rootCause).toBe('expired-cert');
  });

  it('names a client chain whose issuer expired, refused by the server', () => {
    const v = verdict([...serverFlight(0, [], [corp.server, corp.intermediate]), certificate('c2s', 2000, [corp.client, expiredCa]), alert('s2c', 3000, 45, 'certificate_expired')])!;
    expect(v).toMatchObject({ rootCause: 'expired-intermediate', detectedBy: 'server' });
  });
});
