import { described, evidenceOf, finding, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { setServiceField, type Fault } from './fault.js';
import { noParams } from './params.js';
import { opensslFamilyVersions } from './wording.js';

/**
 * A TLS client reading the first bytes of a plaintext answer as a record header: "HTTP/1.1"
 * gives a version of 0x5454 ("TT"), which OpenSSL refuses as SSL_R_WRONG_VERSION_NUMBER
 * (ssl/record/rec_layer_s3.c) before any certificate is looked at.
 */
const signal: Signal = {
  alerts: [],
  verifyErrors: [],
  codes: ['ERR_SSL_WRONG_VERSION_NUMBER'],
  text: /wrong version number|first record does not look like a TLS handshake|server gave HTTP response to HTTPS client/i,
};

/**
 * The port speaks plaintext and the caller speaks TLS: the sidecar that terminated TLS was
 * removed (Istio DISABLE), or the caller dials `https://` on the app's plain port. The server
 * reads a ClientHello as a garbled HTTP request and answers `400 Bad Request` in the clear.
 */
export const tlsToPlaintextPort: Fault = {
  kind: 'tls-to-plaintext-port',
  title: 'A TLS client dialing a plaintext port',
  summary: 'The client starts a TLS handshake on a port that speaks plain HTTP; the answer is plaintext, which the client reads as a record with a wrong version number.',
  target: 'service',
  fixes: ['enforce-strict'],
  params: noParams,
  signal,
  rules: {
    /** A ClientHello answered in the clear (the plaintext from the server), or the client's "wrong version number". */
    answeredInClear(f) {
      const answer = f.serverPlaintext;
      const w = witnesses(f, signal)[0];
      if (!f.clientHello || (!answer && !w)) return undefined;
      const how = w ? ` (${described(w)})` : '';
      if (answer) {
        return finding('tls-to-plaintext-port', 'client', evidenceOf(answer, 'first_line', answer.firstLine),
          `${f.client} sent a ClientHello and ${f.service} answered in plaintext ("${answer.firstLine}"): the port speaks plain HTTP, not TLS${how}`);
      }
      return finding('tls-to-plaintext-port', 'client', evidenceOf(f.clientHello),
        `${f.client} sent a ClientHello and read no TLS record back${how}: the port speaks plain HTTP, not TLS`);
    },
  },
  wording: {
    // OpenSSL 3.0 reads the answer's first five bytes as a record header (ssl/record/rec_layer_s3.c).
    openssl: { detector: 'SSL routines:ssl3_get_record:wrong version number', version: opensslFamilyVersions.openssl },
    curl: { detector: 'curl: (35) … wrong version number', version: opensslFamilyVersions.curl },
    node: { detector: 'ERR_SSL_WRONG_VERSION_NUMBER: … wrong version number', peer: 'an https server reading a plaintext request: ERR_SSL_HTTP_REQUEST', version: opensslFamilyVersions.node },
    python: { detector: '[SSL: WRONG_VERSION_NUMBER] wrong version number', version: opensslFamilyVersions.python },
    // crypto/tls conn.go readRecordOrCCS: an answer that begins with "HTTP/" gets the second text.
    go: {
      detector: 'http: server gave HTTP response to HTTPS client (a raw crypto/tls client: tls: first record does not look like a TLS handshake)',
      version: 'Go 1.12+',
      source: 'crypto/tls conn.go (RecordHeaderError), net/http transport.go',
    },
    envoy: {
      detector: 'TLS error: … WRONG_VERSION_NUMBER',
      version: 'Envoy 1.28 (BoringSSL)',
      source: 'source/common/tls/ssl_socket.cc (BoringSSL SSL_R_WRONG_VERSION_NUMBER)',
    },
  },
  apply: setServiceField('mode', 'disable'),
};
