import { describe, expect, it } from 'vitest';
import { applyFaults, applyFixes } from './apply.js';
import { fixTouchesFault } from './fixRelevance.js';
import { unitLab } from './testing.js';

const written = unitLab('expired-cert', {
  pki: {
    root: { ca: true },
    'auth-server': { issuer: 'root', san: ['dns:auth.test'], eku: ['serverAuth'] },
    'pay-client': { issuer: 'root', san: ['uri:spiffe://t/pay'], eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.test', cert: 'auth-server', trust: ['root'] } },
  clients: { pay: { calls: 'auth', cert: 'pay-client', trust: ['root'] } },
});
const broken = applyFaults(written, [{ kind: 'expired-cert', target: 'pay-client', params: {} }]);
const touches = (before: typeof broken, fix: { action: string; target: string }) => fixTouchesFault(written, broken, before, applyFixes(before, [{ ...fix, params: {} }]));

describe('fixTouchesFault', () => {
  it('is true for a fix that changes a field the fault changed', () => {
    expect(touches(broken, { action: 'reissue', target: 'pay-client' })).toBe(true);
  });

  it('is false for a fix that changes only other fields, or nothing at all', () => {
    expect(touches(broken, { action: 'reissue', target: 'auth-server' })).toBe(false);
    expect(touches(broken, { action: 'send-full-chain', target: 'auth' })).toBe(false);
    const repaired = applyFixes(broken, [{ action: 'reissue', target: 'pay-client', params: {} }]);
    expect(touches(repaired, { action: 'reissue', target: 'pay-client' })).toBe(false);
  });

});
