/**
 * The lab file's shape: one valibot schema is the single source for validation, the
 * TypeScript types (`LabSpec` …) and `labs/lab.schema.json` for editors.
 *
 *   labs/*.yaml ──parse──▶ unknown ──LabSchema──▶ LabSpec ──crossCheck──▶ LabSpec (refs resolved)
 *
 * Every object is strict: an unknown key is a typo, and a typo in a lab is an error.
 */
import * as v from 'valibot';
import {
  maxCertificates,
  maxClients,
  maxLatencyMs,
  maxPathLen,
  maxReasonLength,
  maxPoolSockets,
  maxRps,
  maxServiceConnections,
  maxServices,
  maxTimeoutMs,
  minRps,
} from './limits.js';

const name = (what: string) =>
  v.pipe(
    v.string(),
    v.regex(/^[a-z][a-z0-9-]*$/, `${what} names are lower-case words joined by '-', like "corp-root"`),
  );

/** A time relative to now: `-1h`, `+90d`, `+30s`, `+10y` (s, m, h, d, y). */
export const relativeTimePattern = /^[+-]\d+(s|m|h|d|y)$/;
const relativeTime = v.pipe(
  v.string(),
  v.regex(relativeTimePattern, 'a time relative to now, like "-1h", "+90d" or "+30s"'),
);

export const keyAlgorithms = ['ecdsa-p256', 'rsa-2048', 'ed25519'] as const;
export const extendedKeyUsages = ['serverAuth', 'clientAuth'] as const;

/** `dns:auth.corp.test`, `ip:127.0.0.1`, `uri:spiffe://corp.test/ns/pay/sa/payments`, `email:a@b.test`. */
export const subjectAltNamePattern = /^(dns|ip|uri|email):.+$/;

export const CertificateSchema = v.strictObject({
  /** Absent: self-signed (a root). */
  issuer: v.optional(name('certificate')),
  ca: v.optional(v.boolean(), false),
  /** RFC 5280 §4.2.1.9: how many intermediates may follow this CA. */
  pathLen: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(maxPathLen))),
  key: v.optional(v.picklist(keyAlgorithms), 'ecdsa-p256'),
  /** The subject's common name; the certificate's name in the lab when absent. */
  commonName: v.optional(v.string()),
  san: v.optional(
    v.array(v.pipe(v.string(), v.regex(subjectAltNamePattern, 'a SAN like "dns:auth.corp.test" or "uri:spiffe://…"'))),
    [],
  ),
  eku: v.optional(v.array(v.picklist(extendedKeyUsages)), []),
  validity: v.optional(
    v.strictObject({
      notBefore: v.optional(relativeTime, '-1h'),
      notAfter: v.optional(relativeTime),
    }),
    {},
  ),
  /** Listed in its issuer's CRL. */
  revoked: v.optional(v.boolean(), false),
  /**
   * The CRL this CA publishes, its dates relative to now (RFC 5280 §5.1.2.4–5): past its
   * nextUpdate, a verifier that checks revocation refuses every certificate the CA issued.
   * Declared on any CA (or a certificate revoked), every verifier of the lab checks revocation.
   */
  crl: v.optional(
    v.strictObject({
      thisUpdate: v.optional(relativeTime, '-1h'),
      nextUpdate: v.optional(relativeTime, '+7d'),
    }),
  ),
});

export const tlsStacks = ['node', 'openssl'] as const;
export const clientAuthPolicies = ['require', 'optional', 'none'] as const;
export const meshModes = ['strict', 'permissive', 'disable'] as const;
export const chainModes = ['full', 'leaf'] as const;

/** TLS protocol versions a lab endpoint may be limited to: Node's names, which `openssl -min_protocol` also reads. */
export const tlsVersions = ['TLSv1.2', 'TLSv1.3'] as const;

/**
 * An endpoint's protocol policy; absent fields keep the stack's defaults (TLS 1.2 to 1.3, the
 * default cipher list). `ciphers` is a TLS 1.2 list in OpenSSL's names joined by ':'
 * (openssl-ciphers(1)); TLS 1.3 suites are not set here.
 */
const TlsPolicySchema = v.strictObject({
  minVersion: v.optional(v.picklist(tlsVersions)),
  maxVersion: v.optional(v.picklist(tlsVersions)),
  ciphers: v.optional(v.pipe(v.string(), v.regex(/^[A-Z0-9-]+(:[A-Z0-9-]+)*$/, 'TLS 1.2 cipher suites in OpenSSL\'s names joined by ":", like "ECDHE-ECDSA-AES128-GCM-SHA256"'), v.maxLength(1000))),
});

const ServiceSchema = v.strictObject({
  /** The DNS name callers dial (SNI and the Host header); checked against the cert's SANs. */
  host: v.pipe(v.string(), v.regex(/^[a-z0-9.-]+$/, 'a DNS name like "auth.corp.test"')),
  /**
   * The real TLS stack behind the port. `node`: Node's tls/https (keep-alive, latency,
   * permissive mode). `openssl`: `openssl s_server`, which answers a bad client certificate
   * with the real alert (Node closes the connection without one).
   */
  stack: v.optional(v.picklist(tlsStacks), 'node'),
  cert: name('certificate'),
  /**
   * The certificate whose private key is deployed beside `cert`; `cert`'s own when absent.
   * Another one's key does not match the certificate, and the service cannot start.
   */
  key: v.optional(name('certificate')),
  /**
   * The certificate the running process read at start, when its files were renewed to `cert`
   * since and it was never reloaded: it serves this one while its files on disk hold `cert`.
   */
  loaded: v.optional(name('certificate')),
  chain: v.optional(v.picklist(chainModes), 'full'),
  clientAuth: v.optional(v.picklist(clientAuthPolicies), 'require'),
  trust: v.optional(v.array(name('certificate')), []),
  /**
   * How far the verifier's clock is from the true time (`-40m`: behind), for the certificates
   * it verifies. `stack: openssl` only: s_server verifies at that instant (-attime); Node's
   * tls reads the system clock and has no such option.
   */
  clockOffset: v.optional(relativeTime),
  /** Istio-style: strict (mTLS only), permissive (mTLS and plaintext on one port), disable. */
  mode: v.optional(v.picklist(meshModes), 'strict'),
  latencyMs: v.optional(
    v.pipe(v.number(), v.minValue(0), v.maxValue(maxLatencyMs, `a latency of at most ${maxLatencyMs} ms (${maxLatencyMs / 60_000} minutes)`)),
    0,
  ),
  maxConnections: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(maxServiceConnections))),
  /** Protocol versions and TLS 1.2 ciphers it accepts (both stacks). */
  tls: v.optional(TlsPolicySchema),
  /**
   * Authorization after authentication: the identities (URI SANs, SPIFFE IDs) whose verified
   * certificate may call; any other verified caller gets HTTP 403. Absent: every verified caller.
   */
  allow: v.optional(v.array(v.pipe(v.string(), v.regex(/^uri:.+$/, 'an identity like "uri:spiffe://corp.test/ns/fin/sa/billing"')))),
  /**
   * The signature schemes its CertificateRequest names (RFC 8446 §4.3.2), OpenSSL's names joined
   * by ':'. A client whose only certificate cannot sign with one of them sends none. Node's
   * `sigalgs` also binds the service's own signature: keep its key's scheme in the list.
   */
  certRequestSigalgs: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_+-]+(:[A-Za-z0-9_+-]+)*$/, 'signature schemes joined by ":", like "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"'), v.maxLength(1000))),
});

const PoolSchema = v.strictObject({
  keepAlive: v.optional(v.boolean(), true),
  maxSockets: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(maxPoolSockets)), 8),
  timeoutMs: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(maxTimeoutMs, `a timeout of at most ${maxTimeoutMs} ms (${maxTimeoutMs / 60_000} minutes)`)),
    2000,
  ),
  sessionResumption: v.optional(v.boolean(), true),
});

const SloSchema = v.strictObject({
  /** The share of requests that must succeed, 0 to 1. */
  successRate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.99),
  /** The 99th percentile latency it must stay under, queueing included. */
  p99Ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(maxTimeoutMs)), 500),
});

const ClientSchema = v.strictObject({
  calls: name('service'),
  /** Absent: the client presents no certificate. */
  cert: v.optional(name('certificate')),
  chain: v.optional(v.picklist(chainModes), 'full'),
  trust: v.optional(v.array(name('certificate')), []),
  /**
   * Whether it accepts a server certificate with no DNS SAN by its subject CN, as OpenSSL's
   * X509_check_host, curl, Node and Python do by default; false: SANs only, as RFC 9525 §6.3,
   * Go 1.15+ and Chrome 58+ do.
   */
  commonNameFallback: v.optional(v.boolean(), true),
  /** `plaintext`: a caller outside the mesh that speaks HTTP with no TLS at all. */
  protocol: v.optional(v.picklist(['tls', 'plaintext']), 'tls'),
  path: v.optional(v.pipe(v.string(), v.startsWith('/')), '/'),
  /** Protocol versions and TLS 1.2 ciphers it offers. */
  tls: v.optional(TlsPolicySchema),
  pool: v.optional(PoolSchema, {}),
  /** What this edge promises its callers; a chaos run reports every window that breaks it. */
  slo: v.optional(SloSchema, {}),
  rps: v.optional(v.pipe(v.number(), v.minValue(minRps), v.maxValue(maxRps)), 5),
});

const FaultSchema = v.strictObject({
  kind: name('fault'),
  target: v.optional(name('target')),
  params: v.optional(v.record(v.string(), v.unknown()), {}),
});

const FixActionSchema = v.strictObject({
  action: name('fix action'),
  target: v.optional(name('target')),
  params: v.optional(v.record(v.string(), v.unknown()), {}),
});

/** A trace event that proves the diagnosis: the side that saw it and what it saw. */
const EvidenceSchema = v.strictObject({
  side: v.picklist(['client', 'server']),
  message: v.string(),
  alert: v.optional(v.string()),
  field: v.optional(v.string()),
  /** What `field` must read, when it is the value that proves it (`0 certificates`). */
  value: v.optional(v.string()),
});

const ScenarioSchema = v.strictObject({
  symptom: v.string(),
  question: v.string(),
  /** The root cause: an id from the fault catalogue, or `none`. Stays on the server until diagnosed. */
  answer: name('root cause'),
  /**
   * The other root causes offered beside the answer (the page shuffles them per sandbox), each
   * with one line on why it is wrong for this incident, pointing at what the trace shows; the
   * line is shown with the reveal, after the diagnosis.
   */
  distractors: v.pipe(
    v.record(name('root cause'), v.pipe(v.string(), v.regex(/^[^\n]+$/, 'one line: why this cause is wrong for this incident, pointing at what the trace shows'), v.maxLength(maxReasonLength))),
    v.minEntries(1, 'at least one distractor: a quiz needs a wrong answer to choose'),
  ),
  /** The trace events that prove the answer: any one of them does. */
  evidence: v.optional(v.pipe(v.array(EvidenceSchema), v.minLength(1))),
  hints: v.optional(v.array(v.string()), []),
  fix: v.optional(v.array(FixActionSchema), []),
  explain: v.string(),
});

export const levels = ['beginner', 'intermediate', 'advanced'] as const;

/** Why a map has a cap, and the next step past it (limits.ts says how each was chosen). */
const tooMany = {
  certificate: 'every key is generated when the lab starts; share CAs, or split the system into several labs',
  service: 'each service is a process of its own; split a bigger system into several labs',
  client: 'each client is a process of its own; split a bigger system into several labs',
};

export const LabSchema = v.strictObject({
  $schema: v.optional(v.string()),
  id: name('lab'),
  title: v.string(),
  level: v.picklist(levels),
  minutes: v.pipe(v.number(), v.integer(), v.minValue(1)),
  tags: v.optional(v.array(v.string()), []),
  summary: v.optional(v.string()),
  pki: v.pipe(v.record(name('certificate'), CertificateSchema), v.maxEntries(maxCertificates, tooMany.certificate)),
  services: v.pipe(v.record(name('service'), ServiceSchema), v.maxEntries(maxServices, tooMany.service)),
  clients: v.optional(v.pipe(v.record(name('client'), ClientSchema), v.maxEntries(maxClients, tooMany.client)), {}),
  faults: v.optional(v.array(FaultSchema), []),
  scenario: ScenarioSchema,
});

export type LabSpec = v.InferOutput<typeof LabSchema>;
export type CertificateSpec = v.InferOutput<typeof CertificateSchema>;
export type ServiceSpec = v.InferOutput<typeof ServiceSchema>;
export type ClientSpec = v.InferOutput<typeof ClientSchema>;
export type PoolSpec = v.InferOutput<typeof PoolSchema>;
export type SloSpec = v.InferOutput<typeof SloSchema>;
export type TlsPolicySpec = v.InferOutput<typeof TlsPolicySchema>;
export type FaultSpec = v.InferOutput<typeof FaultSchema>;
export type FixActionSpec = v.InferOutput<typeof FixActionSchema>;
export type ScenarioSpec = v.InferOutput<typeof ScenarioSchema>;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];
export type ExtendedKeyUsage = (typeof extendedKeyUsages)[number];
