import { describe, expect, it } from 'vitest';
import { nodeTlsPolicy, opensslTlsPolicy } from './tlsPolicy.js';

describe('a lab endpoint\'s tls policy in each stack\'s terms', () => {
  it('gives s_server the same version names and the TLS 1.2 list', () => {
    expect(opensslTlsPolicy({ minVersion: 'TLSv1.3', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).toEqual(['-min_protocol', 'TLSv1.3', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
    expect(opensslTlsPolicy(undefined)).toEqual([]);
  });

  it("keeps Node's TLS 1.3 suites beside a TLS 1.2 list", () => {
    expect(nodeTlsPolicy({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).toEqual({ maxVersion: 'TLSv1.2', ciphers: expect.stringMatching(/^TLS_AES_256_GCM_SHA384:.*:ECDHE-ECDSA-AES128-GCM-SHA256$/) });
  });
});
