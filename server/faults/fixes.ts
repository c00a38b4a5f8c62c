/**
 * Fix actions: what an on-call engineer does to undo a fault, as pure spec transforms like
 * the faults themselves. A lab's `scenario.fix` lists them; `mtls-lab run --fix` applies them
 * and the runtime proves the repair with real handshakes.
 */
import type { LabSpec } from '../lab/schema.js';
import { cloneSpec, endpointOf, FaultError, type FaultParams, type TargetKind } from './fault.js';

export interface FixAction {
  action: string;
  title: string;
  target: TargetKind;
  apply(spec: LabSpec, target: string, params: FaultParams): LabSpec;
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
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.services[target]!.clientAuth = 'require';
    return next;
  },
};

const enforceStrict: FixAction = {
  action: 'enforce-strict',
  title: 'Set the service to STRICT: mTLS only',
  target: 'service',
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.services[target]!.mode = 'strict';
    return next;
  },
};

const matchSan: FixAction = {
  action: 'match-san',
  title: 'Re-issue the certificate for the names its clients dial',
  target: 'certificate',
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

const presentClientCert: FixAction = {
  action: 'present-client-cert',
  title: 'Configure the client with its certificate and key',
  target: 'client',
  apply(spec, target, params) {
    const next = cloneSpec(spec);
    const cert = params.cert;
    const clientCerts = Object.entries(next.pki).filter(([, c]) => !c.ca && c.eku.includes('clientAuth')).map(([name]) => name);
    if (typeof cert !== 'string' || !clientCerts.includes(cert)) {
      throw new FaultError(`present-client-cert: params.cert must name a client certificate of lab ${spec.id} (known: ${clientCerts.join(', ') || 'none'}), got ${JSON.stringify(cert)}`);
    }
    next.clients[target]!.cert = cert;
    return next;
  },
};

const tunePool: FixAction = {
  action: 'tune-pool',
  title: 'Keep connections alive, resume sessions and size the pool for the load',
  target: 'client',
  apply(spec, target, params) {
    const next = cloneSpec(spec);
    const maxSockets = typeof params.maxSockets === 'number' ? params.maxSockets : 16;
    Object.assign(next.clients[target]!.pool, { keepAlive: true, sessionResumption: true, maxSockets });
    return next;
  },
};

export const fixActions: ReadonlyMap<string, FixAction> = new Map(
  [reissue, sendFullChain, trustIssuer, matchSan, matchEku, requireClientCert, enforceStrict, presentClientCert, tunePool].map((fix) => [fix.action, fix]),
);
