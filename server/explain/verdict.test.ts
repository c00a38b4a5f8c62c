import { describe, expect, it } from 'vitest';
import type { EdgeReport } from '../runtime/index.js';
import { traceDecoded } from './buildTrace.js';
import { alert, applicationData, certificate, connection, corp, handshake, plaintext, report, serverFlight } from './testing.js';
import { field } from '../wire/field.js';
import type { TraceEvent } from './traceEvent.js';
import { connectionVerdict, edgeVerdict, verdictsForSandbox } from './verdict.js';

const clientFlight = (t: number, chain: Parameters<typeof certificate>[2]) => [
  certificate('c2s', t, chain),
  ...(chain.length ? [handshake('CertificateVerify', 'c2s', t)] : []),
  handshake('Finished', 'c2s', t),
  applicationData('c2s', t, 'GET / HTTP/1.1'),
];

const trace = (...conns: Parameters<typeof traceDecoded>[0]['connections'][number][]): TraceEvent[] =>
  traceDecoded({ sandbox: 's', connections: conns, processEvents: [] });

const only = (events: TraceEvent[]) => connectionVerdict(1, events);

describe('connection verdicts', () => {
  it('finds an expired client certificate from its notAfter, detected by the server', () => {
    const events = trace(connection(1, [
      ...serverFlight(0, [corp.root], [corp.server, corp.intermediate]),
      ...clientFlight(3000, [{ ...corp.client, notAfter: '2026-06-01T06:00:00.000Z' }, corp.intermediate]),
      alert('s2c', 4000, 45, 'certificate_expired'),
    ]));
    const v = only(events)!;
    expect(v).toMatchObject({ rootCause: 'expired-cert', detectedBy: 'server', severity: 'error', evidence: { message: 'Certificate', field: 'notAfter', value: '2026-06-01T06:00:00.000Z' } });
    expect(events[v.evidence.seq]!.dir).toBe('c2s');
    expect(v.summary).toContain('6 hours before this connection');
    expect(v.wording.openssl?.detector).toBe('verify error:num=10:certificate has expired');
  });

  it('falls back on the alert when no certificate is out of date', () => {
    const v = only(trace(connection(1, [...serverFlight(0, [], [corp.server, corp.intermediate]), ...clientFlight(3000, [corp.client, corp.intermediate]), alert('s2c', 4000, 45, 'certificate_expired')])))!;
    expect(v).toMatchObject({ rootCause: 'expired-cert', evidence: { message: 'alert certificate_expired (45)' } });
  });

  it('names a missing intermediate from a one-certificate chain and the verify error', () => {
    const events = traceDecoded({
      sandbox: 's',
      connections: [connection(1, serverFlight(0, [corp.root], [corp.server]))],
      processEvents: [report('client-error', 'client', 'checkout', 9000, 1, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')],
    });
    const v = only(events)!;
    expect(v).toMatchObject({ rootCause: 'missing-intermediate', detectedBy: 'client', evidence: { message: 'Certificate', field: 'certificate_list' } });
    expect(events[v.evidence.seq]!.dir).toBe('s2c');
  });

  it('does not blame a one-certificate chain issued straight by a root when nothing failed', () => {
    const events = trace(connection(1, [...serverFlight(0, [corp.root], [{ ...corp.server, issuer: corp.root }]), ...clientFlight(3000, [corp.client]), applicationData('s2c', 5000, 'HTTP/1.1 200 OK')]));
    expect(only(events)).toBeUndefined();
  });

  it('names the wrong CA from the CertificateRequest list the client chain does not reach', () => {
    const v = only(trace(connection(1, [
      ...serverFlight(0, ['O=mtls-lab, CN=Corp Root CA 2026'], [corp.server, corp.intermediate]),
      ...clientFlight(3000, [corp.client, corp.intermediate]),
      alert('s2c', 4000, 48, 'unknown_ca'),
    ])))!;
    expect(v).toMatchObject({ rootCause: 'wrong-ca', detectedBy: 'server', evidence: { message: 'CertificateRequest', field: 'certificate_authorities', value: 'O=mtls-lab, CN=Corp Root CA 2026' } });
    expect(v.summary).toContain('trusts only CN=Corp Root CA 2026');
  });

  it('names the wrong CA from alert 48 when the server lists no CAs', () => {
    const v = only(trace(connection(1, [...serverFlight(0, [], [corp.server, corp.intermediate]), ...clientFlight(3000, [corp.client, corp.intermediate]), alert('s2c', 4000, 48, 'unknown_ca')])))!;
    expect(v).toMatchObject({ rootCause: 'wrong-ca', evidence: { message: 'alert unknown_ca (48)' } });
  });

  it('names a client missing its intermediate from a leaf-only client chain refused with alert 48, wrong-ca as the alternative', () => {
    const v = only(trace(connection(1, [...serverFlight(0, [], [corp.server, corp.intermediate]), ...clientFlight(3000, [corp.client]), alert('s2c', 4000, 48, 'unknown_ca')])))!;
    expect(v).toMatchObject({ rootCause: 'client-missing-intermediate', detectedBy: 'server', alternatives: ['wrong-ca'], evidence: { message: 'Certificate', field: 'certificate_list' } });
    expect(v.evidence.value).toBe('1 certificate (CN=payments-client, issued by CN=Corp Issuing CA 1)');
  });

  it('names a missing intermediate from a leaf-only server chain its client refused with verify error 20 (curl, Python)', () => {
    const events = traceDecoded({
      sandbox: 's',
      connections: [connection(1, [...serverFlight(0, [corp.root], [corp.server]), alert('c2s', 3000, 48, 'unknown_ca')])],
      processEvents: [],
    });
    expect(only(events)).toMatchObject({ rootCause: 'missing-intermediate', detectedBy: 'client', alternatives: ['wrong-ca'] });
  });

  it('keeps wrong-ca for a full chain refused with alert 48', () => {
    const v = only(trace(connection(1, [...serverFlight(0, [], [corp.server, corp.intermediate]), ...clientFlight(3000, [corp.client, corp.intermediate]), alert('s2c', 4000, 48, 'unknown_ca')])))!;
    expect(v.rootCause).toBe('wrong-ca');
    expect(v.alternatives).toBeUndefined();
  });

  it('names a SAN mismatch from the SNI and the SANs alone, for a client whose words never reach the trace (curl)', () => {
    const hello = { ...handshake('ClientHello', 'c2s', 0), fields: [field('host_name', 'A DNS hostname.', 0, 0, { value: 'search.corp.test' })] };
    const flight = serverFlight(0, [corp.root], [{ ...corp.server, san: ['dns:search-7d9f8c.pod.cluster.local'] }, corp.intermediate]).slice(1);
    // No TCP close: the capture ended first; the client's close_notify before any request says it gave up.
    const events = trace(connection(1, [hello, ...flight, alert('c2s', 3000, 0, 'close_notify', 'warning')])).filter((e) => e.type !== 'tcp-close');
    const v = only(events)!;
    expect(v).toMatchObject({ rootCause: 'wrong-san', detectedBy: 'client', evidence: { message: 'Certificate', field: 'subjectAltName', value: 'dns:search-7d9f8c.pod.cluster.local' } });
    expect(v.summary).toContain('dialled search.corp.test (the SNI of its ClientHello)');
  });

  it('does not call a wildcard SAN that covers the SNI a mismatch', () => {
    const hello = { ...handshake('ClientHello', 'c2s', 0), fields: [field('host_name', 'A DNS hostname.', 0, 0, { value: 'search.corp.test' })] };
    const flight = serverFlight(0, [corp.root], [{ ...corp.server, san: ['dns:*.corp.test'] }, corp.intermediate]).slice(1);
    expect(only(trace(connection(1, [hello, ...flight], { closeReason: 'reset' })))?.rootCause).toBe('unknown');
  });

  it('names a client certificate not yet valid from its notBefore and the alert 42 an OpenSSL server sends for it', () => {
    const v = only(trace(connection(1, [
      ...serverFlight(0, [corp.root], [corp.server, corp.intermediate]),
      ...clientFlight(3000, [{ ...corp.client, notBefore: '2026-06-02T12:00:00.000Z' }, corp.intermediate]),
      alert('s2c', 4000, 42, 'bad_certificate'),
    ])))!;
    expect(v).toMatchObject({ rootCause: 'not-yet-valid', detectedBy: 'server', evidence: { message: 'Certificate', field: 'notBefore' } });
    expect(v.summary).toContain('bad_certificate (42)');
  });

  it('names a missing client certificate from alert 116 and the empty Certificate', () => {
    const v = only(trace(connection(1, [...serverFlight(0, [corp.root], [corp.server, corp.intermediate]), ...clientFlight(3000, []), alert('s2c', 4000, 116, 'certificate_required')])))!;
    expect(v).toMatchObject({ rootCause: 'missing-client-cert', detectedBy: 'server', evidence: { message: 'Certificate', field: 'certificate_list', value: '0 certificates' } });
    expect(v.wording.node?.peer).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('calls a served plaintext request permissive mode, a security finding', () => {
    const events = traceDecoded({
      sandbox: 's',
      connections: [connection(1, [plaintext('c2s', 1000, 'GET / HTTP/1.1'), plaintext('s2c', 2000, 'HTTP/1.1 200 OK')], { closeReason: 'end' })],
      processEvents: [report('request', 'service', 'records', 2500, 1, '200', 'GET / → 200; no client certificate (plaintext HTTP)')],
    });
    const v = only(events)!;
    expect(v).toMatchObject({ rootCause: 'permissive-mode', severity: 'warning', detectedBy: 'server', evidence: { message: 'plaintext', field: 'first_line', value: 'GET / HTTP/1.1' } });
  });

  it('calls a refused plaintext request mTLS working as intended', () => {
    const v = only(trace(connection(1, [plaintext('c2s', 1000, 'GET / HTTP/1.1')], { closeReason: 'reset' })))!;
    expect(v).toMatchObject({ rootCause: 'none', severity: 'info' });
  });

  it('has no verdict for a healthy mTLS connection', () => {
    expect(only(trace(connection(1, [...serverFlight(0, [corp.root], [corp.server, corp.intermediate]), ...clientFlight(3000, [corp.client, corp.intermediate]), applicationData('s2c', 5000, 'HTTP/1.1 200 OK')])))).toBeUndefined();
  });

  it('calls a reset before any answer, with no TLS reason, unknown', () => {
    const v = only(trace(connection(1, [handshake('ClientHello', 'c2s', 100)], { closeReason: 'reset' })))!;
    expect(v).toMatchObject({ rootCause: 'unknown', evidence: { message: 'tcp-close', field: 'reason', value: 'reset' } });
  });
});

const edge = (over: Partial<EdgeReport> = {}): EdgeReport => ({
  client: 'checkout', service: 'inventory', requests: 300, ok: 80, failed: 0, timeouts: 220, clientErrors: {}, serverErrors: {}, alertsReceived: [], statusCodes: {},
  handshakes: 280, resumed: 0, handshakesPerRequest: 0.93, handshakesPerSecond: 100, latencyMs: { p50: 600, p99: 603, max: 604 }, maxQueueDepth: 90, durationMs: 2600, ...over,
});

describe('edge verdicts', () => {
  const pool = traceDecoded({
    sandbox: 's',
    connections: [connection(1, serverFlight(0, [corp.root], [corp.server]), { service: 'inventory', closeReason: 'reset' })],
    processEvents: [report('client-error', 'client', 'checkout', 700_000, undefined, 'ETIMEDOUT', 'no response within 600 ms of queueing the request (pool.timeoutMs)')],
  });

  it('names an exhausted pool: a handshake per request, timeouts, a deep queue', () => {
    const v = edgeVerdict(edge(), pool)!;
    expect(v).toMatchObject({ conn: 0, edge: { client: 'checkout', service: 'inventory' }, rootCause: 'exhausted-pool', evidence: { message: 'client-error', field: 'code', value: 'ETIMEDOUT' } });
  });

  it('names a keep-alive pool that is simply too small, without blaming handshakes', () => {
    const v = edgeVerdict(edge({ handshakesPerRequest: 0.02, handshakes: 6 }), pool)!;
    expect(v.rootCause).toBe('exhausted-pool');
    expect(v.summary).toContain('too few sockets for the load');
    expect(v.summary).not.toContain('every new connection pays a full mTLS handshake');
  });

  it('does not blame a pool with no timeouts and no queue', () => {
    expect(edgeVerdict(edge({ timeouts: 0, maxQueueDepth: 0 }), pool)).toBeUndefined();
  });

  it('folds the resets of a starved pool into it and diagnoses the lab in one line', () => {
    const { verdicts, diagnosis } = verdictsForSandbox(pool, [edge()]);
    expect(verdicts.map((v) => v.rootCause)).toEqual(['exhausted-pool', 'exhausted-pool']);
    expect(diagnosis).toMatch(/^exhausted-pool \(1 connection\): checkout → inventory: up to 90 requests queued for a socket, 220 timed out \(p99 603 ms\); 280 full handshakes for 300 requests \(0\.93 per request\), none resumed/);
  });

  it('says so when nothing failed', () => {
    expect(verdictsForSandbox([], []).diagnosis).toMatch(/^no failures/);
  });
});
