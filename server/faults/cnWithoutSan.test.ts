import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { connection, corp, report, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import { LabSchema } from '../lab/schema.js';
import { applyFaults, applyFixes } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('cn-without-san', {
  pki: {
    'corp-root': { ca: true },
    'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'payments-client': { issuer: 'corp-root', eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['corp-root'] } },
  clients: { payments: { calls: 'auth', cert: 'payments-client', trust: ['corp-root'], commonNameFallback: false } },
});

describe('cn-without-san, the transform and its fix', () => {
  it('moves the host from the SANs to the CN', () => {
    const broken = applyFaults(lab, [{ kind: 'cn-without-san', target: 'auth-server', params: {} }]);
    expect(broken.pki['auth-server']).toMatchObject({ san: [], commonName: 'auth.corp.test' });
    expect(applyFixes(broken, [{ action: 'match-san', target: 'auth-server', params: {} }]).pki['auth-server']!.san).toEqual(['dns:auth.corp.test']);
  });

  it('refuses a certificate no service presents', () => {
    expect(() => applyFaults(lab, [{ kind: 'cn-without-san', target: 'payments-client', params: {} }])).toThrow(/no service of lab unit presents "payments-client"/);
  });

  it('lets a client keep the CN fallback by default', () => {
    expect(v.parse(LabSchema, { ...lab, clients: { payments: { calls: 'auth' } } }).clients.payments!.commonNameFallback).toBe(true);
  });
});

describe('cn-without-san, the verdict', () => {
  const verdict = (san: string[] | undefined) =>
    connectionVerdict(1, traceDecoded({
      sandbox: 's',
      connections: [connection(1, serverFlight(0, [], [{ subject: 'O=mtls-lab, CN=auth.corp.test', issuer: corp.root, ...(san ? { san } : {}) }]))],
      processEvents: [report('client-error', 'client', 'payments', 2000, 1, 'ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Cert does not contain a DNS name")],
    }));

  it('names a leaf with no SAN, refused for its name, from its subject', () => {
    expect(verdict(undefined)).toMatchObject({ rootCause: 'cn-without-san', detectedBy: 'client', evidence: { message: 'Certificate', field: 'subject', value: 'O=mtls-lab, CN=auth.corp.test' } });
  });

  it('leaves a leaf with SANs for another host to wrong-san', () => {
    expect(verdict(['dns:other.internal'])).toMatchObject({ rootCause: 'wrong-san' });
  });
});
