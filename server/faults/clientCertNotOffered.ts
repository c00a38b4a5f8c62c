import * as v from 'valibot';
import { chainOf, described, evidenceOf, possessive, witnesses } from './evidence.js';
import type { KeyAlgorithm } from '../lab/schema.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { paramLimits, paramsSchema } from './params.js';
import { missingClientCert } from './missingClientCert.js';

const schemes = `signature schemes joined by ":", like "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256" (at most ${paramLimits.textLength.max} characters)`;

/** The schemes each kind of certificate key signs with (RFC 8446 §4.2.3): a key whose every scheme is left out cannot be offered. */
const keyFamilies: Readonly<Record<string, readonly string[]>> = {
  Ed25519: ['ed25519'],
  Ed448: ['ed448'],
  'ECDSA P-256': ['ecdsa_secp256r1_sha256'],
  'ECDSA P-384': ['ecdsa_secp384r1_sha384'],
  'ECDSA P-521': ['ecdsa_secp521r1_sha512'],
  RSA: ['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'],
};

/** The schemes each key algorithm a lab issues signs with. */
const labKeySchemes: Readonly<Record<KeyAlgorithm, readonly string[]>> = {
  'ecdsa-p256': keyFamilies['ECDSA P-256']!,
  'rsa-2048': keyFamilies.RSA!,
  ed25519: keyFamilies.Ed25519!,
};

const params = paramsSchema({
  /** The schemes the service's CertificateRequest is cut down to. */
  sigalgs: v.optional(v.pipe(v.string(schemes), v.regex(/^[A-Za-z0-9_+-]+(:[A-Za-z0-9_+-]+)*$/, schemes), v.maxLength(paramLimits.textLength.max, schemes)), 'ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256'),
});

/**
 * A client that holds a certificate and sends none: the server's CertificateRequest names
 * signature schemes its key cannot sign with (an Ed25519 key against a list cut down to
 * ECDSA P-256 and RSA-PSS), so OpenSSL's client — s_client, curl, Node, Python alike — answers
 * with an empty Certificate (ssl/statem tls_choose_sigalg finds no scheme for its key) and a
 * server that requires one aborts with certificate_required (116). Checked here: s_server
 * -client_sigalgs and Node's `sigalgs` against s_client and Node with one Ed25519 certificate.
 * A CA list (certificate_authorities) that excludes the issuer does NOT do this on OpenSSL: its
 * clients send their one certificate regardless (checked with s_client against s_server
 * -CAfile naming another CA); Go's client does withhold it (CertificateRequestInfo.
 * SupportsCertificate checks AcceptableCAs), as do browsers and Java's key managers.
 */
export const clientCertNotOffered: Fault<v.InferOutput<typeof params>> = {
  kind: 'client-cert-not-offered',
  title: 'The client holds a certificate but offers none',
  summary: "The server's CertificateRequest names signature schemes the client's key cannot sign with, so the client answers with an empty Certificate and is refused as if it had none.",
  target: 'service',
  fixes: ['drop-cert-request-sigalgs'],
  params,
  signal: missingClientCert.signal!,
  rules: {
    /** An empty client Certificate, after a CertificateRequest that leaves out schemes the client offered. */
    excludedScheme(f) {
      const requested = f.certRequest?.signatureSchemes;
      if (!f.clientCert || chainOf(f.clientCert).length > 0 || !requested || !f.offeredSchemes) return undefined;
      const offered = f.offeredSchemes;
      const shutOut = Object.entries(keyFamilies).filter(([, family]) => family.some((s) => offered.includes(s)) && !family.some((s) => requested.includes(s))).map(([key]) => key);
      if (shutOut.length === 0) return undefined;
      const required = witnesses(f, missingClientCert.signal!)[0];
      return {
        rootCause: 'client-cert-not-offered',
        detectedBy: 'client',
        severity: 'error',
        evidence: evidenceOf(f.certRequest!, 'signature_algorithms', requested.join(', ')),
        summary: `${f.client} answered ${possessive(f.service)} CertificateRequest with an empty Certificate${required ? ` and was refused (${described(required)})` : ''}: the request accepts only ${requested.join(', ')}, and none for ${shutOut.join(', ')} keys, which ${f.client} offered to sign with — a certificate with such a key is withheld. From the bytes a client without any certificate looks the same`,
        alternatives: ['missing-client-cert'],
      };
    },
  },
  // What each stack prints is missing-client-cert's: an empty Certificate, then alert 116.
  wording: missingClientCert.wording,
  apply(spec, target, { sigalgs }) {
    // Staged only where a caller's key is shut out: elsewhere every certificate is still sent, and nothing breaks.
    const allowed = sigalgs.split(':');
    const shutOut = Object.values(spec.clients).some((client) => client.calls === target && client.cert !== undefined && !labKeySchemes[spec.pki[client.cert]!.key].some((scheme) => allowed.includes(scheme)));
    if (!shutOut) {
      throw new FaultError(`client-cert-not-offered: every caller of ${target} has a key that signs with one of ${sigalgs}, so each still sends its certificate; it takes a caller whose key those schemes leave out (key: ed25519)`);
    }
    const next = cloneSpec(spec);
    next.services[target]!.certRequestSigalgs = sigalgs;
    return next;
  },
};

