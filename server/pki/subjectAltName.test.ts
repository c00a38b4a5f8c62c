import { describe, expect, it } from 'vitest';
import { parseSubjectAltName } from './subjectAltName.js';

describe('parseSubjectAltName', () => {
  it('reads a DNS name', () => {
    expect(parseSubjectAltName('dns:auth.corp.test')).toEqual({ type: 'dns', value: 'auth.corp.test' });
  });

  it('keeps every colon after the prefix of a SPIFFE URI', () => {
    expect(parseSubjectAltName('uri:spiffe://corp.test/ns/pay/sa/payments')).toEqual({
      type: 'url',
      value: 'spiffe://corp.test/ns/pay/sa/payments',
    });
  });

  it('reads IPv4 and IPv6 addresses', () => {
    expect(parseSubjectAltName('ip:127.0.0.1')).toEqual({ type: 'ip', value: '127.0.0.1' });
    expect(parseSubjectAltName('ip:::1')).toEqual({ type: 'ip', value: '::1' });
  });

  it('reads an email address', () => {
    expect(parseSubjectAltName('email:a@b.test')).toEqual({ type: 'email', value: 'a@b.test' });
  });

  it('refuses an IP SAN that is not an address, quoting it', () => {
    expect(() => parseSubjectAltName('ip:corp.test')).toThrow(TypeError);
    expect(() => parseSubjectAltName('ip:corp.test')).toThrow('"corp.test"');
  });

  it.each(['auth.corp.test', 'dns:', 'upn:a@b', 'DNS:auth.corp.test'])('refuses %j with a TypeError', (entry) => {
    expect(() => parseSubjectAltName(entry)).toThrow(TypeError);
  });
});
