import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../explain/traceEvent.js';
import { checkEdges, gradeDiagnosis, matchesEvidence, provesAnswer, scoreOf } from './grading.js';

const event = (over: Partial<TraceEvent>): TraceEvent => ({ sandbox: 's', conn: 1, seq: 0, t: 0, dir: 's2c', layer: 'handshake', type: 'Certificate', note: '', severity: 'info', side: 'server', ...over });
const alert = event({ layer: 'alert', type: 'alert certificate_expired (45)' });

describe('grading', () => {
  it('matches an alert by side and name', () => {
    expect(matchesEvidence(alert, { side: 'server', message: 'alert', alert: 'certificate_expired' })).toBe(true);
    expect(matchesEvidence(alert, { side: 'client', message: 'alert', alert: 'certificate_expired' })).toBe(false);
    expect(matchesEvidence(alert, { side: 'server', message: 'alert', alert: 'unknown_ca' })).toBe(false);
  });

  it('matches a message by type or layer', () => {
    expect(matchesEvidence(event({}), { side: 'server', message: 'Certificate' })).toBe(true);
    expect(matchesEvidence(event({ layer: 'plaintext', type: 'GET / HTTP/1.1', side: 'client', dir: 'c2s' }), { side: 'client', message: 'plaintext' })).toBe(true);
    expect(matchesEvidence(event({ type: 'ServerHello' }), { side: 'server', message: 'Certificate' })).toBe(false);
  });

  it('wants the right cause and the right event, and never names the answer when wrong', () => {
    const scenario = { symptom: '', question: '', answer: 'expired-cert', distractors: { 'wrong-ca': 'alert 45, not 48' }, evidence: [{ side: 'server' as const, message: 'alert', alert: 'certificate_expired' }], hints: [], fix: [], explain: '' };
    expect(gradeDiagnosis(scenario, 'expired-cert', alert).correct).toBe(true);
    expect(gradeDiagnosis(scenario, 'expired-cert', event({})).correct).toBe(false);
    const wrong = gradeDiagnosis(scenario, 'wrong-ca', alert);
    expect(wrong.correct).toBe(false);
    expect(wrong.reason).not.toMatch(/expired/i);
  });

  it('takes any of the evidence a lab lists, and nothing else', () => {
    const timeout = event({ conn: 0, layer: 'process', type: 'client-error', side: 'client', dir: 'none', fields: [{ name: 'code', label: '', start: 0, end: 0, value: 'ETIMEDOUT' }] });
    const hello = event({ type: 'ClientHello', side: 'client', dir: 'c2s' });
    const scenario = {
      symptom: '', question: '', answer: 'exhausted-pool', distractors: { none: 'requests time out' }, hints: [], fix: [], explain: '',
      evidence: [
        { side: 'client' as const, message: 'client-error', field: 'code', value: 'ETIMEDOUT' },
        { side: 'server' as const, message: 'alert', alert: 'certificate_expired' },
      ],
    };
    expect(provesAnswer(scenario, timeout)).toBe(true);
    expect(provesAnswer(scenario, alert)).toBe(true);
    expect(provesAnswer(scenario, hello)).toBe(false);
    expect(gradeDiagnosis(scenario, 'exhausted-pool', hello).correct).toBe(false);
  });

  it('speaks of what the lab shows, not of a failing connection it may not have', () => {
    const scenario = { symptom: '', question: '', answer: 'permissive-mode', distractors: { none: 'served with no identity' }, evidence: [{ side: 'client' as const, message: 'plaintext' }], hints: [], fix: [], explain: '' };
    const served = event({ layer: 'plaintext', type: 'HTTP/1.1 200 OK', side: 'server' });
    const wrong = gradeDiagnosis(scenario, 'none', served);
    expect(wrong.correct).toBe(false);
    expect(wrong.reason).not.toMatch(/fail/i);
    expect(gradeDiagnosis(scenario, 'permissive-mode', served).reason).toContain('HTTP/1.1 200 OK, from the server, connection 1');
  });

  it('charges dearer hints and wrong answers, never below zero', () => {
    expect(scoreOf(0, 0)).toBe(100);
    expect(scoreOf(2, 1)).toBe(60);
    expect(scoreOf(10, 10)).toBe(0);
  });

  it('matches a field by its value when the evidence gives one', () => {
    const empty = event({ side: 'client', dir: 'c2s', fields: [{ name: 'certificate_list', label: '', start: 0, end: 3, value: '0 certificates' }] });
    const evidence = { side: 'client' as const, message: 'Certificate', field: 'certificate_list' };
    expect(matchesEvidence(empty, { ...evidence, value: '0 certificates' })).toBe(true);
    expect(matchesEvidence(empty, { ...evidence, value: '2 certificates' })).toBe(false);
    expect(matchesEvidence(empty, evidence)).toBe(true);
  });

  it('wants a caller without a certificate (plaintext, or TLS with none) of an mTLS service refused, and every other edge all ok', () => {
    const spec = {
      pki: { root: { ca: true, san: [] }, 'crm-client': { issuer: 'root', san: [] } },
      services: { records: { clientAuth: 'require', mode: 'strict', trust: ['root'] } },
      clients: { crm: { protocol: 'tls', cert: 'crm-client' }, scanner: { protocol: 'plaintext' }, scraper: { protocol: 'tls' } },
    } as never;
    const edge = (client: string, ok: number, failed: number) => ({ client, service: 'records', requests: 2, ok, failed, timeouts: 0 }) as never;
    expect(checkEdges(spec, [edge('crm', 2, 0), edge('scanner', 0, 2), edge('scraper', 0, 2)]).every((c) => c.pass)).toBe(true);
    expect(checkEdges(spec, [edge('scanner', 2, 0)])[0]!.pass).toBe(false);
    expect(checkEdges(spec, [edge('scraper', 2, 0)])[0]).toMatchObject({ expect: 'refused', pass: false });
    expect(checkEdges(spec, [edge('crm', 1, 1)])[0]!.pass).toBe(false);
  });

  it("wants a caller refused whose certificate the service as written does not admit: another tenant's CA, an identity off the allow list", () => {
    const spec = {
      pki: {
        'acme-root': { ca: true, san: [] },
        'acme-issuing': { issuer: 'acme-root', ca: true, san: [] },
        'globex-root': { ca: true, san: [] },
        'invoices-client': { issuer: 'acme-issuing', san: ['uri:spiffe://acme.test/sa/invoices'] },
        'batch-client': { issuer: 'acme-issuing', san: ['uri:spiffe://acme.test/sa/batch'] },
        'globex-client': { issuer: 'globex-root', san: ['uri:spiffe://acme.test/sa/invoices'] },
      },
      services: {
        billing: { clientAuth: 'require', mode: 'strict', trust: ['acme-root'] },
        ledger: { clientAuth: 'require', mode: 'strict', trust: ['acme-root'], allow: ['uri:spiffe://acme.test/sa/invoices'] },
      },
      clients: {
        invoices: { protocol: 'tls', cert: 'invoices-client' },
        crawler: { protocol: 'tls', cert: 'globex-client' },
        batch: { protocol: 'tls', cert: 'batch-client' },
      },
    } as never;
    const edge = (client: string, service: string, ok: number) => ({ client, service, requests: 2, ok, failed: 2 - ok, timeouts: 0 }) as never;
    expect(checkEdges(spec, [edge('invoices', 'billing', 2), edge('crawler', 'billing', 0), edge('invoices', 'ledger', 2), edge('batch', 'ledger', 0), edge('batch', 'billing', 2)]).map((c) => [c.expect, c.pass])).toEqual([
      ['ok', true], ['refused', true], ['ok', true], ['refused', true], ['ok', true],
    ]);
    // Served when it must be refused: Verify stays red while the trust bundle is over-broad.
    expect(checkEdges(spec, [edge('crawler', 'billing', 2)])[0]).toMatchObject({ expect: 'refused', pass: false });
    expect(checkEdges(spec, [edge('batch', 'ledger', 2)])[0]).toMatchObject({ expect: 'refused', pass: false });
  });
});
