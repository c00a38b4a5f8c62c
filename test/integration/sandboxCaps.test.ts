/**
 * Caps over real HTTP: a learner's pages run at most three labs at once (the default); the
 * fourth is refused with 429 TOO_MANY_SANDBOXES_FOR_LEARNER, naming the cap and the labs that
 * hold it, until one of them stops. Pressing Start again on a running lab resumes it, under
 * the cap or not; another learner has their own three; the operator's scripts meet only the
 * server's cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLearnerId } from '../../server/app/learners.js';
import { startTestApp, type TestApp } from './appHarness.js';

const labs = ['clock-skew', 'name-mismatch', 'missing-client-cert', 'expired-intermediate'] as const;

describe('sandboxes per learner', () => {
  let t: TestApp;
  const ada = newLearnerId();
  const bob = newLearnerId();
  const adas: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("starts a learner's first three labs", async () => {
    for (const lab of labs.slice(0, 3)) {
      const started = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab });
      expect(started.status).toBe(201);
      adas.push(started.json.id);
    }
  });

  it('refuses the fourth with 429 TOO_MANY_SANDBOXES_FOR_LEARNER, naming the cap and the labs that hold it', async () => {
    const refused = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: labs[3] });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('TOO_MANY_SANDBOXES_FOR_LEARNER');
    expect(refused.json.error.message).toBe(
      'you already run as many labs as one learner may at once; stop one of yours first: 3 at most per learner, and yours run "clock-skew", "name-mismatch", "missing-client-cert"',
    );
    expect((await t.pageApi(ada, 'GET', '/api/sandboxes')).json.sandboxes).toHaveLength(3);
  });

  it('still resumes a lab the learner runs: Start pressed again is no new sandbox', async () => {
    const again = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: labs[0] });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(adas[0]);
  });

  it("leaves another learner's three alone", async () => {
    const started = await t.pageApi(bob, 'POST', '/api/sandboxes', { lab: labs[3] });
    expect(started.status).toBe(201);
  });

  it("lets the operator's script start beyond a learner's cap", async () => {
    const started = await t.request('/api/sandboxes', {
      method: 'POST',
      headers: { origin: t.origin, authorization: `Bearer ${t.token}` },
      body: { lab: labs[3] },
    });
    expect(started.status).toBe(201);
  });

  it('starts the fourth once one of the three has stopped', async () => {
    expect((await t.pageApi(ada, 'DELETE', `/api/sandboxes/${adas[1]}`)).status).toBe(204);
    const started = await t.pageApi(ada, 'POST', '/api/sandboxes', { lab: labs[3] });
    expect(started.status).toBe(201);
  });
});
