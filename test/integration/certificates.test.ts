/**
 * GET /api/sandboxes/:id/certificates against real sandboxes: every service's and client's
 * chain and trust anchors read from the sandbox's own files, printed by the real openssl,
 * with the lab's defect visible in the data (an expired leaf, a chain cut to its leaf) and
 * nothing of the scenario's answer in the response.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateHolder, CertificatesResponse } from '../../server/app/protocol.js';
import { loadLab } from '../../server/lab/index.js';
import { labsDir, startTestApp, type TestApp } from './appHarness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
});

async function certificatesOf(lab: string): Promise<{ id: string; body: CertificatesResponse; text: string }> {
  const started = await t.api('POST', '/api/sandboxes', { lab });
  expect(started.status).toBe(201);
  const id: string = started.json.id;
  const res = await t.api('GET', `/api/sandboxes/${id}/certificates`);
  expect(res.status).toBe(200);
  return { id, body: res.json as CertificatesResponse, text: res.text };
}

const holder = (body: CertificatesResponse, role: CertificateHolder['role'], name: string): CertificateHolder => {
  const found = body.holders.find((h) => h.role === role && h.name === name);
  if (!found) throw new Error(`no ${role} ${name} in ${body.holders.map((h) => `${h.role} ${h.name}`).join(', ')}`);
  return found;
};

describe('GET /api/sandboxes/:id/certificates', () => {
  let expired: { id: string; body: CertificatesResponse; text: string };

  beforeAll(async () => {
    expired = await certificatesOf('expired-client-cert');
  });

  it("gives the expired client's leaf with its dates, no judgement of them, and prints it with the real openssl", () => {
    const payments = holder(expired.body, 'client', 'payments');
    expect(payments.peers).toEqual(['auth']);
    expect(payments.sends?.file).toBe('payments-client.chain.pem');
    const [leaf, intermediate] = payments.sends!.certificates;
    expect(leaf).toMatchObject({ extendedKeyUsage: ['clientAuth'], subjectAltNames: ['url:spiffe://corp.test/ns/pay/sa/payments'] });
    // The dates are facts; that they make it expired is a conclusion, the page's after the diagnosis.
    expect(Date.parse(leaf!.notAfter)).toBeLessThan(Date.parse(expired.body.checkedAt));
    expect(payments.sends!.certificates.filter((c) => 'validity' in c)).toEqual([]);
    expect(leaf!.opensslText).toContain('Not After');
    expect(leaf!.opensslText).toContain(leaf!.serialNumber);
    expect(leaf!.opensslError).toBeUndefined();
    expect(intermediate).toMatchObject({ subject: expect.stringContaining('CN=Corp Issuing CA 1'), isCa: true });
  });

  it('lists each service with the chain it sends, the anchors it trusts and the clients that call it', () => {
    const auth = holder(expired.body, 'service', 'auth');
    expect(auth.peers).toEqual(['payments']);
    expect(auth.sends?.certificates.map((c) => c.subject)).toEqual([expect.stringContaining('CN=auth-server'), expect.stringContaining('CN=Corp Issuing CA 1')]);
    expect(auth.trusts?.file).toBe('trust-corp-root.pem');
    expect(auth.trusts?.certificates).toEqual([expect.objectContaining({ subject: expect.stringContaining('CN=Corp Root CA'), isCa: true })]);
    expect(auth.sends?.certificates[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("carries nothing of the scenario's answer, hints or explanation", async () => {
    const doc = await loadLab(path.join(labsDir, 'expired-client-cert.yaml'));
    const { scenario } = doc.spec;
    expect(expired.text).not.toContain(scenario.explain.slice(0, 40));
    for (const hint of scenario.hints) expect(expired.text).not.toContain(hint.slice(0, 40));
    expect(expired.text).not.toContain('expired-cert');
    expect(expired.text).not.toContain('reissue');
  });

  it('shows a chain cut to its leaf as one certificate', async () => {
    const { body } = await certificatesOf('missing-intermediate');
    const orders = holder(body, 'service', 'orders');
    expect(orders.sends?.file).toBe('orders-server.crt');
    expect(orders.sends?.certificates).toHaveLength(1);
    expect(holder(body, 'client', 'checkout').sends?.certificates).toHaveLength(2);
  });

  it('answers SANDBOX_NOT_FOUND for a sandbox that does not exist', async () => {
    const res = await t.api('GET', '/api/sandboxes/nope-123/certificates');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('SANDBOX_NOT_FOUND');
  });

  it('answers SANDBOX_NOT_FOUND once the sandbox is stopped', async () => {
    expect((await t.api('DELETE', `/api/sandboxes/${expired.id}`)).status).toBe(204);
    const res = await t.api('GET', `/api/sandboxes/${expired.id}/certificates`);
    expect(res.json.error.code).toBe('SANDBOX_NOT_FOUND');
  });
});
