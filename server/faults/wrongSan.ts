import { subjectAltNamePattern } from '../lab/schema.js';
import { cloneSpec, FaultError, type Fault } from './fault.js';

/**
 * The certificate names some other host than the one its clients dial — issued for the
 * pod's own name, or for the old service name after a rename. A client that checks the
 * server's identity (RFC 9110 §4.3.4, RFC 6125) refuses it after an otherwise sound
 * handshake. `params.san` gives the names it carries instead; by default `dns:<target>.internal`.
 */
export const wrongSan: Fault = {
  kind: 'wrong-san',
  title: 'Certificate names another host',
  summary: "None of the certificate's subjectAltNames is the name the client dialled, so the client refuses it as someone else's.",
  target: 'certificate',
  signature: {
    client: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames",
    server: 'nothing about names: the client closes the connection (ECONNRESET, socket hang up)',
  },
  fix: 'match-san',
  apply(spec, target, params) {
    const next = cloneSpec(spec);
    const san = params.san ?? [`dns:${target}.internal`];
    if (!Array.isArray(san) || san.length === 0 || !san.every((name) => typeof name === 'string' && subjectAltNamePattern.test(name))) {
      throw new FaultError(`wrong-san: params.san must be a list of SANs like "dns:auth.internal", got ${JSON.stringify(san)}`);
    }
    next.pki[target]!.san = san as string[];
    return next;
  },
};
