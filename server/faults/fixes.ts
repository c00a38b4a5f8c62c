/**
 * Fix actions: what an on-call engineer does to undo a fault, as pure spec transforms like
 * the faults themselves. A lab's `scenario.fix` lists them; `mtls-lab run --fix` applies them
 * and the runtime proves the repair with real handshakes.
 */
import * as v from 'valibot';
import type { LabSpec } from '../lab/schema.js';
import { clearServiceField, cloneSpec, endpointOf, FaultError, setServiceField, type FaultParams, type TargetKind } from './fault.js';
import { identity, labName, noParams, paramLimits, ParamsError, paramsSchema, wholeNumber, type ParamsSchema } from './params.js';

export interface FixAction<P extends FaultParams = FaultParams> {
  action: string;
  title: string;
  target: TargetKind;
  /** The params it takes (params.ts): strict, every bound named; applyStep parses them for `apply`. */
  params: ParamsSchema<P>;
  apply(spec: LabSpec, target: string, params: P): LabSpec;
}

/** The root at the top of `certName`'s issuer chain. */
function rootOf(spec: LabSpec, certName: string): string {
  let name = certName;
  for (let depth = 0; spec.pki[name]?.issuer && depth < 64; depth++) name = spec.pki[name]!.issuer!;
  return name;
}

/** Who `name` talks to: a service's callers, or the service a client calls. */
function peersOf(spec: LabSpec, name: string): string[] {
  const client = spec.clients[name];
  if (client) return [client.calls];
  return Object.entries(spec.clients).filter(([, c]) => c.calls === name).map(([clientName]) => clientName);
}

/** A new certificate for the same holder: a fresh validity period and a new serial, on no CRL. */
const reissue: FixAction = {
  action: 'reissue',
  title: 'Re-issue the certificate: a new serial and a fresh validity period',
  target: 'certificate',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '-1h' };
    next.pki[target]!.revoked = false;
    return next;
  },
};

const sendFullChain: FixAction = {
  action: 'send-full-chain',
  title: 'Send the leaf together with its intermediates',
  target: 'endpoint',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    endpointOf(next, target).chain = 'full';
    return next;
  },
};

const trustIssuer: FixAction = {
  action: 'trust-issuer',
  title: "Add the root that issued the peers' certificates to the trust bundle",
  target: 'endpoint',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const verifier = endpointOf(next, target);
    const roots = peersOf(next, target)
      .map((peer) => endpointOf(next, peer).cert)
      .filter((cert): cert is string => cert !== undefined)
      .map((cert) => rootOf(next, cert));
    if (roots.length === 0) throw new FaultError(`trust-issuer: no peer of "${target}" presents a certificate`);
    verifier.trust = [...new Set([...verifier.trust, ...roots])];
    return next;
  },
};

const requireClientCert: FixAction = {
  action: 'require-client-cert',
  title: 'Require a verified client certificate on every connection',
  target: 'service',
  params: noParams,
  apply: setServiceField('clientAuth', 'require'),
};

const enforceStrict: FixAction = {
  action: 'enforce-strict',
  title: 'Set the service to STRICT: mTLS only',
  target: 'service',
  params: noParams,
  apply: setServiceField('mode', 'strict'),
};

const matchSan: FixAction = {
  action: 'match-san',
  title: 'Re-issue the certificate for the names its clients dial',
  target: 'certificate',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const hosts = Object.values(next.services).filter((service) => service.cert === target).map((service) => `dns:${service.host}`);
    if (hosts.length === 0) throw new FaultError(`match-san: no service of lab ${spec.id} presents "${target}"`);
    next.pki[target]!.san = [...new Set(hosts)];
    return next;
  },
};

const matchEku: FixAction = {
  action: 'match-eku',
  title: 'Re-issue the certificate with the key usage of its role',
  target: 'certificate',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const roles = [
      ...(Object.values(next.services).some((service) => service.cert === target) ? (['serverAuth'] as const) : []),
      ...(Object.values(next.clients).some((client) => client.cert === target) ? (['clientAuth'] as const) : []),
    ];
    if (roles.length === 0) throw new FaultError(`match-eku: no service or client of lab ${spec.id} presents "${target}"`);
    next.pki[target]!.eku = roles;
    return next;
  },
};

/** What a CA's CRL publishing job does: a new CRL, issued now, due again in a week. */
const publishCrl: FixAction = {
  action: 'publish-crl',
  title: "Publish a fresh CRL from the CA (and restart the job that publishes it)",
  target: 'certificate',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    if (!next.pki[target]!.ca) throw new FaultError(`publish-crl: "${target}" is not a CA; only a CA publishes a CRL`);
    next.pki[target]!.crl = { thisUpdate: '-1h', nextUpdate: '+7d' };
    return next;
  },
};

/** NTP back on: the service's clock is the true time again. */
const syncClock: FixAction = {
  action: 'sync-clock',
  title: "Synchronise the service's clock (NTP)",
  target: 'service',
  params: noParams,
  apply: clearServiceField('clockOffset'),
};

const presentClientCertParams = paramsSchema({
  /** The client certificate (clientAuth) it is to present. */
  cert: labName('a client certificate'),
});

const presentClientCert: FixAction<v.InferOutput<typeof presentClientCertParams>> = {
  action: 'present-client-cert',
  title: 'Configure the client with its certificate and key',
  target: 'client',
  params: presentClientCertParams,
  apply(spec, target, { cert }) {
    const next = cloneSpec(spec);
    const clientCerts = Object.entries(next.pki).filter(([, c]) => !c.ca && c.eku.includes('clientAuth')).map(([name]) => name);
    if (!clientCerts.includes(cert)) {
      throw new ParamsError('present-client-cert', [
        { path: ['cert'], message: `"${cert}" is not a client certificate of lab ${spec.id} (known: ${clientCerts.join(', ') || 'none'})` },
      ], { ofLab: true });
    }
    next.clients[target]!.cert = cert;
    return next;
  },
};

const speakTls: FixAction = {
  action: 'speak-tls',
  title: 'Make the caller speak TLS (https://) with its certificate, as the port requires',
  target: 'client',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.clients[target]!.protocol = 'tls';
    return next;
  },
};

const allowIdentityParams = paramsSchema({
  /** The identity to add: a URI SAN, like "uri:spiffe://corp.test/ns/fin/sa/billing". */
  identity: identity('an identity'),
});

const allowIdentity: FixAction<v.InferOutput<typeof allowIdentityParams>> = {
  action: 'allow-identity',
  title: "Add the caller's identity (its URI SAN) to the service's allow list",
  target: 'service',
  params: allowIdentityParams,
  apply(spec, target, { identity: allowed }) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    service.allow = [...new Set([...(service.allow ?? []), allowed])];
    return next;
  },
};

const allowTlsVersions: FixAction = {
  action: 'allow-tls-versions',
  title: 'Let the endpoint negotiate TLS 1.2 and TLS 1.3 again (the stacks\' defaults)',
  target: 'endpoint',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const endpoint = endpointOf(next, target);
    if (endpoint.tls) {
      const { minVersion: _min, maxVersion: _max, ...rest } = endpoint.tls;
      endpoint.tls = rest;
    }
    return next;
  },
};

const allowDefaultCiphers: FixAction = {
  action: 'allow-default-ciphers',
  title: "Drop the endpoint's custom TLS 1.2 cipher list: back to the stack's default suites",
  target: 'endpoint',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    const endpoint = endpointOf(next, target);
    if (endpoint.tls) {
      const { ciphers: _ciphers, ...rest } = endpoint.tls;
      endpoint.tls = rest;
    }
    return next;
  },
};

const trustOwnCaParams = paramsSchema({
  /** The CA to trust alone; the root behind the service's own certificate when absent. */
  trust: v.optional(labName('a CA')),
});

const trustOwnCa: FixAction<v.InferOutput<typeof trustOwnCaParams>> = {
  action: 'trust-own-ca',
  title: "Trust only the CA that issues the tenant's own certificates",
  target: 'service',
  params: trustOwnCaParams,
  apply(spec, target, { trust }) {
    const next = cloneSpec(spec);
    const service = next.services[target]!;
    const own = trust ?? rootOf(next, service.cert);
    if (!next.pki[own]?.ca) {
      const cas = Object.entries(spec.pki).filter(([, cert]) => cert.ca).map(([name]) => name);
      throw new ParamsError('trust-own-ca', [{ path: ['trust'], message: `"${own}" is not a CA in lab ${spec.id} (known: ${cas.join(', ')})` }], { ofLab: true });
    }
    service.trust = [own];
    return next;
  },
};

const dropCertRequestSigalgs: FixAction = {
  action: 'drop-cert-request-sigalgs',
  title: "Let the CertificateRequest name the stack's default signature schemes again",
  target: 'service',
  params: noParams,
  apply: clearServiceField('certRequestSigalgs'),
};

/** The key issued with the service's certificate, deployed beside it: the pair loads, the service starts. */
const deployMatchingKey: FixAction = {
  action: 'deploy-matching-key',
  title: "Deploy the private key issued with the service's certificate, and start the service again",
  target: 'service',
  params: noParams,
  apply: clearServiceField('key'),
};

/**
 * The process takes the certificate its files hold (Node: server.setSecureContext; s_server
 * reads files only at start, so it restarts). The lab realises it by starting the service
 * again on its files.
 */
const reload: FixAction = {
  action: 'reload',
  title: 'Reload the service so it serves the renewed certificate in its files (restart it where it cannot reload)',
  target: 'service',
  params: noParams,
  apply: clearServiceField('loaded'),
};

const tunePoolParams = paramsSchema({
  /** The pool's size once tuned. */
  maxSockets: v.optional(wholeNumber(paramLimits.maxSockets), 16),
  /** A new request timeout; the pool keeps its own when absent. */
  timeoutMs: v.optional(wholeNumber(paramLimits.timeoutMs)),
});

const tunePool: FixAction<v.InferOutput<typeof tunePoolParams>> = {
  action: 'tune-pool',
  title: 'Keep connections alive, resume sessions and size the pool for the load',
  target: 'client',
  params: tunePoolParams,
  apply(spec, target, { maxSockets, timeoutMs }) {
    const next = cloneSpec(spec);
    Object.assign(next.clients[target]!.pool, { keepAlive: true, sessionResumption: true, maxSockets, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    return next;
  },
};

export const fixActions: ReadonlyMap<string, FixAction> = new Map(
  [reissue, sendFullChain, trustIssuer, matchSan, matchEku, requireClientCert, enforceStrict, presentClientCert, publishCrl, syncClock, speakTls, allowTlsVersions, allowDefaultCiphers, tunePool, allowIdentity, trustOwnCa, dropCertRequestSigalgs, deployMatchingKey, reload].map((fix) => [fix.action, fix]),
);
