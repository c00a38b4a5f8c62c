import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, connection, corp, report, serverFlight } from '../explain/testing.js';
import { verdictsForSandbox } from '../explain/verdict.js';
import type { ProcessEvent } from '../runtime/index.js';
import { applyFaults, applyFixes } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('renewed-not-reloaded', {
  pki: {
    'corp-root': { ca: true },
    'payments-server': { issuer: 'corp-root', commonName: 'payments.corp.test', san: ['dns:payments.corp.test'], eku: ['serverAuth'] },
  },
  services: { payments: { host: 'payments.corp.test', cert: 'payments-server', trust: ['corp-root'] } },
});

describe('renewed-not-reloaded, the transform and its fix', () => {
  it("starts the service on its certificate's predecessor: same subject and names, expired six hours ago", () => {
    const broken = applyFaults(lab, [{ kind: 'renewed-not-reloaded', target: 'payments', params: {} }]);
    expect(broken.services.payments!.loaded).toBe('payments-server-previous');
    expect(broken.services.payments!.cert).toBe('payments-server');
    expect(broken.pki['payments-server-previous']).toMatchObject({ commonName: 'payments.corp.test', san: ['dns:payments.corp.test'], validity: { notBefore: '-90d', notAfter: '-6h' } });
    expect(lab.services.payments!.loaded).toBeUndefined();
  });

  it('is undone by a reload: the service serves what its files hold', () => {
    const broken = applyFaults(lab, [{ kind: 'renewed-not-reloaded', target: 'payments', params: {} }]);
    expect(applyFixes(broken, [{ action: 'reload', target: 'payments', params: {} }]).services.payments!.loaded).toBeUndefined();
  });
});

describe('renewed-not-reloaded, the verdict: the served leaf against the renewed file', () => {
  const subject = 'O=mtls-lab, CN=payments-server';
  const served = { subject, issuer: corp.issuing, notBefore: '2026-03-01T00:00:00.000Z', notAfter: '2026-06-01T06:00:00.000Z', sha256: 'aa' };
  const refusedConnection = connection(1, [...serverFlight(0, [], [served, corp.intermediate]), alert('c2s', 2000, 45, 'certificate_expired')], { service: 'payments' });
  const renewal = (fields: Partial<NonNullable<ProcessEvent['certificate']>> = {}): ProcessEvent => ({
    t: 0, role: 'service', name: 'payments', kind: 'files-renewed', message: 'the renewal job rewrote …',
    certificate: { subject, serialNumber: '0b:0b', notAfter: '2026-09-01T00:00:00.000Z', sha256: 'bb', ...fields },
  });
  const verdicts = (processEvents: ProcessEvent[]) => verdictsForSandbox(traceDecoded({ sandbox: 's', connections: [refusedConnection], processEvents })).verdicts;

  it('names it where the sandbox renewed the files under the service, citing the served certificate', () => {
    const [v] = verdicts([renewal()]);
    expect(v).toMatchObject({ rootCause: 'renewed-not-reloaded', detectedBy: 'client', evidence: { message: 'Certificate', field: 'serialNumber' } });
    expect(v!.summary).toContain("while payments' files on disk hold its renewal, serial 0b:0b, valid until 2026-09-01 00:00 UTC");
    expect(v!.summary).toContain('refused it (alert certificate_expired (45))');
  });

  it('says expired-cert for the same bytes without the renewal (a capture brought to decode)', () => {
    expect(verdicts([])).toEqual([expect.objectContaining({ rootCause: 'expired-cert' })]);
  });

  it('says expired-cert when the file holds the same certificate, or one for another subject', () => {
    expect(verdicts([renewal({ sha256: 'aa' })])).toEqual([expect.objectContaining({ rootCause: 'expired-cert' })]);
    expect(verdicts([renewal({ subject: 'O=mtls-lab, CN=other' })])).toEqual([expect.objectContaining({ rootCause: 'expired-cert' })]);
  });

  it('shows the renewal in the lane without a connection, its serial beside the one on the wire', () => {
    const trace = traceDecoded({ sandbox: 's', connections: [], processEvents: [renewal(), report('client-error', 'client', 'checkout', 5, undefined, 'CERT_HAS_EXPIRED', 'certificate has expired')] });
    const event = trace.find((e) => e.type === 'files-renewed')!;
    expect(event).toMatchObject({ conn: 0, side: 'server', severity: 'info' });
    expect(event.fields!.map((f) => [f.name, f.value])).toEqual(expect.arrayContaining([['serialNumber', '0b:0b'], ['notAfter', '2026-09-01T00:00:00.000Z']]));
  });
});
