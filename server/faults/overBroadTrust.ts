import * as v from 'valibot';
import { chainOf, evidenceOf, finding, possessive, shortName } from './evidence.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';
import { labName, ParamsError, paramsSchema } from './params.js';
import { opensslFamilyVersions } from './wording.js';

const params = paramsSchema({
  /** The CA added to the service's bundle; every root of the lab when absent (a platform-wide bundle). */
  add: v.optional(labName('a CA')),
});

type Chain = ReturnType<typeof chainOf>;

/** Every CA a chain names: the issuers, and the subjects of the CAs it carries. */
const casNamed = (chain: Chain): Set<string> => new Set(chain.flatMap((cert, i) => [cert.issuer, i > 0 ? cert.subject : undefined]).filter((name): name is string => name !== undefined));

/** `spiffe://globex.test/ns/app/sa/crawler` → `globex.test`: the SPIFFE trust domain, the tenant a URI SAN names. */
const trustDomains = (chain: Chain): string[] => (chain[0]?.subjectAltNames ?? []).flatMap((san) => /^(?:url|uri|URI):spiffe:\/\/([^/]+)/.exec(san)?.[1] ?? []);

/** The names a leaf answers to (DNS SANs) and the trust domains of its URI SANs. */
const dnsNames = (chain: Chain): string[] => (chain[0]?.subjectAltNames ?? []).flatMap((san) => /^(?:dns|DNS):(.+)$/.exec(san)?.[1] ?? []);

/**
 * Whether the client is of another tenant than the service, from the bytes: its chain shares
 * no CA with the service's own, and its SPIFFE trust domain is not the service's (a DNS name
 * of the service under it, or the trust domain of the service's own URI SAN). Old and new
 * roots of one organisation during a rotation share the trust domain, so they are not flagged;
 * a client without a SPIFFE ID cannot be told apart and is not either.
 */
function anotherTenant(client: Chain, own: Chain): boolean {
  const ownCas = casNamed(own);
  if ([...casNamed(client)].some((ca) => ownCas.has(ca))) return false;
  const domains = trustDomains(client);
  if (domains.length === 0) return false;
  const ownDomains = trustDomains(own);
  const names = dnsNames(own);
  return domains.every((domain) => !ownDomains.includes(domain) && !names.some((name) => name === domain || name.endsWith(`.${domain}`)));
}

/**
 * An over-broad trust bundle: the service verifies client certificates against more CAs than
 * its own tenant's — the platform-wide bundle, the OS store — so another tenant's valid
 * certificate is a valid client certificate here. Nothing fails: it is a security finding,
 * like optional-client-auth. Trust only the CA that issues the tenant's own identities (and
 * authorize identities on top: allow lists).
 */
export const overBroadTrust: Fault<v.InferOutput<typeof params>> = {
  kind: 'over-broad-trust',
  title: "Trust bundle lets another tenant's certificates in",
  summary: "The service's trust bundle holds other tenants' CAs, so a caller with another tenant's certificate passes client authentication and is served.",
  target: 'service',
  fixes: ['trust-own-ca'],
  params,
  rules: {
    /** Served a client of another tenant: a chain with none of the service's CAs, a SPIFFE trust domain not its own. */
    foreignServed(f) {
      if (!f.served || !f.clientCert) return undefined;
      const client = chainOf(f.clientCert);
      const own = chainOf(f.serverCert);
      if (client.length === 0 || own.length === 0 || !anotherTenant(client, own)) return undefined;
      const clientRoot = client.at(-1)?.issuer;
      const ownRoot = own.at(-1)?.issuer;
      const cas = f.certRequest?.authorities ?? [];
      const listed = cas.length > 1 ? ` (its CertificateRequest lists ${cas.length} CAs: ${cas.map(shortName).join(', ')})` : '';
      return finding('over-broad-trust', 'server', evidenceOf(f.clientCert, 'issuer', client[0]?.issuer ?? ''),
        `${f.service} served ${f.client}, whose certificate ${shortName(client[0]?.subject)} (${trustDomains(client).join(', ')}) chains to ${shortName(clientRoot)} — not to ${shortName(ownRoot)}, the CA behind ${possessive(f.service)} own certificate: its trust bundle holds another tenant's CA${listed}`, 'warning');
    },
  },
  // Nothing fails, so no stack reports it: another tenant's certificate is served, and each
  // tool, run with that certificate, prints the answer (checked in wording.test.ts).
  wording: {
    openssl: { detector: 'Verify return code: 0 (ok) … HTTP/1.1 200 OK … you are CN=', version: opensslFamilyVersions.openssl },
    curl: { detector: 'hello from … you are CN=', version: opensslFamilyVersions.curl },
    node: { detector: 'HTTP/1.1 200 OK', version: opensslFamilyVersions.node },
    python: { detector: 'HTTP/1.1 200 OK', version: opensslFamilyVersions.python },
    go: { detector: "tls.Config{ ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: a pool holding every tenant's root } verifies another tenant's certificate", version: 'Go 1.21+', source: 'crypto/tls common.go (Config.ClientCAs)' },
    envoy: { detector: "validation_context.trusted_ca with the mesh-wide bundle and no match_typed_subject_alt_names: another tenant's certificate passes", version: 'Envoy 1.28', source: 'api/envoy/extensions/transport_sockets/tls/v3/common.proto (CertificateValidationContext)' },
  },
  apply(spec, target, { add }) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    const roots = Object.entries(next.pki).filter(([, cert]) => cert.ca && cert.issuer === undefined).map(([name]) => name);
    if (add !== undefined && !next.pki[add]?.ca) {
      const cas = Object.entries(spec.pki).filter(([, cert]) => cert.ca).map(([name]) => name);
      throw new ParamsError('over-broad-trust', [{ path: ['add'], message: `"${add}" is not a CA in lab ${spec.id} (known: ${cas.join(', ')})` }], { ofLab: true });
    }
    const widened = [...new Set([...service.trust, ...(add === undefined ? roots : [add])])];
    if (widened.length === service.trust.length) throw new FaultError(`over-broad-trust: ${target} already trusts ${add ?? 'every root of the lab'}`);
    service.trust = widened;
    return next;
  },
};
