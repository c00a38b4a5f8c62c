import * as v from 'valibot';
import { alertNote } from './alerts.js';
import { described, detector, evidenceOf, finding, reportValue, witnesses } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, endpointOf, type Fault } from './fault.js';
import { paramLimits, paramsSchema } from './params.js';
import { envoyWording, opensslFamily, opensslFamilyVersions } from './wording.js';

const cipherList = `TLS 1.2 cipher suites in OpenSSL's names joined by ":", like "ECDHE-ECDSA-CHACHA20-POLY1305" (at most ${paramLimits.textLength.max} characters)`;

const params = paramsSchema({
  /** The TLS 1.2 cipher list the target is left with; pick one its peers do not offer. */
  ciphers: v.optional(
    v.pipe(v.string(cipherList), v.regex(/^[A-Z0-9-]+(:[A-Z0-9-]+)*$/, cipherList), v.maxLength(paramLimits.textLength.max, cipherList)),
    'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
  ),
});

/**
 * Nothing in common among the cipher suites: the server finds none of the ClientHello's suites
 * in its list and sends handshake_failure (40) (RFC 5246 §7.4.1.3; OpenSSL SSL_R_NO_SHARED_CIPHER,
 * "no shared cipher", ssl/statem/statem_srvr.c).
 */
const signal: Signal = {
  alerts: [40],
  verifyErrors: [],
  codes: ['ERR_SSL_NO_SHARED_CIPHER', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'],
  text: /no shared cipher|no cipher suite supported by both/i,
};

const alerted = opensslFamily({ alert: 40 });

/**
 * The TLS 1.2 cipher lists of the two ends do not meet: a hardening change that kept only
 * CHACHA20 on a service whose legacy caller, pinned to TLS 1.2, offers only AES-GCM (or a
 * FIPS-only list on one side). TLS 1.3's suites are not involved: both ends negotiate 1.2 first.
 */
export const noSharedCipher: Fault<v.InferOutput<typeof params>> = {
  kind: 'no-shared-cipher',
  title: 'No cipher suite in common',
  summary: "None of the client's TLS 1.2 cipher suites is in the server's list; the server answers the ClientHello with handshake_failure (40).",
  target: 'endpoint',
  fixes: ['allow-default-ciphers'],
  params,
  signal,
  rules: {
    /**
     * Alert 40 (or "no shared cipher") before the server sent any Certificate: the handshake
     * ended at the ClientHello. (An empty client Certificate refused under TLS 1.2 also ends in
     * 40, but after the server's flight: missing-client-cert.)
     */
    reported(f) {
      if (f.serverCert || f.certRequest || f.clientCert) return undefined;
      const w = witnesses(f, signal)[0];
      if (!w) return undefined;
      const by = detector(w, 'server');
      const proof = 'from' in w ? evidenceOf(w, 'description', w.type.replace(/^alert /, '')) : reportValue(w);
      return finding('no-shared-cipher', by, proof,
        `${f.service} found none of ${f.client}'s cipher suites in its own list and ended the handshake at the ClientHello (${described(w)}) — ${alertNote(40)}`);
    },
  },
  wording: {
    // The caller reads the alert during the handshake: curl exits 35.
    openssl: { detector: 's_server: … no shared cipher', peer: alerted.openssl!.peer!, version: opensslFamilyVersions.openssl },
    curl: { peer: 'curl: (35) … sslv3 alert handshake failure', version: opensslFamilyVersions.curl },
    node: { detector: 'ERR_SSL_NO_SHARED_CIPHER', peer: alerted.node!.peer!, version: opensslFamilyVersions.node },
    python: { peer: alerted.python!.peer!, version: opensslFamilyVersions.python },
    go: {
      detector: 'tls: no cipher suite supported by both client and server',
      peer: 'remote error: tls: handshake failure',
      version: 'Go 1.21+',
      source: 'crypto/tls handshake_server.go (processClientHello), alert.go (alertHandshakeFailure)',
    },
    envoy: { ...envoyWording({ alert: 40 }), detector: 'TLS error: … NO_SHARED_CIPHER' },
  },
  apply(spec, target, { ciphers }) {
    const next = cloneSpec(spec);
    const endpoint = endpointOf(next, target);
    endpoint.tls = { ...endpoint.tls, ciphers };
    return next;
  },
};
