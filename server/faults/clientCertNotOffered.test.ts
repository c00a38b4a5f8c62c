import { describe, expect, it } from 'vitest';
import { traceDecoded } from '../explain/buildTrace.js';
import { alert, certificate, connection, corp, serverFlight } from '../explain/testing.js';
import { connectionVerdict } from '../explain/verdict.js';
import { field } from '../wire/field.js';
import { applyFaults, applyFixes, ParamsError } from './index.js';
import { unitLab } from './testing.js';

const lab = unitLab('client-cert-not-offered', {
  pki: {
    'corp-root': { ca: true },
    'auth-server': { issuer: 'corp-root', san: ['dns:auth.corp.test'], eku: ['serverAuth'] },
    'batch-client': { issuer: 'corp-root', key: 'ed25519', eku: ['clientAuth'] },
  },
  services: { auth: { host: 'auth.corp.test', cert: 'auth-server', trust: ['corp-root'] } },
  clients: { batch: { calls: 'auth', cert: 'batch-client', trust: ['corp-root'] } },
});

describe('client-cert-not-offered, the transform and its fix', () => {
  it("cuts the CertificateRequest's schemes down, and the fix lets the defaults back", () => {
    const broken = applyFaults(lab, [{ kind: 'client-cert-not-offered', target: 'auth', params: {} }]);
    expect(broken.services.auth!.certRequestSigalgs).toBe('ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256');
    expect(applyFixes(broken, [{ action: 'drop-cert-request-sigalgs', target: 'auth', params: {} }]).services.auth!.certRequestSigalgs).toBeUndefined();
  });

  it('refuses a service whose callers all keep a scheme: nothing would be withheld', () => {
    expect(() => applyFaults(lab, [{ kind: 'client-cert-not-offered', target: 'auth', params: { sigalgs: 'ecdsa_secp256r1_sha256:ed25519' } }])).toThrow(
      /client-cert-not-offered: every caller of auth has a key that signs with one of ecdsa_secp256r1_sha256:ed25519, so each still sends its certificate/,
    );
  });

  it('refuses a scheme list that is not one', () => {
    expect(() => applyFaults(lab, [{ kind: 'client-cert-not-offered', target: 'auth', params: { sigalgs: 'ed25519; rm -rf' } }])).toThrow(ParamsError);
  });
});

describe('client-cert-not-offered, the verdict from the bytes', () => {
  const withSchemes = (message: ReturnType<typeof certificate>, schemes: string) => ({ ...message, fields: [...message.fields, field('signature_algorithms', 'schemes', 0, 0, { value: schemes })] });
  const offered = 'ecdsa_secp256r1_sha256, ed25519, rsa_pss_rsae_sha256, rsa_pkcs1_sha256';
  const verdict = (requested: string) => {
    const [hello, ...flight] = serverFlight(0, [], [corp.server, corp.intermediate]);
    const request = flight.find((m) => m.type === 'CertificateRequest')!;
    const messages = [withSchemes(hello!, offered), ...flight.map((m) => (m === request ? withSchemes(m, requested) : m)), certificate('c2s', 2000, []), alert('s2c', 3000, 116, 'certificate_required')];
    return connectionVerdict(1, traceDecoded({ sandbox: 's', connections: [connection(1, messages)], processEvents: [] }))!;
  };

  it('names an empty Certificate after a request that leaves no scheme for a key the client offered, missing-client-cert the alternative', () => {
    const v = verdict('ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256');
    expect(v).toMatchObject({ rootCause: 'client-cert-not-offered', alternatives: ['missing-client-cert'], evidence: { message: 'CertificateRequest', field: 'signature_algorithms' } });
    expect(v.summary).toContain('none for Ed25519 keys');
  });

  it('leaves an empty Certificate after a request with every kind of key to missing-client-cert', () => {
    expect(verdict('ecdsa_secp256r1_sha256, ed25519, rsa_pss_rsae_sha256').rootCause).toBe('missing-client-cert');
  });
});
