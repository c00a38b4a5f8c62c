import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LabSchema, type LabSpec } from '../lab/schema.js';
import { applyFaults, applyFixes, FaultError } from './index.js';

const lab: LabSpec = v.parse(LabSchema, {
  id: 'unit',
  title: 'Unit lab',
  level: 'beginner',
  minutes: 5,
  pki: {
    'corp-root': { ca: true },
    'corp-issuing': { issuer: 'corp-root', ca: true, pathLen: 0 },
    'auth-server': { issuer: 'corp-issuing', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-issuing', eku: ['clientAuth'] },
    'web-server': { issuer: 'corp-root', san: ['dns:web.corp.test'] },
  },
  services: {
    auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['corp-root'] },
    web: { host: 'web.corp.test', cert: 'web-server', clientAuth: 'none' },
  },
  clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'] } },
  scenario: { symptom: 's', question: 'q', answer: 'none', distractors: { 'expired-cert': 'every date is good' }, explain: 'e' },
});

describe('spec faults', () => {
  it('never change the spec they are given', () => {
    const before = structuredClone(lab);
    applyFaults(lab, [{ kind: 'expired-cert', target: 'payments-client', params: {} }]);
    expect(lab).toEqual(before);
  });

  it('expire a certificate by moving its notAfter into the past', () => {
    const broken = applyFaults(lab, [{ kind: 'expired-cert', target: 'payments-client', params: {} }]);
    expect(broken.pki['payments-client']!.validity.notAfter).toMatch(/^-/);
  });

  it('make a certificate not yet valid by moving its notBefore into the future', () => {
    const broken = applyFaults(lab, [{ kind: 'not-yet-valid', target: 'auth-server', params: {} }]);
    expect(broken.pki['auth-server']!.validity.notBefore).toMatch(/^\+/);
  });

  it('drop the intermediate from the chain an endpoint sends', () => {
    const broken = applyFaults(lab, [{ kind: 'missing-intermediate', target: 'auth', params: {} }]);
    expect(broken.services.auth!.chain).toBe('leaf');
  });

  it('refuse a missing intermediate for a leaf issued directly by a root', () => {
    expect(() => applyFaults(lab, [{ kind: 'missing-intermediate', target: 'web', params: {} }])).toThrow(
      /"web-server" is issued directly by a root/,
    );
  });

  it('make a verifier trust a stray root that issued none of its peers', () => {
    const broken = applyFaults(lab, [{ kind: 'wrong-ca', target: 'auth', params: {} }]);
    expect(broken.services.auth!.trust).toEqual(['stray-root']);
    expect(broken.pki['stray-root']).toMatchObject({ ca: true, validity: { notBefore: '-1h' } });
  });

  it('turn a service permissive and a pool into one that opens a connection per request', () => {
    const broken = applyFaults(lab, [
      { kind: 'permissive-mode', target: 'auth', params: {} },
      { kind: 'exhausted-pool', target: 'payments', params: { maxSockets: 1 } },
    ]);
    expect(broken.services.auth!.mode).toBe('permissive');
    expect(broken.clients.payments!.pool).toMatchObject({ keepAlive: false, sessionResumption: false, maxSockets: 1 });
  });

  it('revoke a certificate, and re-issue it as a new one that no CRL lists', () => {
    const broken = applyFaults(lab, [{ kind: 'revoked-cert', target: 'payments-client', params: {} }]);
    expect(broken.pki['payments-client']!.revoked).toBe(true);
    expect(applyFixes(broken, [{ action: 'reissue', target: 'payments-client', params: {} }]).pki['payments-client']!.revoked).toBe(false);
  });

  it("give a leaf the other role's key usage, and never a CA", () => {
    expect(applyFaults(lab, [{ kind: 'wrong-eku', target: 'payments-client', params: {} }]).pki['payments-client']!.eku).toEqual(['serverAuth']);
    expect(() => applyFaults(lab, [{ kind: 'wrong-eku', target: 'corp-root', params: {} }])).toThrow(/"corp-root" is a CA/);
  });

  it('let a service serve callers that send no certificate, until it requires one again', () => {
    const broken = applyFaults(lab, [{ kind: 'optional-client-auth', target: 'auth', params: {} }]);
    expect(broken.services.auth!.clientAuth).toBe('optional');
    expect(applyFixes(broken, [{ action: 'require-client-cert', target: 'auth', params: {} }]).services.auth!.clientAuth).toBe('require');
  });

  it('take the certificate away from a client', () => {
    const broken = applyFaults(lab, [{ kind: 'missing-client-cert', target: 'payments', params: {} }]);
    expect(broken.clients.payments!.cert).toBeUndefined();
    expect(broken.clients.payments!.trust).toEqual(['corp-root']);
  });

  it('give a certificate the names of another host', () => {
    expect(applyFaults(lab, [{ kind: 'wrong-san', target: 'auth-server', params: {} }]).pki['auth-server']!.san).toEqual(['dns:auth-server.internal']);
    const pod = ['dns:auth-5f7d.pod.cluster.local'];
    expect(applyFaults(lab, [{ kind: 'wrong-san', target: 'auth-server', params: { san: pod } }]).pki['auth-server']!.san).toEqual(pod);
    expect(() => applyFaults(lab, [{ kind: 'wrong-san', target: 'auth-server', params: { san: ['auth.internal'] } }])).toThrow(
      /wrong-san params\.san\[0\]: expected a SAN like "dns:auth\.internal" \(dns:, ip:, uri: or email:; at most 253 characters\) but found "auth\.internal"/,
    );
  });

  it('pick the only candidate when no target is named', () => {
    const broken = applyFaults(lab, [{ kind: 'exhausted-pool', params: {} }]);
    expect(broken.clients.payments!.pool.keepAlive).toBe(false);
  });

  it('name the known kinds for an unknown fault and the known targets for a wrong one', () => {
    expect(() => applyFaults(lab, [{ kind: 'expird-cert', params: {} }])).toThrow(/unknown fault "expird-cert" \(known: expired-cert,/);
    expect(() => applyFaults(lab, [{ kind: 'permissive-mode', target: 'ledger', params: {} }])).toThrow(
      /"ledger" is not a service in lab unit \(known: auth, web\)/,
    );
    expect(() => applyFaults(lab, [{ kind: 'permissive-mode', params: {} }])).toThrow(FaultError);
  });
});

describe('fix actions', () => {
  it('undo each fault they are paired with', () => {
    const broken = applyFaults(lab, [
      { kind: 'expired-cert', target: 'payments-client', params: {} },
      { kind: 'missing-intermediate', target: 'auth', params: {} },
      { kind: 'wrong-ca', target: 'auth', params: {} },
      { kind: 'permissive-mode', target: 'auth', params: {} },
      { kind: 'exhausted-pool', target: 'payments', params: {} },
    ]);
    const fixed = applyFixes(broken, [
      { action: 'reissue', target: 'payments-client', params: {} },
      { action: 'send-full-chain', target: 'auth', params: {} },
      { action: 'trust-issuer', target: 'auth', params: {} },
      { action: 'enforce-strict', target: 'auth', params: {} },
      { action: 'tune-pool', target: 'payments', params: {} },
    ]);
    expect(fixed.pki['payments-client']!.validity).toEqual({ notBefore: '-1h' });
    expect(fixed.services.auth).toMatchObject({ chain: 'full', mode: 'strict', trust: ['stray-root', 'corp-root'] });
    expect(fixed.clients.payments!.pool).toMatchObject({ keepAlive: true, sessionResumption: true, maxSockets: 16 });
  });

  it('re-issue a certificate for the hosts of the services that present it', () => {
    const broken = applyFaults(lab, [{ kind: 'wrong-san', target: 'auth-server', params: {} }]);
    expect(applyFixes(broken, [{ action: 'match-san', target: 'auth-server', params: {} }]).pki['auth-server']!.san).toEqual(['dns:auth.corp.test']);
    expect(() => applyFixes(broken, [{ action: 'match-san', target: 'payments-client', params: {} }])).toThrow(/no service of lab unit presents "payments-client"/);
  });

  it('re-issue a certificate with the key usage of the role it is used in', () => {
    const broken = applyFaults(lab, [{ kind: 'wrong-eku', target: 'payments-client', params: {} }]);
    expect(applyFixes(broken, [{ action: 'match-eku', target: 'payments-client', params: {} }]).pki['payments-client']!.eku).toEqual(['clientAuth']);
    expect(applyFixes(broken, [{ action: 'match-eku', target: 'auth-server', params: {} }]).pki['auth-server']!.eku).toEqual(['serverAuth']);
  });

  it('give a client back the certificate it names, and only a client certificate', () => {
    const broken = applyFaults(lab, [{ kind: 'missing-client-cert', target: 'payments', params: {} }]);
    const fixed = applyFixes(broken, [{ action: 'present-client-cert', target: 'payments', params: { cert: 'payments-client' } }]);
    expect(fixed.clients.payments!.cert).toBe('payments-client');
    expect(() => applyFixes(broken, [{ action: 'present-client-cert', target: 'payments', params: { cert: 'auth-server' } }])).toThrow(
      /present-client-cert params\.cert: "auth-server" is not a client certificate of lab unit \(known: payments-client\)/,
    );
  });
});
