import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, certificate, connection, corp, report, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import type { LabSpec } from '../lab/schema.js';
import { stackProblems } from '../lab/stacks.js';
import type { ServiceConfig } from '../runtime/messages.js';
import { opensslArgs } from '../runtime/opensslService.js';
import { applyFaults, applyFixes } from './index.js';
import { unitLab } from './testing.js';

const lab = (stack: 'node' | 'openssl'): LabSpec => unitLab('verifier-clock-behind', {
  pki: {
    'corp-root': { ca: true },
    'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-root', eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', stack, cert: 'auth-server', trust: ['corp-root'] } },
  clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'] } },
});

describe('verifier-clock-behind, the transform and its fixes', () => {
  it("sets the service's clock behind and re-issues its callers' certificates a minute ago, for a day", () => {
    const broken = applyFaults(lab('openssl'), [{ kind: 'verifier-clock-behind', target: 'auth', params: { behindMinutes: 90 } }]);
    expect(broken.services.auth!.clockOffset).toBe('-90m');
    expect(broken.pki['payments-client']!.validity).toEqual({ notBefore: '-1m', notAfter: '+24h' });
    expect(broken.pki['auth-server']!.validity).toEqual({ notBefore: '-1h' });
  });

  it('is undone by sync-clock', () => {
    const broken = applyFaults(lab('openssl'), [{ kind: 'verifier-clock-behind', target: 'auth', params: {} }]);
    expect(broken.services.auth!.clockOffset).toBe('-40m');
    expect(applyFixes(broken, [{ action: 'sync-clock', target: 'auth', params: {} }]).services.auth).not.toHaveProperty('clockOffset');
  });

  it('refuses a Node service, whose verifier reads the system clock, and minutes out of bounds', () => {
    expect(() => applyFaults(lab('node'), [{ kind: 'verifier-clock-behind', target: 'auth', params: {} }])).toThrow(/runs stack node, whose verifier reads the system clock/);
    expect(() => applyFaults(lab('openssl'), [{ kind: 'verifier-clock-behind', target: 'auth', params: { behindMinutes: 0 } }])).toThrow(/a whole number from 1 to 1440/);
  });

  it('is a lab error on a Node service, and s_server -attime on an openssl one', () => {
    const node = lab('node');
    node.services.auth!.clockOffset = '-40m';
    expect(stackProblems(node.services)).toEqual([expect.objectContaining({ path: ['services', 'auth', 'clockOffset'] })]);
    const config: ServiceConfig = { name: 'auth', stack: 'openssl', host: 'auth.corp.test', address: '127.0.0.1', certPath: 'c', keyPath: 'k', chainPath: 'c', crlPaths: [], clientAuth: 'require', mode: 'strict', latencyMs: 0, keylogPath: 'l' };
    expect(opensslArgs({ ...config, verifyAtSeconds: 1_780_000_000 }).join(' ')).toContain('-attime 1780000000');
    expect(opensslArgs(config)).not.toContain('-attime');
  });
});

describe('verifier-clock-behind, the verdict', () => {
  const verdict = (clientNotBefore: string, logged = true) =>
    connectionVerdict(1, traceDecoded({
      sandbox: 's',
      connections: [connection(1, [...serverFlight(0, [], [corp.server, corp.intermediate]), certificate('c2s', 2000, [{ ...corp.client, notBefore: clientNotBefore }, corp.intermediate]), alert('s2c', 3000, 42, 'bad_certificate')])],
      processEvents: logged ? [report('tls-error', 'service', 'auth', 2500, 1, 'CERT_NOT_YET_VALID', 'certificate is not yet valid')] : [],
    }));

  it("blames the verifier's clock when the refused certificate is valid by the capture's", () => {
    expect(verdict('2026-06-01T11:59:00.000Z')).toMatchObject({ rootCause: 'verifier-clock-behind', detectedBy: 'server', evidence: { message: 'Certificate', field: 'notBefore', value: '2026-06-01T11:59:00.000Z' } });
  });

  it('leaves a certificate dated after the capture to not-yet-valid', () => {
    expect(verdict('2026-06-02T12:00:00.000Z')).toMatchObject({ rootCause: 'not-yet-valid' });
  });

  // A capture of a hand-run caller: the server's alert, no log of the verifier's.
  it('reads alert 42 alone as the clock behind for a leaf issued within a day of the connection', () => {
    const v = verdict('2026-06-01T11:59:00.000Z', false);
    expect(v).toMatchObject({ rootCause: 'verifier-clock-behind', detectedBy: 'server', evidence: { field: 'notBefore' } });
    expect(v!.summary).toContain('bad_certificate (42), the alert an OpenSSL verifier sends');
  });

  it('does not read alert 42 alone as the clock behind for a leaf issued long before: some other catch-all refusal', () => {
    expect(verdict('2026-01-01T00:00:00.000Z', false)?.rootCause).not.toBe('verifier-clock-behind');
  });

  it("leaves a client's alert 42 of a fresh server certificate to other rules: the fault sets a service's clock", () => {
    const v = connectionVerdict(1, traceDecoded({
      sandbox: 's',
      connections: [connection(1, [...serverFlight(0, [], [{ ...corp.server, notBefore: '2026-06-01T11:59:00.000Z' }, corp.intermediate]), alert('c2s', 3000, 42, 'bad_certificate')])],
      processEvents: [],
    }));
    expect(v?.rootCause).not.toBe('verifier-clock-behind');
  });
});
