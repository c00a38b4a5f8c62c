import { describe, expect, it } from 'vitest';
import { annotate, annotateProcess, readableError, type AnnotationContext } from './annotate.js';
import { alert, certificate, certificateRequest, corp, handshake, plaintext } from './testing.js';

const ctx = (over: Partial<AnnotationContext> = {}): AnnotationContext => ({
  service: 'auth',
  client: 'payments',
  version: 'TLS 1.3',
  certificateRequested: true,
  clientFinished: false,
  serverFinished: true,
  atMs: Date.parse('2026-06-01T12:00:00Z'),
  ...over,
});

describe('annotate', () => {
  it('names the CAs a CertificateRequest accepts', () => {
    const { note } = annotate(certificateRequest(0, [corp.root]), ctx());
    expect(note).toContain('auth asks the client for a certificate; it will accept ones issued by: CN=Corp Root CA');
  });

  it('says when a CertificateRequest names no CA', () => {
    expect(annotate(certificateRequest(0, []), ctx()).note).toContain('names no CAs');
  });

  it('describes the client certificate: subject, SAN, issuer, expiry and chain length', () => {
    const { note, severity } = annotate(certificate('c2s', 0, [{ ...corp.client, notAfter: '2026-12-01T00:00:00.000Z' }, corp.intermediate]), ctx());
    expect(note).toBe(
      'payments presents CN=payments-client (URI:spiffe://corp.test/ns/pay/sa/payments), issued by CN=Corp Issuing CA 1, valid until 2026-12-01 00:00 UTC; 2 certificates in the chain',
    );
    expect(severity).toBe('info');
  });

  it('finds a certificate that expired before the connection, beside the facts', () => {
    const { note, severity, finding } = annotate(certificate('c2s', 0, [{ ...corp.client, notAfter: '2026-06-01T06:00:00.000Z' }]), ctx());
    expect(note).toContain('valid until 2026-06-01 06:00 UTC');
    expect(note).not.toContain('EXPIRED');
    expect(finding).toMatch(/^EXPIRED 6 hours before this connection; only the leaf/);
    expect(severity).toBe('warning');
  });

  it('finds a certificate that is not valid yet', () => {
    const { note, finding } = annotate(certificate('s2c', 0, [{ ...corp.server, notBefore: '2026-06-03T12:00:00.000Z' }]), ctx());
    expect(note).not.toContain('NOT YET VALID');
    expect(finding).toContain('NOT YET VALID');
    expect(finding).toContain('2 days after this connection');
  });

  it('finds an expired CA further down the chain', () => {
    const { finding, severity } = annotate(certificate('s2c', 0, [corp.server, { ...corp.intermediate, notAfter: '2026-06-01T06:00:00.000Z' }]), ctx());
    expect(finding).toBe('certificate 2 (CN=Corp Issuing CA 1) EXPIRED 6 hours before this connection');
    expect(severity).toBe('warning');
  });

  it('points out a chain of only the leaf', () => {
    const { note, finding } = annotate(certificate('s2c', 0, [corp.server]), ctx());
    expect(note).toContain('1 certificate in the chain');
    expect(finding).toContain('only the leaf: payments must already hold CN=Corp Issuing CA 1');
  });

  it('calls an empty client Certificate after a CertificateRequest a warning', () => {
    const { note, severity } = annotate(certificate('c2s', 0, []), ctx());
    expect(note).toContain('payments sends an empty Certificate');
    expect(severity).toBe('warning');
  });

  it('explains a TLS 1.3 alert sent after the client believed the handshake done', () => {
    const { note, severity } = annotate(alert('s2c', 0, 45, 'certificate_expired'), ctx({ clientFinished: true }));
    expect(note).toMatch(/^auth rejected the client certificate after payments already believed the handshake was done \(TLS 1\.3 sends this alert encrypted\): certificate_expired \(45\)/);
    expect(severity).toBe('error');
  });

  it('says a client rejected the server certificate', () => {
    expect(annotate(alert('c2s', 0, 48, 'unknown_ca'), ctx()).note).toMatch(/^payments rejected auth's certificate: unknown_ca \(48\)/);
  });

  it('treats close_notify as an orderly close, not an error', () => {
    expect(annotate(alert('s2c', 0, 0, 'close_notify', 'warning'), ctx()).severity).toBe('info');
  });

  it('warns about an HTTP request in plain text on a TLS port', () => {
    const { note, severity, finding } = annotate(plaintext('c2s', 0, 'GET / HTTP/1.1'), ctx({ version: undefined }));
    expect(note).toContain('an HTTP request in plain text on the TLS port of auth');
    expect(finding).toContain('nothing was authenticated');
    expect(severity).toBe('warning');
  });

  it('accepts plaintext on a port that speaks HTTP by design', () => {
    expect(annotate(plaintext('c2s', 0, 'GET / HTTP/1.1'), ctx({ plainService: true })).severity).toBe('info');
  });

  it('tells the client Finished of an mTLS TLS 1.3 handshake comes before the server decided', () => {
    expect(annotate(handshake('Finished', 'c2s', 0), ctx()).note).toContain('auth has not yet said whether it accepts the client certificate');
  });
});

describe('process reports', () => {
  it('shortens an OpenSSL error string to its reason and alert number', () => {
    const message = '80:error:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../ssl/record/rec_layer_s3.c:1601:SSL alert number 45';
    expect(readableError(message)).toBe('sslv3 alert certificate expired (SSL alert number 45)');
  });

  it('keeps a message that is not an OpenSSL error string', () => {
    expect(readableError('certificate has expired')).toBe('certificate has expired');
  });

  it('says which process threw what', () => {
    const { note, severity } = annotateProcess({ t: 0, role: 'client', name: 'payments', kind: 'client-error', code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' });
    expect(note).toBe('payments (client) threw CERT_HAS_EXPIRED: certificate has expired');
    expect(severity).toBe('error');
  });
});
