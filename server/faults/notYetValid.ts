import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';

/** Issued with a notBefore in the future — what a verifier with a slow clock sees. */
export const notYetValid: Fault = {
  kind: 'not-yet-valid',
  title: 'Certificate not yet valid',
  summary: "A certificate's notBefore lies ahead of the verifier's clock (clock skew, or issued for the future).",
  target: 'certificate',
  signature: {
    client: 'CERT_NOT_YET_VALID',
    server: 'certificate is not yet valid (X509_V_ERR_CERT_NOT_YET_VALID, verify error 9)',
  },
  fix: 'reissue',
  params: noParams,
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.validity = { notBefore: '+1d', notAfter: '+91d' };
    return next;
  },
};
