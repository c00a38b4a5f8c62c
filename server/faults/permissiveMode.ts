import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/**
 * Istio's PERMISSIVE PeerAuthentication: the port accepts mTLS *and* plaintext, told apart
 * by its first bytes (Envoy's tls_inspector). Meant for migrations; left on, anyone who
 * speaks plain HTTP skips mTLS entirely.
 */
export const permissiveMode: Fault = {
  kind: 'permissive-mode',
  title: 'PERMISSIVE mode left on',
  summary: 'The service accepts plaintext on its mTLS port, so a caller with no certificate is served.',
  target: 'service',
  signature: {
    client: 'plaintext caller: HTTP 200 with no certificate at all',
    server: 'request served with "no client certificate"',
  },
  fix: 'enforce-strict',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.services[target]!.mode = 'permissive';
    return next;
  },
};
