import * as v from 'valibot';
import { chainOf, evidenceOf, finding, possessive } from './evidence.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { goAlertText } from './alerts.js';
import { identity, paramsSchema } from './params.js';
import { opensslFamilyVersions } from './wording.js';

const params = paramsSchema({
  /** The identity the client's certificate carries once renamed; its old one with `-v2` when absent. */
  identity: v.optional(identity('the renamed identity')),
});

/** The URI SANs of a leaf as the decoder lists them (`url:spiffe://…`, @peculiar/x509's label), without the label. */
export const uriSans = (sans: readonly string[] | undefined): string[] => (sans ?? []).filter((san) => /^(url|uri|URI):/.test(san)).map((san) => san.replace(/^(url|uri|URI):/, ''));

/**
 * Authorization after authentication: the handshake is clean — the caller's certificate is
 * valid and trusted — and then the service answers 403, because the identity in it (its URI
 * SAN, a SPIFFE ID) is not on the service's allow list. The fault renames the caller's
 * service account: its certificate is re-issued with a new SPIFFE ID that nobody added to the
 * list. Nothing in TLS fails, so no alert and no verify error says it; the client Certificate
 * (encrypted in TLS 1.3, readable with the key log) and the 403 do.
 */
export const identityNotAllowed: Fault<v.InferOutput<typeof params>> = {
  kind: 'identity-not-allowed',
  title: "The caller's identity is not on the allow list",
  summary: "The handshake succeeds, but the identity in the caller's certificate (its URI SAN, a SPIFFE ID) is not on the service's allow list, so the service answers 403.",
  target: 'client',
  fixes: ['allow-identity'],
  params,
  rules: {
    /** A verified client certificate, then 403 Forbidden: authenticated, not authorized. */
    forbidden(f) {
      if (f.response?.status !== 403) return undefined;
      const leaf = chainOf(f.clientCert)[0];
      const ids = uriSans(leaf?.subjectAltNames);
      const who = ids.length ? ids.join(', ') : 'no URI SAN';
      const proof = f.clientCert && leaf ? evidenceOf(f.clientCert, 'subjectAltName', leaf.subjectAltNames?.join(', ')) : evidenceOf(f.response);
      return finding('identity-not-allowed', 'server', proof,
        `the handshake succeeded and ${f.service} answered 403 Forbidden: ${possessive(f.client)} certificate is valid, but its identity (${who}) is not on ${possessive(f.service)} allow list`);
    },
  },
  // No stack reports a TLS error: the handshake completes (`Verify return code: 0 (ok)`) and the
  // refusal is HTTP. Each tool shows the status line, curl without --fail only the body.
  wording: {
    openssl: { detector: 'Verify return code: 0 (ok) … HTTP/1.1 403 Forbidden', version: opensslFamilyVersions.openssl },
    curl: { detector: "forbidden: … is not on …'s allow list", version: opensslFamilyVersions.curl },
    node: { detector: 'HTTP/1.1 403 Forbidden', version: opensslFamilyVersions.node },
    python: { detector: 'HTTP/1.1 403 Forbidden', version: opensslFamilyVersions.python },
    // go-spiffe authorizes in the handshake (tlsconfig.AuthorizeID runs in VerifyPeerCertificate),
    // so a Go service refuses with an alert, not a 403: crypto/tls sends bad_certificate for a
    // VerifyPeerCertificate error.
    go: { detector: 'unexpected ID "spiffe://…"', peer: goAlertText(42), version: 'go-spiffe v2 (Go 1.21+)', source: 'go-spiffe v2/spiffeid/match.go (MatchID, MatchIDs), v2/spiffetls/tlsconfig/authorizer.go' },
    // Istio's AuthorizationPolicy becomes Envoy's HTTP RBAC filter, whose deny is a fixed local reply.
    envoy: { detector: 'HTTP/1.1 403 Forbidden … RBAC: access denied (response code details rbac_access_denied_matched_policy[none])', version: 'Envoy 1.28', source: 'envoyproxy.io docs: start/sandboxes/rbac, configuration/http/http_filters/rbac_filter' },
  },
  apply(spec, target, { identity: renamed }) {
    const next = cloneSpec(spec);
    const client = next.clients[target]!;
    const service = next.services[client.calls];
    if (!service?.allow) throw new FaultError(`identity-not-allowed: ${client.calls}, which ${target} calls, has no allow list: add "allow:" to it`);
    if (client.cert === undefined) throw new FaultError(`identity-not-allowed: ${target} presents no certificate, so it has no identity to rename`);
    const cert = next.pki[client.cert]!;
    const old = cert.san.find((san) => san.startsWith('uri:'));
    const name = renamed ?? (old ? `${old}-v2` : `uri:spiffe://${spec.id}.test/sa/${target}`);
    cert.san = [...cert.san.filter((san) => !san.startsWith('uri:')), name];
    return next;
  },
};
