import { described, evidenceOf, finding, reportValue, shortName, whenRefused } from './evidence.js';
import type { Signal } from './facts.js';
import { cloneSpec, type Fault } from './fault.js';
import { noParams } from './params.js';
import { envoyWording, goWording, opensslFamily } from './wording.js';

const signal: Signal = { alerts: [44], verifyErrors: [{ num: 23, code: 'CERT_REVOKED', text: 'certificate revoked' }] };

/**
 * The certificate is on its issuer's CRL — revoked after its key leaked — but is still the
 * one deployed. Verifiers that check revocation refuse it (RFC 5280 §6.3), with alert
 * certificate_revoked (44) from a server.
 */
export const revokedCert: Fault = {
  kind: 'revoked-cert',
  title: 'Revoked certificate still deployed',
  summary: "A certificate its CA has revoked is still in use; every verifier that checks the CA's CRL refuses it.",
  target: 'certificate',
  fixes: ['reissue'],
  params: noParams,
  signal,
  rules: {
    reported: whenRefused(signal, ({ witness, by, sent, leaf, holder, verifier }) => {
      // The CRL is not on the wire; the serial it lists is, in the refused party's Certificate.
      const proof = sent && leaf?.serialNumber ? evidenceOf(sent, 'serialNumber', leaf.serialNumber) : reportValue(witness);
      const serial = leaf?.serialNumber ? ` (serial ${leaf.serialNumber})` : '';
      return finding('revoked-cert', by, proof, `${holder} ${shortName(leaf?.subject)}${serial} is on the CRL of ${shortName(leaf?.issuer)}; ${verifier} checks revocation and refused it (${described(witness)})`);
    }),
  },
  wording: {
    // A client checks revocation only when told to: s_client -crl_check -CRLfile, curl
    // --crlfile, Python's VERIFY_CRL_CHECK_LEAF, Node's `crl` option; the servers of the labs do.
    ...opensslFamily({ verify: signal.verifyErrors[0], alert: 44 }),
    // Go's crypto/x509 does not read CRLs: revocation is a VerifyPeerCertificate callback's
    // (crypto/tls common.go), and the alert its server sends is bad_certificate.
    go: { detector: 'no built-in CRL check: the error a VerifyPeerCertificate callback returns', peer: 'remote error: tls: bad certificate', version: 'Go 1.21+', source: 'crypto/tls common.go (Config.VerifyPeerCertificate), handshake_server.go' },
    envoy: envoyWording({ alert: 44, detail: 'with a crl in the validation context' }),
  },
  apply(spec, target) {
    const next = cloneSpec(spec);
    next.pki[target]!.revoked = true;
    return next;
  },
};
