import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { applicationData, certificate, connection, corp, report, serverFlight } from '../explain/testing.js';
import { verdictsForSandbox } from '../explain/verdict.js';
import { applyFaults, applyFixes, FaultError, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('over-broad-trust', {
  pki: {
    'acme-root': { ca: true },
    'acme-issuing': { issuer: 'acme-root', ca: true },
    'globex-root': { ca: true },
    'billing-server': { issuer: 'acme-issuing', san: ['dns:billing.acme.test'], eku: ['serverAuth'] },
  },
  services: { billing: { host: 'billing.acme.test', cert: 'billing-server', trust: ['acme-root'] } },
});

describe('over-broad-trust, the transform and its fix', () => {
  it("adds every root of the lab to the service's bundle, or the CA named", () => {
    expect(applyFaults(lab, [{ kind: 'over-broad-trust', target: 'billing', params: {} }]).services.billing!.trust).toEqual(['acme-root', 'globex-root']);
    expect(applyFaults(lab, [{ kind: 'over-broad-trust', target: 'billing', params: { add: 'globex-root' } }]).services.billing!.trust).toEqual(['acme-root', 'globex-root']);
  });

  it('refuses a CA the lab lacks, and a bundle it cannot widen', () => {
    expect(() => applyFaults(lab, [{ kind: 'over-broad-trust', target: 'billing', params: { add: 'nope' } }])).toThrow(ParamsError);
    const wide = applyFaults(lab, [{ kind: 'over-broad-trust', target: 'billing', params: {} }]);
    expect(() => applyFaults(wide, [{ kind: 'over-broad-trust', target: 'billing', params: {} }])).toThrow(FaultError);
  });

  it("is undone by trusting only the root behind the service's own certificate, or the CA named", () => {
    const wide = applyFaults(lab, [{ kind: 'over-broad-trust', target: 'billing', params: {} }]);
    expect(applyFixes(wide, [{ action: 'trust-own-ca', target: 'billing', params: {} }]).services.billing!.trust).toEqual(['acme-root']);
    expect(applyFixes(wide, [{ action: 'trust-own-ca', target: 'billing', params: { trust: 'acme-issuing' } }]).services.billing!.trust).toEqual(['acme-issuing']);
    expect(() => applyFixes(wide, [{ action: 'trust-own-ca', target: 'billing', params: { trust: 'billing-server' } }])).toThrow(/"billing-server" is not a CA/);
  });
});

describe('over-broad-trust, the finding from the bytes', () => {
  const globex = { subject: 'O=mtls-lab, CN=crawler', issuer: 'O=mtls-lab, CN=Globex Tenant CA', san: ['url:spiffe://globex.test/ns/app/sa/crawler'] };
  const findings = (client: typeof globex) =>
    verdictsForSandbox(traceDecoded({
      sandbox: 's',
      connections: [connection(1, [...serverFlight(0, [corp.root, 'O=mtls-lab, CN=Globex Tenant CA'], [corp.server, corp.intermediate]), certificate('c2s', 2000, [client]), applicationData('s2c', 3000, 'HTTP/1.1 200 OK')])],
      processEvents: [report('request', 'service', 'auth', 3000, 1, '200', 'GET / → 200')],
    })).verdicts;

  it("names a served client whose chain leads to another root than the service's own, as a warning", () => {
    expect(findings(globex)).toEqual([expect.objectContaining({ rootCause: 'over-broad-trust', severity: 'warning', detectedBy: 'server', evidence: expect.objectContaining({ message: 'Certificate', field: 'issuer', value: globex.issuer }) })]);
    expect(findings(globex)[0]!.summary).toContain('its CertificateRequest lists 2 CAs');
  });

  it("finds nothing in a served client of the service's own CA, nor of its own trust domain under another root (a rotation's overlap)", () => {
    expect(findings({ ...corp.client, issuer: corp.root })).toEqual([]);
    expect(findings({ ...corp.client, issuer: 'O=mtls-lab, CN=Corp Root CA 2026' })).toEqual([]);
    expect(findings({ ...globex, san: [] })).toEqual([]);
  });
});
