import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { verdictsForSandbox } from '../explain/verdict.js';
import type { ProcessEvent } from '../runtime/index.js';
import { applyFaults, applyFixes, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('key-mismatch', {
  pki: {
    'corp-root': { ca: true },
    'orders-server': { issuer: 'corp-root', san: ['dns:orders.corp.test'], eku: ['serverAuth'] },
    'orders-server-2025': { issuer: 'corp-root', san: ['dns:orders.corp.test'], eku: ['serverAuth'] },
  },
  services: { orders: { host: 'orders.corp.test', cert: 'orders-server', trust: ['corp-root'] } },
});

describe('key-mismatch, the transform and its fix', () => {
  it("deploys the key of the certificate's predecessor, issued a year earlier for the same names", () => {
    const broken = applyFaults(lab, [{ kind: 'key-mismatch', target: 'orders', params: {} }]);
    expect(broken.services.orders!.key).toBe('orders-server-previous');
    expect(broken.pki['orders-server-previous']).toMatchObject({ issuer: 'corp-root', san: ['dns:orders.corp.test'], validity: { notBefore: '-395d', notAfter: '-30d' } });
    expect(lab.services.orders!.key).toBeUndefined();
  });

  it("deploys another certificate's key when named, and refuses the certificate's own or a CA's", () => {
    expect(applyFaults(lab, [{ kind: 'key-mismatch', target: 'orders', params: { key: 'orders-server-2025' } }]).services.orders!.key).toBe('orders-server-2025');
    expect(() => applyFaults(lab, [{ kind: 'key-mismatch', target: 'orders', params: { key: 'orders-server' } }])).toThrow(/"orders-server" is orders' own certificate, whose key matches/);
    expect(() => applyFaults(lab, [{ kind: 'key-mismatch', target: 'orders', params: { key: 'corp-root' } }])).toThrow(ParamsError);
  });

  it('is undone by deploying the matching key', () => {
    const broken = applyFaults(lab, [{ kind: 'key-mismatch', target: 'orders', params: {} }]);
    expect(applyFixes(broken, [{ action: 'deploy-matching-key', target: 'orders', params: {} }]).services.orders!.key).toBeUndefined();
  });
});

describe("key-mismatch, the verdict from the service's own start-up error", () => {
  const event = (t: number, fields: Partial<ProcessEvent>): ProcessEvent => ({ t, role: 'service', name: 'orders', pid: 7, kind: 'start-error', ...fields });
  const refused = (t: number): ProcessEvent => ({ t, role: 'client', name: 'checkout', pid: 8, kind: 'client-error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.9:4000' });
  const verdicts = (...processEvents: ProcessEvent[]) => verdictsForSandbox(traceDecoded({ sandbox: 's', connections: [], processEvents })).verdicts;

  it("names it from Node's error, citing the start-up report; the refused connects are its symptom", () => {
    const [v] = verdicts(event(0, { code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH', message: 'error:05800074:x509 certificate routines::key values mismatch' }), refused(10), refused(20));
    expect(v).toMatchObject({ conn: 0, rootCause: 'key-mismatch', detectedBy: 'server', severity: 'error', evidence: { seq: 0, message: 'start-error' } });
    expect(v!.summary).toContain("its callers' 2 connects were refused (ECONNREFUSED), the symptom");
  });

  it("names it from s_server's stderr, which carries no code", () => {
    const message = 'error setting private key\n40E7:error:05800074:x509 certificate routines:X509_check_private_key:key values mismatch:../crypto/x509/x509_cmp.c:403:';
    expect(verdicts(event(0, { message }))).toEqual([expect.objectContaining({ rootCause: 'key-mismatch' })]);
  });

  it('leaves another start-up failure unknown, quoting it, and refused connects alone name nothing', () => {
    expect(verdicts(event(0, { message: 'unable to load certificate' }))).toEqual([expect.objectContaining({ rootCause: 'unknown', summary: 'orders did not start: "unable to load certificate"' })]);
    expect(verdicts(refused(10))).toEqual([]);
  });
});
