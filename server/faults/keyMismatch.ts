import * as v from 'valibot';
import { carries, evidenceOf, finding, possessive } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { labName, ParamsError, paramsSchema } from './params.js';
import { predecessor } from './predecessor.js';
import { opensslFamilyVersions } from './wording.js';

const params = paramsSchema({
  /** The certificate whose key is deployed instead; the service certificate's predecessor, added to the lab, when absent. */
  key: v.optional(labName('a certificate')),
});

/**
 * OpenSSL checks a certificate against its private key when both are loaded
 * (SSL_CTX_use_PrivateKey → X509_check_private_key, crypto/x509/x509_cmp.c), before anything
 * listens: X509_R_KEY_VALUES_MISMATCH, which Node raises as ERR_OSSL_X509_KEY_VALUES_MISMATCH.
 */
const signal: Signal = { alerts: [], verifyErrors: [], codes: ['ERR_OSSL_X509_KEY_VALUES_MISMATCH'], text: /key values mismatch/i };

/**
 * A certificate deployed with a private key that is not its own — the renewal pipeline that
 * shipped the new certificate with last year's key. The TLS stack refuses the pair at start,
 * so the service never listens: its callers see only "connection refused", and the cause is
 * in the service's own start-up error. The fault points the service's `key` at another
 * certificate's key (params.key), or at its certificate's predecessor, issued a year earlier
 * for the same names with a key of its own.
 */
export const keyMismatch: Fault<v.InferOutput<typeof params>> = {
  kind: 'key-mismatch',
  title: "Certificate deployed with a key that is not its own",
  summary: "The service's certificate and private key do not match: its TLS stack refuses them at start, nothing listens, and every caller is refused.",
  target: 'service',
  fixes: ['deploy-matching-key'],
  params,
  signal,
  rules: {},
  startRule(start) {
    if (!carries(start.error, signal)) return undefined;
    const refused = start.refused.length;
    const symptom = refused ? `; its callers' ${refused} connect${refused === 1 ? ' was' : 's were'} refused (ECONNREFUSED), the symptom` : '';
    return finding('key-mismatch', 'server', evidenceOf(start.error, 'message', start.error.message),
      `${start.service} never started: its TLS stack refused ${possessive(start.service)} certificate and private key as a pair ("key values mismatch"), so nothing listens at its address${symptom}`);
  },
  // The service's own words at start; every caller's are those of a port nothing listens on.
  wording: {
    openssl: { detector: 'error setting private key … X509_check_private_key:key values mismatch', peer: 'connect:errno=111', version: opensslFamilyVersions.openssl },
    curl: { peer: "curl: (7) Failed to connect to … Couldn't connect to server", version: opensslFamilyVersions.curl },
    node: { detector: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH: error:05800074:x509 certificate routines::key values mismatch', peer: 'ECONNREFUSED: connect ECONNREFUSED', version: opensslFamilyVersions.node },
    python: { detector: '[X509: KEY_VALUES_MISMATCH] key values mismatch', peer: 'ConnectionRefusedError: [Errno 111] Connection refused', version: opensslFamilyVersions.python },
    go: { detector: 'tls: private key does not match public key', peer: 'dial tcp …: connect: connection refused', version: 'Go 1.21+', source: 'crypto/tls tls.go (X509KeyPair), net (syscall.ECONNREFUSED)' },
    // Envoy refuses the listener's TLS context (SSL_CTX_use_PrivateKey fails on the pair); an
    // Envoy calling the service reads a connect refused as a delayed connect error 111.
    envoy: { detector: 'Failed to load private key from …', peer: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111', version: 'Envoy 1.28 (BoringSSL)', source: 'source/extensions/transport_sockets/tls/context_impl.cc, source/common/network/connection_impl.cc' },
  },
  apply(spec, target, { key }) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    // Last year's certificate for the same names: its key is the one the pipeline kept.
    const deployed = key ?? predecessor(next, service.cert, { notBefore: '-395d', notAfter: '-30d' });
    const leaves = Object.entries(next.pki).filter(([name, cert]) => !cert.ca && name !== service.cert).map(([name]) => name);
    if (!leaves.includes(deployed)) {
      const why = deployed === service.cert ? `is ${possessive(target)} own certificate, whose key matches` : `is not a leaf certificate of lab ${spec.id}`;
      throw new ParamsError('key-mismatch', [{ path: ['key'], message: `"${deployed}" ${why} (known: ${leaves.join(', ') || 'none'})` }], { ofLab: true });
    }
    service.key = deployed;
    return next;
  },
};
