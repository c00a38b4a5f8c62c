import { described, evidenceOf, possessive, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';
import { opensslFamilyVersions } from './wording.js';

/**
 * What the TLS server reports when its first record is "GET / HTTP/1.1": OpenSSL recognises an
 * HTTP method where a record header belongs and fails with SSL_R_HTTP_REQUEST (ssl/record/
 * rec_layer_s3.c), which Node surfaces as ERR_SSL_HTTP_REQUEST and s_server logs as `http request`.
 */
const signal: Signal = {
  alerts: [],
  verifyErrors: [],
  codes: ['ERR_SSL_HTTP_REQUEST'],
  text: /http request|client sent an HTTP request to an HTTPS server/i,
};

/** What a plaintext caller itself reports: the server closed without a byte (Node's http client, Python's http.client). */
const callerSignal: Signal = {
  alerts: [],
  verifyErrors: [],
  codes: ['ECONNRESET'],
  text: /socket hang up|empty reply|remote end closed connection/i,
};

/**
 * A caller speaks plain HTTP to a STRICT mTLS port: its sidecar was not injected, or its config
 * says `http://` after a migration to mTLS. The server reads "GET / HTTP/1.1" where a
 * ClientHello belongs and closes without a byte; the caller sees an empty reply.
 */
export const plaintextToStrictPort: Fault = {
  kind: 'plaintext-to-strict-port',
  title: 'A plaintext client calling a STRICT mTLS port',
  summary: 'The caller sends plain HTTP to a port that speaks only mTLS; the server finds an HTTP request where a ClientHello belongs and closes the connection without an answer.',
  target: 'client',
  fixes: ['speak-tls'],
  params: noParams,
  signal,
  rules: {
    /**
     * Plaintext on a TLS-only port, refused, and the caller said it wanted an answer (its own
     * report of the empty reply). The bytes are the same as a scanner's that STRICT refuses
     * as it should, so `none` is named as the alternative; without the caller's report (a
     * capture) the `none` rule speaks instead.
     */
    refusedCaller(f) {
      if (!f.plaintext || f.plaintext.expected || f.served) return undefined;
      const complaint = witnesses(f, callerSignal).find((w) => 'side' in w && w.side === 'client');
      if (!complaint) return undefined;
      const server = witnesses(f, signal)[0];
      const how = server ? `; ${f.service} reported ${described(server)}` : '';
      return {
        rootCause: 'plaintext-to-strict-port',
        detectedBy: 'server',
        severity: 'error',
        evidence: evidenceOf(f.plaintext, 'first_line', f.plaintext.firstLine),
        summary:
          `${f.client} sent a plaintext request ("${f.plaintext.firstLine}") to ${possessive(f.service)} ${f.mtlsPort ? 'mTLS' : 'TLS'} port, which closed it without an answer${how};` +
          ` ${f.client} reported ${described(complaint)}. If ${f.client} is not meant to call ${f.service} at all, this is the STRICT port doing its job (none)`,
        alternatives: ['none'],
      };
    },
  },
  wording: {
    // s_server logs the error and closes: no alert, no byte.
    openssl: { detector: 's_server: … SSL routines:ssl3_get_record:http request', version: opensslFamilyVersions.openssl },
    curl: { peer: 'curl: (52) Empty reply from server', version: opensslFamilyVersions.curl },
    // Node's TLS server reports it ('tlsClientError'); its http client reads nothing back.
    node: { detector: 'ERR_SSL_HTTP_REQUEST', peer: 'ECONNRESET: socket hang up', version: opensslFamilyVersions.node },
    python: { peer: 'RemoteDisconnected: Remote end closed connection without response', version: 'Python 3.11 http.client' },
    // net/http answers instead of closing (conn.serve on a tls.RecordHeaderError that looks like HTTP).
    go: {
      detector: 'http: TLS handshake error from …: client sent an HTTP request to an HTTPS server',
      peer: 'HTTP/1.0 400 Bad Request … Client sent an HTTP request to an HTTPS server.',
      version: 'Go 1.12+',
      source: 'net/http server.go (conn.serve, tls.RecordHeaderError)',
    },
    // Istio STRICT: the listener has only the TLS filter chain; a plaintext caller is reset.
    envoy: {
      peer: 'connection reset by peer; curl: (56) Recv failure: Connection reset by peer, or (52) Empty reply from server',
      version: 'Envoy 1.28 (Istio STRICT)',
      source: 'Istio docs, PeerAuthentication STRICT; Istio FAQ "connection reset by peer"',
    },
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    // The caller keeps its certificate on disk; it just no longer speaks TLS.
    next.clients[target]!.protocol = 'plaintext';
    return next;
  },
};
