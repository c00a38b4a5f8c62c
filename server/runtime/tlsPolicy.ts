/**
 * A lab endpoint's protocol policy (`tls: { minVersion, maxVersion, ciphers }`) in each stack's
 * terms. Both read the same names: Node's `minVersion: 'TLSv1.3'` and OpenSSL's
 * `-min_protocol TLSv1.3` (SSL_CONF_cmd MinProtocol); `ciphers` is OpenSSL's TLS 1.2 cipher
 * list for both (Node's `ciphers`, s_server's `-cipher`). Absent fields keep the defaults.
 *
 *   lab tls: {…} ──nodeTlsPolicy──▶ tls.createSecureContext options (service, caller)
 *                └─opensslTlsPolicy─▶ s_server arguments
 */
import type { TlsPolicySpec } from '../lab/schema.js';

export function nodeTlsPolicy(policy: TlsPolicySpec | undefined): { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string } {
  if (!policy) return {};
  return {
    ...(policy.minVersion ? { minVersion: policy.minVersion } : {}),
    ...(policy.maxVersion ? { maxVersion: policy.maxVersion } : {}),
    // Node's `ciphers` replaces the TLS 1.3 suites too (lib/internal/tls/secure-context.js):
    // keep its default ones, so a TLS 1.2 list never switches TLS 1.3 off by accident.
    ...(policy.ciphers ? { ciphers: `TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:${policy.ciphers}` } : {}),
  };
}

export function opensslTlsPolicy(policy: TlsPolicySpec | undefined): string[] {
  if (!policy) return [];
  return [
    ...(policy.minVersion ? ['-min_protocol', policy.minVersion] : []),
    ...(policy.maxVersion ? ['-max_protocol', policy.maxVersion] : []),
    // -cipher sets the TLS 1.2 list only; -ciphersuites (TLS 1.3) keeps its default.
    ...(policy.ciphers ? ['-cipher', policy.ciphers] : []),
  ];
}
