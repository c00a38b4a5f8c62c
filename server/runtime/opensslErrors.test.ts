import { describe, expect, it } from 'vitest';
import { parseOpensslLine, sslReasonCode, x509ErrorMessage } from './opensslErrors.js';

describe('parseOpensslLine', () => {
  it("turns s_server's verify error into Node's code for it", () => {
    expect(parseOpensslLine('verify error:num=10:certificate has expired')).toEqual({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' });
    expect(parseOpensslLine('verify error:num=99:something new')).toEqual({ code: 'X509_V_ERR_99', message: 'something new' });
  });

  it('turns an SSL error line into the code Node gives the same reason', () => {
    const line = '40E79DA1D67F0000:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:../ssl/statem/statem_srvr.c:3517:';
    expect(parseOpensslLine(line)).toEqual({ code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', message: line });
  });

  it('ignores the chatter', () => {
    for (const line of ['depth=0 O = mtls-lab, CN = payments-client', 'verify return:1', 'verify depth is 9, must return a certificate', 'ACCEPT 127.0.0.1:4433']) {
      expect(parseOpensslLine(line)).toBeUndefined();
    }
  });
});

describe('codes and messages', () => {
  it('matches Node for reasons and X509 errors', () => {
    expect(sslReasonCode('tlsv13 alert certificate required')).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(x509ErrorMessage('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')).toBe('unable to get local issuer certificate');
    expect(x509ErrorMessage('SOMETHING_ELSE')).toBe('SOMETHING_ELSE');
  });
});
