/**
 * The explain room against real sandboxes: each lab loaded from labs/, its faults applied,
 * real services and clients run through the tap; then the recording is decoded into a trace
 * and every failure must be traced back to its root cause — from the wire and the process
 * reports alone (verdicts never see the lab's fault list).
 *
 *   labs/<id>.yaml ─loadLab─▶ applyFaults ─startSandbox─▶ runTraffic ─stop─▶ buildTrace ─▶ verdictsForSandbox
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrace, verdictsForSandbox, type SandboxVerdicts, type TraceEvent } from '../../server/explain/index.js';
import { applyFaults, applyFixes } from '../../server/faults/index.js';
import { loadLab } from '../../server/lab/index.js';
import { startSandbox, type EdgeReport, type ProcessEvent, type Sandbox } from '../../server/runtime/index.js';
import { curl, opensslClient } from '../helpers/peers.js';

const labsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../labs');
const started = new Set<Sandbox>();

afterAll(async () => {
  await Promise.allSettled([...started].map((sandbox) => sandbox.stop()));
});

interface Explained extends SandboxVerdicts {
  trace: TraceEvent[];
  edges: EdgeReport[];
}

/** A lab's sandbox as its file says (its faults applied), stopped after the tests at the latest. */
async function startLab(id: string) {
  const doc = await loadLab(path.join(labsDir, `${id}.yaml`));
  const spec = applyFaults(doc.spec, doc.spec.faults);
  const sandbox = await startSandbox(spec);
  started.add(sandbox);
  return { doc, spec, sandbox };
}

/** Runs a lab as its file says and explains what the tap recorded. */
async function explainLab(id: string, requests: number): Promise<Explained> {
  const { sandbox } = await startLab(id);
  // What happened while the sandbox started: a service that could not, files renewed under one.
  const processEvents: ProcessEvent[] = [...sandbox.startEvents];
  sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
  let edges: EdgeReport[];
  const topology = sandbox.describe();
  try {
    edges = await sandbox.runTraffic({ requests });
  } finally {
    // Stopping closes every connection, so each one's close reason is known to the trace.
    await sandbox.stop();
  }
  const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents, topology });
  return { trace, edges, ...verdictsForSandbox(trace, edges) };
}

const failures = (explained: Explained) => explained.verdicts.filter((v) => v.severity !== 'info');
const evidenceEvent = (explained: Explained, seq: number): TraceEvent => explained.trace[seq]!;

describe('explain, on real sandboxes', () => {
  it('finds no failure in the baseline', async () => {
    const explained = await explainLab('baseline', 2);
    expect(failures(explained)).toEqual([]);
    expect(explained.diagnosis).toMatch(/^no failures/);
    expect(explained.trace.some((e) => e.type === 'CertificateRequest')).toBe(true);
  });

  it('traces expired-client-cert to the expired client certificate', async () => {
    const explained = await explainLab('expired-client-cert', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v.rootCause).toBe('expired-cert');
      expect(v.detectedBy).toBe('server');
      const proof = evidenceEvent(explained, v.evidence.seq);
      // The client's Certificate (its notAfter) or the alert the server sent about it.
      if (v.evidence.message === 'Certificate') {
        expect(proof).toMatchObject({ dir: 'c2s', layer: 'handshake', type: 'Certificate' });
        expect(v.evidence.field).toBe('notAfter');
        expect(Date.parse(v.evidence.value!)).toBeLessThan(Date.now());
      } else {
        expect(proof).toMatchObject({ dir: 's2c', type: 'alert certificate_expired (45)' });
      }
    }
    expect(explained.diagnosis).toMatch(/^expired-cert/);
  });

  it('shows the client Finished before the decrypted TLS 1.3 alert that rejects it', async () => {
    const { trace } = await explainLab('expired-client-cert', 2);
    const first = trace.find((e) => e.conn !== 0)!.conn;
    const conn = trace.filter((e) => e.conn === first);
    const finished = conn.findIndex((e) => e.type === 'Finished' && e.dir === 'c2s');
    const rejected = conn.findIndex((e) => e.type === 'alert certificate_expired (45)');
    expect(finished).toBeGreaterThan(-1);
    expect(rejected).toBeGreaterThan(finished);
    expect(conn[rejected]).toMatchObject({ dir: 's2c', layer: 'alert', severity: 'error' });
    expect(conn[rejected]!.note).toContain('after payments already believed the handshake was done (TLS 1.3 sends this alert encrypted)');
  });

  it('traces missing-intermediate to the server Certificate that stops at the leaf', async () => {
    const explained = await explainLab('missing-intermediate', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'missing-intermediate', detectedBy: 'client', evidence: { message: 'Certificate', field: 'certificate_list' } });
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 's2c', type: 'Certificate' });
    }
  });

  it('traces clock-skew to the notBefore of the server certificate, still in the future', async () => {
    const explained = await explainLab('clock-skew', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'not-yet-valid', detectedBy: 'client', evidence: { message: 'Certificate', field: 'notBefore' } });
      expect(Date.parse(v.evidence.value!)).toBeGreaterThan(Date.now());
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 's2c', type: 'Certificate' });
    }
  });

  it('traces missing-client-cert to the empty client Certificate, answered by alert certificate_required', async () => {
    const explained = await explainLab('missing-client-cert', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'missing-client-cert', detectedBy: 'server', evidence: { message: 'Certificate', field: 'certificate_list', value: '0 certificates' } });
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 'c2s', type: 'Certificate' });
    }
    expect(explained.trace.some((e) => e.type === 'alert certificate_required (116)' && e.dir === 's2c')).toBe(true);
  });

  it('traces name-mismatch to the SANs of the server certificate, against the SNI the client dialled', async () => {
    const explained = await explainLab('name-mismatch', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'wrong-san', detectedBy: 'client', evidence: { message: 'Certificate', field: 'subjectAltName' } });
      expect(v.evidence.value).toContain('search-7d9f8c-x2k4q.search.pod.cluster.local');
      expect(v.summary).toContain('dialled search.corp.test');
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 's2c', type: 'Certificate' });
    }
  });

  it('traces revoked-client-cert to the serial of the client certificate, refused with alert certificate_revoked', async () => {
    const explained = await explainLab('revoked-client-cert', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'revoked-cert', detectedBy: 'server', evidence: { message: 'Certificate', field: 'serialNumber' } });
      expect(v.evidence.value).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 'c2s', type: 'Certificate' });
    }
    expect(explained.trace.some((e) => e.type === 'alert certificate_revoked (44)' && e.dir === 's2c')).toBe(true);
  });

  it('traces wrong-eku to the extended key usage of the client certificate, refused with alert unsupported_certificate', async () => {
    const explained = await explainLab('wrong-eku', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'wrong-eku', detectedBy: 'server', evidence: { message: 'Certificate', field: 'extKeyUsage', value: 'serverAuth' } });
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 'c2s', type: 'Certificate' });
    }
    expect(explained.trace.some((e) => e.type === 'alert unsupported_certificate (43)' && e.dir === 's2c')).toBe(true);
  });

  it('calls the caller served without a certificate optional-client-auth, a security finding', async () => {
    const explained = await explainLab('optional-client-auth', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(1);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'optional-client-auth', severity: 'warning', evidence: { message: 'Certificate', field: 'certificate_list', value: '0 certificates' } });
      expect(v.summary).toMatch(/^scraper sent no client certificate and billing served it anyway/);
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 'c2s', type: 'Certificate' });
    }
  });

  it('traces wrong-ca to the CA list of the CertificateRequest and alert unknown_ca', async () => {
    const explained = await explainLab('wrong-ca', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'wrong-ca', detectedBy: 'server' });
      expect(['CertificateRequest', 'alert unknown_ca (48)']).toContain(v.evidence.message);
    }
    expect(explained.trace.some((e) => e.type === 'alert unknown_ca (48)' && e.dir === 's2c')).toBe(true);
  });

  it('calls the plaintext request permissive-mode served, a security finding', async () => {
    const explained = await explainLab('permissive-mode', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(1);
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'permissive-mode', severity: 'warning', evidence: { message: 'plaintext', field: 'first_line', value: 'GET / HTTP/1.1' } });
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 'c2s', layer: 'plaintext' });
    }
  });

  it("traces key-mismatch to orders' own start-up error, its callers' refused connects the symptom", async () => {
    const explained = await explainLab('key-mismatch', 2);
    const verdicts = failures(explained);
    expect(verdicts).toEqual([expect.objectContaining({ conn: 0, rootCause: 'key-mismatch', detectedBy: 'server', evidence: expect.objectContaining({ message: 'start-error' }) })]);
    expect(evidenceEvent(explained, verdicts[0]!.evidence.seq)).toMatchObject({ conn: 0, layer: 'process', type: 'start-error', side: 'server' });
    expect(verdicts[0]!.summary).toContain("its callers' 2 connects were refused (ECONNREFUSED)");
    // pricing, renewed with its own key, served every request: the sandbox ran on without orders.
    expect(explained.edges.find((edge) => edge.service === 'pricing')).toMatchObject({ ok: 2, failed: 0 });
    expect(explained.edges.find((edge) => edge.service === 'orders')).toMatchObject({ ok: 0, failed: 2, clientErrors: { ECONNREFUSED: expect.anything() } });
  });

  it('names key-mismatch when only a person called by hand: curl and s_client were refused, and no byte reached the tap', async () => {
    const { sandbox } = await startLab('key-mismatch');
    const { services, clients } = sandbox.describe();
    try {
      expect((await curl(services.orders!, clients.checkout)).code).toBe(7);
      expect((await opensslClient(services.orders!, clients.checkout)).output).toContain('connect:errno=111');
    } finally {
      await sandbox.stop();
    }
    expect(sandbox.tap.connections.filter((conn) => conn.service === 'orders')).toEqual([]);
    const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents: sandbox.startEvents });
    expect(verdictsForSandbox(trace).verdicts).toEqual([expect.objectContaining({ rootCause: 'key-mismatch', summary: expect.stringMatching(/^orders never started: .*nothing listens at its address$/) })]);
  });

  it('starts orders live once its matching key is deployed: its port, refused until then, opens again at the same number', async () => {
    const { doc, spec: broken, sandbox } = await startLab('key-mismatch');
    try {
      const before = sandbox.describe();
      expect((await curl(before.services.orders!, before.clients.checkout)).code).toBe(7);
      expect(Object.keys((await sandbox.reconfigure(applyFixes(broken, doc.spec.scenario.fix))).services)).toEqual(['orders']);
      const after = sandbox.describe();
      expect(after.services.orders).toMatchObject({ port: before.services.orders!.port });
      expect(after.services.orders!.startError).toBeUndefined();
      expect((await curl(after.services.orders!, after.clients.checkout)).code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  });

  it("traces renewed-not-reloaded to the served certificate, its serial not the one the renewal wrote into payments' files", async () => {
    const explained = await explainLab('renewed-not-reloaded', 2);
    const verdicts = failures(explained);
    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    const renewal = explained.trace.find((e) => e.type === 'files-renewed')!;
    const renewedSerial = renewal.fields!.find((f) => f.name === 'serialNumber')!.value;
    for (const v of verdicts) {
      expect(v).toMatchObject({ rootCause: 'renewed-not-reloaded', detectedBy: 'client', evidence: { message: 'Certificate', field: 'serialNumber' } });
      expect(v.evidence.value).not.toBe(renewedSerial);
      expect(evidenceEvent(explained, v.evidence.seq)).toMatchObject({ dir: 's2c', type: 'Certificate' });
      expect(v.summary).toContain(`files on disk hold its renewal, serial ${renewedSerial}`);
    }
    expect(explained.edges.find((edge) => edge.service === 'ledger')).toMatchObject({ ok: 2, failed: 0 });
  });

  it('names renewed-not-reloaded for a curl run by hand through the sandbox, and expired-cert without the renewal report', async () => {
    const { sandbox } = await startLab('renewed-not-reloaded');
    const { services, clients } = sandbox.describe();
    try {
      expect((await curl(services.payments!, clients.checkout)).code).toBe(60);
    } finally {
      await sandbox.stop();
    }
    const traced = (processEvents: ProcessEvent[]) => verdictsForSandbox(buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents })).verdicts;
    expect(traced([...sandbox.startEvents])).toEqual([expect.objectContaining({ rootCause: 'renewed-not-reloaded' })]);
    expect(traced([])).toEqual([expect.objectContaining({ rootCause: 'expired-cert' })]);
  });

  it('reloads payments live with the fix: its Node server takes the renewed files (setSecureContext), keeps its pid, and serves', async () => {
    const { doc, spec: broken, sandbox } = await startLab('renewed-not-reloaded');
    try {
      const before = sandbox.describe();
      expect((await curl(before.services.payments!, before.clients.checkout)).code).toBe(60);
      const change = await sandbox.reconfigure(applyFixes(broken, doc.spec.scenario.fix));
      expect(change.services).toEqual({ payments: 'reloaded' });
      const after = sandbox.describe();
      expect(after.services.payments!.pid).toBe(before.services.payments!.pid);
      expect((await curl(after.services.payments!, after.clients.checkout)).code).toBe(0);
    } finally {
      await sandbox.stop();
    }
  });

  it('calls the starved pool exhausted-pool, per edge', async () => {
    const explained = await explainLab('exhausted-pool', 300);
    const edge = explained.verdicts.find((v) => v.edge);
    expect(edge).toMatchObject({ rootCause: 'exhausted-pool', edge: { client: 'checkout', service: 'inventory' }, detectedBy: 'client' });
    expect(new Set(failures(explained).map((v) => v.rootCause))).toEqual(new Set(['exhausted-pool']));
    expect(explained.diagnosis).toMatch(/^exhausted-pool/);
  });
});
