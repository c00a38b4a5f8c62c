import * as v from 'valibot';
import { cloneSpec, type Fault } from './fault.js';
import { paramLimits, paramsSchema, subjectAltNames } from './params.js';

const params = paramsSchema({
  /** The names it carries instead; `dns:<target>.internal` when absent. */
  san: v.optional(subjectAltNames(paramLimits.subjectAltNames)),
});

/**
 * The certificate names some other host than the one its clients dial — issued for the
 * pod's own name, or for the old service name after a rename. A client that checks the
 * server's identity (RFC 9110 §4.3.4, RFC 6125) refuses it after an otherwise sound
 * handshake. `params.san` gives the names it carries instead; by default `dns:<target>.internal`.
 */
export const wrongSan: Fault<v.InferOutput<typeof params>> = {
  kind: 'wrong-san',
  title: 'Certificate names another host',
  summary: "None of the certificate's subjectAltNames is the name the client dialled, so the client refuses it as someone else's.",
  target: 'certificate',
  signature: {
    client: "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames",
    server: 'nothing about names: the client closes the connection (ECONNRESET, socket hang up)',
  },
  fix: 'match-san',
  params,
  apply(spec, target, { san = [`dns:${target}.internal`] }) {
    const next = cloneSpec(spec);
    next.pki[target]!.san = [...san];
    return next;
  },
};
