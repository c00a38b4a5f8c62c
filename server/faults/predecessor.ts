import type { LabSpec } from '../lab/schema.js';

/**
 * `<cert>-previous`: the certificate `cert` replaced at its last renewal — the same issuer,
 * subject and names, its own key and serial, dated `validity` — added to the lab once. Faults
 * of a renewal gone wrong deploy it: its key beside the new certificate (key-mismatch), or it
 * alone, still in a process that never reloaded (renewed-not-reloaded).
 */
export function predecessor(spec: LabSpec, cert: string, validity: { notBefore: string; notAfter: string }): string {
  const name = `${cert}-previous`;
  const renewed = spec.pki[cert]!;
  spec.pki[name] ??= { ...structuredClone(renewed), commonName: renewed.commonName ?? cert, validity, revoked: false };
  return name;
}
