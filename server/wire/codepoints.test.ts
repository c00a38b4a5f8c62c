import { describe, expect, it } from 'vitest';
import {
  alertDescriptionName,
  cipherSuiteName,
  extensionName,
  isGrease,
  namedGroupName,
  signatureSchemeName,
  versionName,
} from './codepoints.js';

describe('codepoints', () => {
  it('names TLS 1.3 and TLS 1.2 cipher suites', () => {
    expect(cipherSuiteName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(cipherSuiteName(0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });

  it('names the hybrid post-quantum group X25519MLKEM768', () => {
    expect(namedGroupName(0x11ec)).toBe('X25519MLKEM768');
  });

  it('labels GREASE values as GREASE with their value', () => {
    expect(isGrease(0x0a0a)).toBe(true);
    expect(isGrease(0xfafa)).toBe(true);
    expect(isGrease(0x1a2a)).toBe(false);
    expect(cipherSuiteName(0x2a2a)).toBe('GREASE (0x2a2a)');
    expect(extensionName(0xdada)).toBe('GREASE (0xdada)');
    expect(namedGroupName(0x7a7a)).toBe('GREASE (0x7a7a)');
    expect(versionName(0x3a3a)).toBe('GREASE (0x3a3a)');
  });

  it('keeps unknown codepoints visible as unknown with their hex value', () => {
    expect(extensionName(0x1a2b)).toBe('unknown (0x1a2b)');
    expect(signatureSchemeName(0xeeee)).toBe('unknown (0xeeee)');
  });

  it('names every RFC 8446 §6 alert description', () => {
    const expected: [number, string][] = [
      [0, 'close_notify'], [10, 'unexpected_message'], [20, 'bad_record_mac'], [40, 'handshake_failure'],
      [42, 'bad_certificate'], [43, 'unsupported_certificate'], [44, 'certificate_revoked'], [45, 'certificate_expired'],
      [46, 'certificate_unknown'], [47, 'illegal_parameter'], [48, 'unknown_ca'], [49, 'access_denied'],
      [50, 'decode_error'], [51, 'decrypt_error'], [70, 'protocol_version'], [71, 'insufficient_security'],
      [80, 'internal_error'], [86, 'inappropriate_fallback'], [90, 'user_canceled'], [109, 'missing_extension'],
      [110, 'unsupported_extension'], [112, 'unrecognized_name'], [113, 'bad_certificate_status_response'],
      [115, 'unknown_psk_identity'], [116, 'certificate_required'], [120, 'no_application_protocol'],
    ];
    for (const [code, name] of expected) expect(alertDescriptionName(code)).toBe(name);
    expect(alertDescriptionName(200)).toBe('unknown (0xc8)');
  });
});
