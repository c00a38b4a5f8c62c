import { evidenceOf, finding } from './evidence.js';
import { setServiceField, type Fault } from './fault.js';
import { noParams } from './params.js';
import { opensslFamilyVersions } from './wording.js';

/**
 * Istio's PERMISSIVE PeerAuthentication: the port accepts mTLS *and* plaintext, told apart
 * by its first bytes (Envoy's tls_inspector). Meant for migrations; left on, anyone who
 * speaks plain HTTP skips mTLS entirely.
 */
export const permissiveMode: Fault = {
  kind: 'permissive-mode',
  title: 'PERMISSIVE mode left on',
  summary: 'The service accepts plaintext on its mTLS port, so a caller with no certificate is served.',
  target: 'service',
  fixes: ['enforce-strict'],
  params: noParams,
  rules: {
    /** Plaintext on a TLS port, answered 2xx (a port that is plain HTTP by design is not a finding). */
    plaintextServed(f) {
      if (!f.plaintext || f.plaintext.expected || !f.served) return undefined;
      const line = f.plaintext.firstLine;
      return finding('permissive-mode', 'server', evidenceOf(f.plaintext, 'first_line', line),
        `${f.service} served a plaintext request ("${line}") on its ${f.mtlsPort ? 'mTLS' : 'TLS'} port: no handshake, no certificate, no identity — the port accepts plaintext beside TLS (PERMISSIVE)`, 'warning');
    },
  },
  wording: {
    // A TLS server reading "GET / HTTP/1.1" fails with SSL_R_HTTP_REQUEST ("http request") and
    // closes without a byte: curl reads an empty reply. A TLS client reading an HTTP answer
    // fails with "wrong version number".
    openssl: { detector: 'strict: s_server logs … http request; s_client against a plaintext port: … wrong version number', version: opensslFamilyVersions.openssl },
    curl: { detector: 'permissive: HTTP 200 over plain http://; strict: curl: (52) Empty reply from server', version: opensslFamilyVersions.curl },
    node: { detector: 'strict: ERR_SSL_HTTP_REQUEST (the server saw an HTTP request where a ClientHello belongs)', version: opensslFamilyVersions.node },
    // net/http answers a plaintext request on its TLS port instead of closing; "first record
    // does not look like a TLS handshake" is what a Go client says of a plaintext answer.
    go: {
      detector: 'strict: HTTP/1.0 400 Bad Request … Client sent an HTTP request to an HTTPS server.',
      peer: 'a Go client of a plaintext port: http: server gave HTTP response to HTTPS client',
      version: 'Go 1.12+',
      source: 'net/http server.go (conn.serve, tls.RecordHeaderError), net/http transport.go',
    },
    envoy: {
      detector: 'PERMISSIVE: the plaintext filter chain serves it; STRICT: connection reset by peer, curl: (52) Empty reply from server',
      version: 'Envoy 1.28 (Istio)',
      source: 'Istio docs, PeerAuthentication; Envoy tls_inspector listener filter',
    },
  },
  apply: setServiceField('mode', 'permissive'),
};
