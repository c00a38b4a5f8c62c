import { describe, expect, it } from 'vitest';
import { opensslDate, opensslEku, opensslFingerprint, opensslName, opensslSan } from './opensslNames.ts';

describe('OpenSSL spellings', () => {
  it('spaces a distinguished name the way openssl prints it', () => {
    expect(opensslName('O=mtls-lab, CN=Corp Root CA 2026')).toBe('O = mtls-lab, CN = Corp Root CA 2026');
  });

  it('prints dates as ASN1_TIME_print does, single-digit days padded with a space', () => {
    expect(opensslDate('2031-03-01T10:20:30.000Z')).toBe('Mar  1 10:20:30 2031 GMT');
    expect(opensslDate('2026-11-23T11:33:47.000Z')).toBe('Nov 23 11:33:47 2026 GMT');
  });

  it('names SAN types and key purposes in OpenSSL words', () => {
    expect(['dns:a.corp.test', 'url:spiffe://x/y', 'ip:127.0.0.1', 'email:a@b.c'].map(opensslSan)).toEqual([
      'DNS:a.corp.test',
      'URI:spiffe://x/y',
      'IP Address:127.0.0.1',
      'email:a@b.c',
    ]);
    expect(opensslEku('clientAuth')).toBe('TLS Web Client Authentication');
    expect(opensslEku('1.2.3.4')).toBe('1.2.3.4');
  });

  it('prints a fingerprint as upper-case pairs joined by colons', () => {
    expect(opensslFingerprint('588cdf7e')).toBe('58:8C:DF:7E');
  });
});
