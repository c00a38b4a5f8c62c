/**
 * OpenSSL's words for a failure, turned into the codes Node uses for the same failure, so
 * both stacks' logs key the same table.
 *
 *   s_server stderr ──parseOpensslLine──▶ { code, message }   (verify errors, SSL errors)
 *   Node authorizationError ──x509ErrorMessage──▶ OpenSSL's text for it
 */
import type { ErrorInfo } from './messages.js';

/**
 * X509_V_ERR_* numbers (openssl/x509_vfy.h), Node's names for them (src/crypto/crypto_common.cc
 * drops the `X509_V_ERR_` prefix) and X509_verify_cert_error_string's text.
 */
const x509Errors: ReadonlyArray<readonly [number, string, string]> = [
  [2, 'UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate'],
  [3, 'UNABLE_TO_GET_CRL', 'unable to get certificate CRL'],
  [4, 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', "unable to decrypt certificate's signature"],
  [6, 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'unable to decode issuer public key'],
  [7, 'CERT_SIGNATURE_FAILURE', 'certificate signature failure'],
  [8, 'CRL_SIGNATURE_FAILURE', 'CRL signature failure'],
  [9, 'CERT_NOT_YET_VALID', 'certificate is not yet valid'],
  [10, 'CERT_HAS_EXPIRED', 'certificate has expired'],
  [11, 'CRL_NOT_YET_VALID', 'CRL is not yet valid'],
  [12, 'CRL_HAS_EXPIRED', 'CRL has expired'],
  [18, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  [19, 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
  [20, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  [21, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  [22, 'CERT_CHAIN_TOO_LONG', 'certificate chain too long'],
  [23, 'CERT_REVOKED', 'certificate revoked'],
  [24, 'INVALID_CA', 'invalid CA certificate'],
  [25, 'PATH_LENGTH_EXCEEDED', 'path length constraint exceeded'],
  [26, 'INVALID_PURPOSE', 'unsupported certificate purpose'],
  [27, 'CERT_UNTRUSTED', 'certificate not trusted'],
  [28, 'CERT_REJECTED', 'certificate rejected'],
  [62, 'HOSTNAME_MISMATCH', 'hostname mismatch'],
];
const byNumber = new Map(x509Errors.map(([number, code, text]) => [number, { code, text }]));
const textByCode = new Map(x509Errors.map(([, code, text]) => [code, text]));

/** OpenSSL's text for one of Node's `authorizationError` codes. */
export function x509ErrorMessage(code: string): string {
  return textByCode.get(code) ?? code;
}

/**
 * Node's code for an OpenSSL reason string: `ERR_SSL_` + the reason in upper case with
 * every other character an underscore (lib/internal/tls/… via crypto::ToErrorCode), e.g.
 * `peer did not return a certificate` → `ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE`.
 */
export function sslReasonCode(reason: string): string {
  return 'ERR_SSL_' + reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * One line of `openssl s_server` stderr as an error, or undefined for its chatter:
 *   `verify error:num=10:certificate has expired`  → CERT_HAS_EXPIRED
 *   `40E7…:error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:…`
 *                                                   → ERR_SSL_CERTIFICATE_VERIFY_FAILED
 */
export function parseOpensslLine(line: string): ErrorInfo | undefined {
  const verify = /^verify error:num=(\d+):(.*)$/.exec(line);
  if (verify) {
    const known = byNumber.get(Number(verify[1]));
    return { code: known?.code ?? `X509_V_ERR_${verify[1]}`, message: verify[2]! };
  }
  // ERR_print_errors format (OpenSSL 3): <thread>:error:<code>:<lib>:<func>:<reason>:<file>:<line>:<data>
  const ssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(line);
  if (ssl) return { code: sslReasonCode(ssl[1]!), message: line };
  return undefined;
}
