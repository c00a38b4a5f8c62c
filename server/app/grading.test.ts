import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../explain/traceEvent.js';
import { applyFaults, applyFixes } from '../faults/index.js';
import { loadLab } from '../lab/index.js';
import { checkEdges, gradeDiagnosis, gradeIncident, isWrongFix, matchesEvidence, provesAnswer, scoreOf, verifyPlan } from './grading.js';

const event = (over: Partial<TraceEvent>): TraceEvent => ({ sandbox: 's', conn: 1, seq: 0, t: 0, dir: 's2c', layer: 'handshake', type: 'Certificate', note: '', severity: 'info', side: 'server', ...over });
/** Verify's plan for a cause that fails every handshake: a few requests, no load. */
const few = { requests: 5 };
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

  it('grades an incident by its fault\'s root cause and a connection the explainer puts down to it, never naming the answer when wrong', () => {
    const expired = { rootCause: 'expired-cert', evidence: { seq: 7 } };
    expect(gradeIncident('expired-cert', 'expired-cert', alert, expired).correct).toBe(true);
    expect(gradeIncident('expired-cert', 'expired-cert', event({ seq: 7 }), expired).correct).toBe(true);
    expect(gradeIncident('expired-cert', 'expired-cert', event({ seq: 9, layer: 'process', type: 'client-error', severity: 'error' }), expired).correct).toBe(true);
    // The right cause, pinned on a message that proves nothing, or on a connection that failed for another reason.
    expect(gradeIncident('expired-cert', 'expired-cert', event({ seq: 3 }), expired).correct).toBe(false);
    expect(gradeIncident('expired-cert', 'expired-cert', alert, { rootCause: 'wrong-ca', evidence: { seq: 0 } }).correct).toBe(false);
    expect(gradeIncident('expired-cert', 'expired-cert', alert, undefined).correct).toBe(false);
    const wrong = gradeIncident('expired-cert', 'wrong-ca', alert, expired);
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

  it('charges dearer hints, wrong answers and wrong fixes, never below zero', () => {
    expect(scoreOf(0, 0, 0)).toBe(100);
    expect(scoreOf(2, 1, 0)).toBe(60);
    expect(scoreOf(0, 0, 1)).toBe(90);
    expect(scoreOf(2, 1, 2)).toBe(40);
    expect(scoreOf(10, 10, 10)).toBe(0);
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
    expect(checkEdges(spec, few, [edge('crm', 2, 0), edge('scanner', 0, 2), edge('scraper', 0, 2)]).every((c) => c.pass)).toBe(true);
    expect(checkEdges(spec, few, [edge('scanner', 2, 0)])[0]!.pass).toBe(false);
    expect(checkEdges(spec, few, [edge('scraper', 2, 0)])[0]).toMatchObject({ expect: 'refused', pass: false });
    expect(checkEdges(spec, few, [edge('crm', 1, 1)])[0]!.pass).toBe(false);
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
    expect(checkEdges(spec, few, [edge('invoices', 'billing', 2), edge('crawler', 'billing', 0), edge('invoices', 'ledger', 2), edge('batch', 'ledger', 0), edge('batch', 'billing', 2)]).map((c) => [c.expect, c.pass])).toEqual([
      ['ok', true], ['refused', true], ['ok', true], ['refused', true], ['ok', true],
    ]);
    // Served when it must be refused: Verify stays red while the trust bundle is over-broad.
    expect(checkEdges(spec, few, [edge('crawler', 'billing', 2)])[0]).toMatchObject({ expect: 'refused', pass: false });
    expect(checkEdges(spec, few, [edge('batch', 'ledger', 2)])[0]).toMatchObject({ expect: 'refused', pass: false });
  });

  it('says per edge what it expects, in words', () => {
    const spec = {
      pki: { root: { ca: true, san: [] } },
      services: { records: { clientAuth: 'require', mode: 'strict', trust: ['root'] } },
      clients: { scanner: { protocol: 'plaintext' }, scraper: { protocol: 'tls' } },
    } as never;
    const edge = (client: string) => ({ client, service: 'records', requests: 2, ok: 0, failed: 2, timeouts: 0, handshakesPerRequest: 0 }) as never;
    expect(checkEdges(spec, few, [edge('scanner'), edge('scraper')]).map((c) => c.why)).toEqual([
      'a plaintext caller must be refused: records requires mTLS',
      'a caller without a certificate must be refused: records requires one',
    ]);
  });

  it("sends the incident's own load when the cause shows only under it, and holds every answered edge to its handshake bound", () => {
    const spec = {
      pki: { root: { ca: true, san: [] }, 'checkout-client': { issuer: 'root', san: [] } },
      services: { inventory: { clientAuth: 'require', mode: 'strict', trust: ['root'] } },
      clients: { checkout: { protocol: 'tls', cert: 'checkout-client', rps: 150 }, audit: { protocol: 'tls', cert: 'checkout-client', rps: 2 } },
    } as never;
    expect(verifyPlan(spec, ['expired-cert'], 5)).toEqual({ requests: 5 });
    const plan = verifyPlan(spec, ['exhausted-pool'], 5);
    expect(plan).toEqual({ requests: 450, healthy: { loadSeconds: 3, maxHandshakesPerRequest: 0.3 } });
    const edge = (ok: number, timeouts: number, handshakesPerRequest: number) =>
      ({ client: 'checkout', service: 'inventory', requests: 450, ok, failed: 450 - ok, timeouts, handshakesPerRequest }) as never;
    expect(checkEdges(spec, plan, [edge(450, 0, 0.04)])[0]).toMatchObject({
      pass: true,
      why: 'every request must be answered, at 150 requests a second for 3 s, with fewer than 0.3 full handshakes per request',
    });
    // Every request answered, but a connection each: not repaired.
    expect(checkEdges(spec, plan, [edge(450, 0, 1)])[0]!.pass).toBe(false);
    // As the broken pool did: most requests timed out in the queue.
    expect(checkEdges(spec, plan, [edge(40, 410, 0.36)])[0]!.pass).toBe(false);
    // Without the load the bound is not asked for.
    expect(checkEdges(spec, few, [edge(450, 0, 1)])[0]!.pass).toBe(true);
  });

  it("charges a fix that is not the lab's own and changes nothing the faults changed; never the lab's own", async () => {
    // The rotation's repair gives the caller's bundle the new root: a field the fault never touched.
    const { spec } = await loadLab(new URL('../../labs/ca-rotation-wrong-order.yaml', import.meta.url).pathname);
    const broken = applyFaults(spec, spec.faults);
    const wrong = (fix: { action: string; target: string }) => isWrongFix(spec, broken, broken, { ...fix, params: {} }, applyFixes(broken, [{ ...fix, params: {} }]));
    expect(wrong({ action: 'trust-issuer', target: 'reports' })).toBe(false);
    // ledger's certificate is the one the fault re-issued, but its dates were never the problem.
    expect(wrong({ action: 'reissue', target: 'ledger-server' })).toBe(true);
    expect(wrong({ action: 'trust-issuer', target: 'billing' })).toBe(true);
    expect(wrong({ action: 'send-full-chain', target: 'ledger' })).toBe(true);
    expect(wrong({ action: 'reissue', target: 'corp-root' })).toBe(true);
  });
});
