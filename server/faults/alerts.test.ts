import { describe, expect, it } from 'vitest';
import { alertFromError, formatAlert } from './alerts.js';

describe('alertFromError', () => {
  it('reads the alert number OpenSSL appends to a received-alert error', () => {
    const message = 'error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116';
    expect(alertFromError('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message)).toBe('certificate_required (116)');
  });

  it('falls back to the alert named in the code', () => {
    expect(alertFromError('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED')).toBe('certificate_expired (45)');
    expect(alertFromError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')).toBe('unknown_ca (48)');
  });

  it('proves no alert for a reset, a timeout or a local verification failure', () => {
    expect(alertFromError('ECONNRESET', 'socket hang up')).toBeUndefined();
    expect(alertFromError('ETIMEDOUT', 'no response')).toBeUndefined();
    expect(alertFromError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')).toBeUndefined();
  });

  it('keeps an unknown alert number visible', () => {
    expect(formatAlert(0xfe)).toBe('unknown (0xfe) (254)');
  });
});
