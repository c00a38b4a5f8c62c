import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, certificate, connection, corp, report, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import { applyFaults, applyFixes } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('stale-crl', {
  pki: {
    'corp-root': { ca: true },
    'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
    'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', clientAuth: 'none' } },
});

describe('stale-crl, the transform and its fix', () => {
  it("dates the CA's last CRL a week and overdueHours ago, due overdueHours ago", () => {
    const broken = applyFaults(lab, [{ kind: 'stale-crl', target: 'corp-issuing', params: { overdueHours: 10 } }]);
    expect(broken.pki['corp-issuing']!.crl).toEqual({ thisUpdate: '-178h', nextUpdate: '-10h' });
    expect(lab.pki['corp-issuing']!.crl).toBeUndefined();
  });

  it('is undone by publishing a fresh CRL, due in a week', () => {
    const broken = applyFaults(lab, [{ kind: 'stale-crl', target: 'corp-issuing', params: {} }]);
    expect(broken.pki['corp-issuing']!.crl!.nextUpdate).toBe('-6h');
    expect(applyFixes(broken, [{ action: 'publish-crl', target: 'corp-issuing', params: {} }]).pki['corp-issuing']!.crl).toEqual({ thisUpdate: '-1h', nextUpdate: '+7d' });
  });

  it('refuses a leaf, which publishes no CRL, and hours out of bounds', () => {
    expect(() => applyFaults(lab, [{ kind: 'stale-crl', target: 'auth-server', params: {} }])).toThrow(/"auth-server" is not a CA/);
    expect(() => applyFixes(lab, [{ action: 'publish-crl', target: 'auth-server', params: {} }])).toThrow(/only a CA publishes a CRL/);
    expect(() => applyFaults(lab, [{ kind: 'stale-crl', target: 'corp-issuing', params: { overdueHours: 721 } }])).toThrow(/a whole number from 1 to 720/);
  });
});

describe('stale-crl, the verdict', () => {
  const verdict = (messages: Parameters<typeof connection>[1], processEvents: Parameters<typeof traceDecoded>[0]['processEvents']) =>
    connectionVerdict(1, traceDecoded({ sandbox: 's', connections: [connection(1, messages)], processEvents }));

  it("names it from the server's verify error 12, before the alert 45 it sent for it", () => {
    const v = verdict(
      [...serverFlight(0, [], [corp.server, corp.intermediate]), certificate('c2s', 2000, [corp.client, corp.intermediate]), alert('s2c', 3000, 45, 'certificate_expired')],
      [report('tls-error', 'service', 'auth', 2500, 1, 'CRL_HAS_EXPIRED', 'CRL has expired')],
    )!;
    expect(v).toMatchObject({ rootCause: 'stale-crl', detectedBy: 'server', evidence: { message: 'Certificate', field: 'issuer', value: corp.issuing } });
  });

  it('leaves a bare alert 45 with every date good to expired-cert, naming stale-crl as the alternative (a capture holds no CRL)', () => {
    const v = verdict([...serverFlight(0, [], [corp.server, corp.intermediate]), certificate('c2s', 2000, [corp.client, corp.intermediate]), alert('s2c', 3000, 45, 'certificate_expired')], [])!;
    expect(v).toMatchObject({ rootCause: 'expired-cert', alternatives: ['stale-crl'] });
    expect(v.summary).toContain('though none on the wire is');
  });
});
