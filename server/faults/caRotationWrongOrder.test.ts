import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, applicationData, certificate, connection, corp, report, serverFlight } from '../explain/testing.js';
import { verdictsForSandbox } from '../explain/verdict.js';
import { applyFaults, applyFixes, FaultError, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('ca-rotation-wrong-order', {
  pki: {
    'old-root': { ca: true },
    'old-issuing': { issuer: 'old-root', ca: true },
    'new-root': { ca: true },
    'new-issuing': { issuer: 'new-root', ca: true },
    'auth-server': { issuer: 'old-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'a-client': { issuer: 'old-issuing', eku: ['clientAuth'] },
    'b-client': { issuer: 'old-root', eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['old-root', 'new-root'] } },
  clients: {
    a: { calls: 'auth', cert: 'a-client', trust: ['old-root', 'new-root'] },
    b: { calls: 'auth', cert: 'b-client', trust: ['old-root'] },
  },
});

describe('ca-rotation-wrong-order, the transform and its fix', () => {
  it('re-issues every leaf under another root by the new CA, and leaves the CAs alone', () => {
    const broken = applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: {} }]);
    expect(Object.fromEntries(Object.entries(broken.pki).map(([name, cert]) => [name, cert.issuer]))).toEqual({
      'old-root': undefined, 'old-issuing': 'old-root', 'new-root': undefined, 'new-issuing': 'new-root',
      'auth-server': 'new-issuing', 'a-client': 'new-issuing', 'b-client': 'new-issuing',
    });
  });

  it('moves only the leaves under params.from', () => {
    const broken = applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: { from: 'old-issuing' } }]);
    expect([broken.pki['auth-server']!.issuer, broken.pki['a-client']!.issuer, broken.pki['b-client']!.issuer]).toEqual(['new-issuing', 'new-issuing', 'old-root']);
  });

  it('refuses a leaf as the new CA, an unknown CA as from, and a rotation that moves nothing', () => {
    expect(() => applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'a-client', params: {} }])).toThrow(/"a-client" is not a CA/);
    expect(() => applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: { from: 'nope' } }])).toThrow(ParamsError);
    const moved = applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: {} }]);
    expect(() => applyFaults(moved, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: {} }])).toThrow(FaultError);
  });

  it('is undone by adding the new root to the bundle that lacks it, keeping the old one', () => {
    const broken = applyFaults(lab, [{ kind: 'ca-rotation-wrong-order', target: 'new-issuing', params: {} }]);
    expect(applyFixes(broken, [{ action: 'trust-issuer', target: 'b', params: {} }]).clients.b!.trust).toEqual(['old-root', 'new-root']);
  });
});

describe('ca-rotation-wrong-order, the verdict from the bytes', () => {
  const newIssuing = { subject: 'O=mtls-lab, CN=Corp Issuing CA 2026', issuer: 'O=mtls-lab, CN=Corp Root CA 2026' };
  const server = { ...corp.server, issuer: newIssuing.subject, sha256: 'ab' };
  const served = (id: number) => connection(id, [...serverFlight(0, [], [server, newIssuing]), certificate('c2s', 2000, [corp.client, corp.intermediate]), applicationData('c2s', 2100, 'GET / HTTP/1.1'), applicationData('s2c', 3000, 'HTTP/1.1 200 OK')]);
  const refused = (id: number) => connection(id, [...serverFlight(0, [], [server, newIssuing]), alert('c2s', 2000, 48, 'unknown_ca')]);
  const verdicts = (connections: ReturnType<typeof connection>[], processEvents: ReturnType<typeof report>[] = []) => verdictsForSandbox(traceDecoded({ sandbox: 's', connections, processEvents })).verdicts;

  it('names the rotation when another connection was served with the certificate this client refused', () => {
    expect(verdicts([served(1), refused(2)], [report('request', 'service', 'auth', 3100, 1, '200', 'GET / → 200; you are CN=payments-client')])).toEqual([expect.objectContaining({ conn: 2, rootCause: 'ca-rotation-wrong-order', detectedBy: 'client', alternatives: ['wrong-ca'], evidence: expect.objectContaining({ message: 'Certificate', field: 'issuer', value: newIssuing.issuer }) })]);
  });

  it('leaves a refusal no one else contradicts to wrong-ca', () => {
    expect(verdicts([refused(1)]).map((v) => v.rootCause)).toEqual(['wrong-ca']);
  });
});
