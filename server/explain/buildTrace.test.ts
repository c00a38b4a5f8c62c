import { describe, expect, it } from 'vitest';
import { traceDecoded } from './buildTrace.js';
import { alert, applicationData, connection, corp, handshake, report, serverFlight } from './testing.js';

describe('traceDecoded', () => {
  it('orders one timeline by time across connections and numbers it from 0', () => {
    const trace = traceDecoded({
      sandbox: 'lab-1',
      connections: [connection(1, [handshake('ClientHello', 'c2s', 100)]), { ...connection(2, [handshake('ClientHello', 'c2s', 50)]) }],
      processEvents: [],
    });
    expect(trace.map((e) => e.seq)).toEqual(trace.map((_, i) => i));
    expect(trace.every((e, i) => i === 0 || e.t >= trace[i - 1]!.t)).toBe(true);
    expect(trace[0]).toMatchObject({ sandbox: 'lab-1', t: 0, layer: 'tcp', type: 'tcp-open' });
  });

  it('tells one application-data burst per direction, not one event per record', () => {
    const trace = traceDecoded({
      sandbox: 's',
      connections: [connection(1, [applicationData('c2s', 10, 'GET / HTTP/1.1', 70), applicationData('s2c', 20, 'HTTP/1.1 200 OK', 300), applicationData('s2c', 21, 'x', 1000)])],
      processEvents: [],
    });
    const bursts = trace.filter((e) => e.layer === 'application');
    expect(bursts.map((e) => [e.dir, e.fields?.find((f) => f.name === 'records')?.value, e.fields?.find((f) => f.name === 'bytes')?.value])).toEqual([
      ['c2s', 1, 70],
      ['s2c', 2, 1300],
    ]);
  });

  it('counts the records an unopened_records message stands for in its burst', () => {
    const unopened = { dir: 's2c' as const, t: 22, layer: 'application' as const, type: 'unopened_records', encrypted: false, fields: [], records: 5, summary: 'application data, 585 bytes of ciphertext in 5 records, counted, not decrypted (the first 8 of this side were)' };
    const trace = traceDecoded({ sandbox: 's', connections: [connection(1, [applicationData('s2c', 20, 'HTTP/1.1 200 OK', 300), unopened])], processEvents: [] });
    const bursts = trace.filter((e) => e.layer === 'application');
    expect(bursts.map((e) => [e.fields?.find((f) => f.name === 'records')?.value, e.fields?.find((f) => f.name === 'bytes')?.value, e.fields?.find((f) => f.name === 'first_line')?.value])).toEqual([[6, 885, 'HTTP/1.1 200 OK']]);
  });

  it('keeps the real name of an alert and marks a fatal one an error', () => {
    const trace = traceDecoded({ sandbox: 's', connections: [connection(1, [alert('s2c', 10, 45, 'certificate_expired')])], processEvents: [] });
    expect(trace.find((e) => e.layer === 'alert')).toMatchObject({ type: 'alert certificate_expired (45)', severity: 'error', side: 'server' });
  });

  it('marks a reset an error', () => {
    const trace = traceDecoded({ sandbox: 's', connections: [connection(1, [handshake('ClientHello', 'c2s', 10)], { closeReason: 'reset' })], processEvents: [] });
    expect(trace.at(-1)).toMatchObject({ type: 'tcp-close', severity: 'error' });
  });

  it('puts a log line without a port on the connection of the report that follows it, once', () => {
    const trace = traceDecoded({
      sandbox: 's',
      connections: [connection(1, serverFlight(0, [corp.root], [corp.server]))],
      processEvents: [
        { t: 9000, role: 'service', name: 'auth', kind: 'log', stream: 'stdout', message: 'verify error:num=10:certificate has expired' },
        { t: 9001, role: 'service', name: 'auth', kind: 'log', stream: 'stdout', message: 'verify return:1' },
        report('tls-error', 'service', 'auth', 9002, 1, 'CERT_HAS_EXPIRED', 'certificate has expired'),
        { t: 9003, role: 'service', name: 'auth', kind: 'log', stream: 'stderr', message: '40:error:0A000086:SSL routines:x:certificate verify failed:f.c:1:' },
        report('tls-error', 'service', 'auth', 9004, 1, 'ERR_SSL_CERTIFICATE_VERIFY_FAILED', '40:error:0A000086:SSL routines:x:certificate verify failed:f.c:1:'),
        report('client-error', 'client', 'payments', 9500, undefined, 'ETIMEDOUT', 'no response'),
      ],
    });
    const processes = trace.filter((e) => e.layer === 'process');
    expect(processes.map((e) => [e.conn, e.type])).toEqual([
      [1, 'log'],
      [1, 'tls-error'],
      [1, 'tls-error'],
      [0, 'client-error'],
    ]);
  });

  it('is plain JSON', () => {
    const trace = traceDecoded({ sandbox: 's', connections: [connection(1, serverFlight(0, [corp.root], [corp.server]))], processEvents: [] }, { bytes: true });
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });
});
