import * as v from 'valibot';
import { tlsVersions } from '../lab/schema.js';
import { alertNote } from './alerts.js';
import { described, detector, evidenceOf, finding, reportValue, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, endpointOf, type Fault } from './fault.js';
import { paramsSchema } from './params.js';
import { envoyWording, opensslFamily, opensslFamilyVersions } from './wording.js';

const params = paramsSchema({
  /** The one protocol version the target is left speaking (its minVersion and maxVersion). */
  only: v.optional(v.picklist(tlsVersions, `one of ${tlsVersions.join(', ')}`), 'TLSv1.3'),
});

/**
 * No version in common: the server finds none of the ClientHello's versions in its range and
 * sends protocol_version (70) (RFC 8446 §4.2.1; OpenSSL SSL_R_UNSUPPORTED_PROTOCOL, "unsupported
 * protocol"); a client offered a version below its minimum says the same.
 */
const signal: Signal = {
  alerts: [70],
  verifyErrors: [],
  codes: ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'],
  text: /unsupported protocol|protocol version|no protocols available/i,
};

const alerted = opensslFamily({ alert: 70 });

/**
 * A TLS 1.3-only service and a TLS 1.2-only caller (or the reverse): a hardening change
 * ("TLS 1.3 only") meets a legacy client pinned to 1.2 (an old JDK, a `maxVersion` set years
 * ago). The handshake ends at the ClientHello, before any certificate is sent.
 */
export const protocolVersionMismatch: Fault<v.InferOutput<typeof params>> = {
  kind: 'protocol-version-mismatch',
  title: 'No TLS version in common',
  summary: 'The client offers only versions the server does not accept (a TLS 1.2-only caller of a TLS 1.3-only service); the server answers the ClientHello with protocol_version (70).',
  target: 'endpoint',
  fixes: ['allow-tls-versions'],
  params,
  signal,
  rules: {
    /** Alert 70, or either side's "unsupported protocol": the first witness is the evidence. */
    reported(f) {
      const w = witnesses(f, signal)[0];
      if (!w) return undefined;
      const by = detector(w, 'server');
      // A ClientHello without supported_versions offers legacy_version alone: TLS 1.2 at most (RFC 8446 §4.2.1).
      const offered = f.clientHello && (f.clientHello.versions ?? 'TLS 1.2 at most: no supported_versions extension');
      const proof = 'from' in w ? evidenceOf(w, 'description', w.type.replace(/^alert /, '')) : reportValue(w);
      return finding('protocol-version-mismatch', by, proof,
        `${by === 'server' ? f.service : f.client} found no TLS version in common with ${by === 'server' ? f.client : f.service}${offered ? ` (the ClientHello offered ${offered})` : ''}: ${described(w)} — ${alertNote(70)}`);
    },
  },
  wording: {
    // The caller reads the alert during the handshake: curl exits 35.
    openssl: { detector: 's_server: … unsupported protocol', peer: `${alerted.openssl!.peer!}`, version: opensslFamilyVersions.openssl },
    curl: { peer: 'curl: (35) … tlsv1 alert protocol version', version: opensslFamilyVersions.curl },
    node: { detector: 'ERR_SSL_UNSUPPORTED_PROTOCOL', peer: alerted.node!.peer!, version: opensslFamilyVersions.node },
    python: { peer: alerted.python!.peer!, version: opensslFamilyVersions.python },
    // crypto/tls handshake_server.go: "client offered only unsupported versions"; the client reads alert 70.
    go: {
      detector: 'tls: client offered only unsupported versions: [303]',
      peer: 'remote error: tls: protocol version not supported',
      version: 'Go 1.21+',
      source: 'crypto/tls handshake_server.go (readClientHello), alert.go (alertProtocolVersion)',
    },
    envoy: { ...envoyWording({ alert: 70 }), detector: 'TLS error: … UNSUPPORTED_PROTOCOL' },
  },
  apply(spec, target, { only }) {
    const next = cloneSpec(spec);
    const endpoint = endpointOf(next, target);
    endpoint.tls = { ...endpoint.tls, minVersion: only, maxVersion: only };
    return next;
  },
};
