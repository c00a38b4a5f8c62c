/** Every spec fault by kind, every root cause (the faults and `none`), and how a fault or fix finds what it targets. */
import type { LabSpec } from '../lab/schema.js';
import { caRotationWrongOrder } from './caRotationWrongOrder.js';
import { clientCertNotOffered } from './clientCertNotOffered.js';
import { expiredCert } from './expiredCert.js';
import { expiredIntermediate } from './expiredIntermediate.js';
import { clientMissingIntermediate } from './clientMissingIntermediate.js';
import { exhaustedPool } from './exhaustedPool.js';
import { FaultError, type Fault, type TargetKind } from './fault.js';
import { identityNotAllowed } from './identityNotAllowed.js';
import { keyMismatch } from './keyMismatch.js';
import { renewedNotReloaded } from './renewedNotReloaded.js';
import { missingClientCert } from './missingClientCert.js';
import { missingIntermediate } from './missingIntermediate.js';
import { noSharedCipher } from './noSharedCipher.js';
import { none } from './none.js';
import { notYetValid } from './notYetValid.js';
import { optionalClientAuth } from './optionalClientAuth.js';
import { overBroadTrust } from './overBroadTrust.js';
import { permissiveMode } from './permissiveMode.js';
import { plaintextToStrictPort } from './plaintextToStrictPort.js';
import { protocolVersionMismatch } from './protocolVersionMismatch.js';
import { revokedCert } from './revokedCert.js';
import { staleCrl } from './staleCrl.js';
import { verifierClockBehind } from './verifierClockBehind.js';
import { tlsToPlaintextPort } from './tlsToPlaintextPort.js';
import type { RootCause } from './rootCause.js';
import { wrongCa } from './wrongCa.js';
import { wrongEku } from './wrongEku.js';
import { wrongSan } from './wrongSan.js';
import { wireFault } from './wireFault.js';
import { cnWithoutSan } from './cnWithoutSan.js';

export const faults: ReadonlyMap<string, Fault> = new Map(
  [expiredCert, expiredIntermediate, notYetValid, verifierClockBehind, revokedCert, staleCrl, missingIntermediate, wrongCa, wrongSan, cnWithoutSan, wrongEku, missingClientCert, optionalClientAuth, permissiveMode, exhaustedPool]
    .concat([identityNotAllowed, caRotationWrongOrder, overBroadTrust, clientCertNotOffered])
    .concat([tlsToPlaintextPort, plaintextToStrictPort, clientMissingIntermediate, protocolVersionMismatch, noSharedCipher])
    .concat([keyMismatch, renewedNotReloaded])
    .map((f) => [f.kind, f]),
);

/** Every root cause by kind: `none` for a healthy lab, every fault, and the network breaking it in flight (a wire fault's). */
export const rootCauseCatalogue: ReadonlyMap<string, RootCause> = new Map<string, RootCause>([[none.kind, none], ...faults, [wireFault.kind, wireFault]]);

/** Root causes a scenario may offer. */
export const rootCauses: readonly string[] = [...rootCauseCatalogue.keys()];

/** Everything in the lab a fault or fix of this target kind may name. */
export function targetCandidates(spec: LabSpec, kind: TargetKind): string[] {
  switch (kind) {
    case 'certificate':
      return Object.keys(spec.pki);
    case 'service':
      return Object.keys(spec.services);
    case 'client':
      return Object.keys(spec.clients);
    case 'endpoint':
      return [...Object.keys(spec.services), ...Object.keys(spec.clients)];
  }
}

/** Every name a fault or fix may target in the lab, by target kind: what a page offers to pick from. */
export function targetsByKind(spec: LabSpec): Record<TargetKind, string[]> {
  const kinds: TargetKind[] = ['certificate', 'service', 'client', 'endpoint'];
  return Object.fromEntries(kinds.map((kind) => [kind, targetCandidates(spec, kind)])) as Record<TargetKind, string[]>;
}

/** The target named, checked; or the only candidate when none is named. */
export function resolveTarget(spec: LabSpec, what: string, kind: TargetKind, target: string | undefined): string {
  const known = targetCandidates(spec, kind);
  if (target === undefined) {
    if (known.length === 1) return known[0]!;
    throw new FaultError(`${what} needs a target: one of ${known.join(', ')} (write ${what}:<target>)`);
  }
  if (!known.includes(target)) {
    throw new FaultError(`${what}: "${target}" is not a ${kind} in lab ${spec.id} (known: ${known.join(', ') || 'none'})`);
  }
  return target;
}
