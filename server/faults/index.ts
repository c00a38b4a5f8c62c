/**
 * The fault catalogue: the folder's index. Every lab's faults and fixes resolve here.
 *
 *   LabSpec ──applyFaults──▶ LabSpec' (broken) ──applyFixes──▶ LabSpec'' (repaired)
 */
import type { FaultSpec, FixActionSpec, LabSpec } from '../lab/schema.js';
import { expiredCert } from './expiredCert.js';
import { exhaustedPool } from './exhaustedPool.js';
import { FaultError, type Fault, type TargetKind } from './fault.js';
import { fixActions } from './fixes.js';
import { missingIntermediate } from './missingIntermediate.js';
import { notYetValid } from './notYetValid.js';
import { permissiveMode } from './permissiveMode.js';
import { wrongCa } from './wrongCa.js';

export { FaultError, type Fault } from './fault.js';
export { fixActions, type FixAction } from './fixes.js';

export const faults: ReadonlyMap<string, Fault> = new Map(
  [expiredCert, notYetValid, missingIntermediate, wrongCa, permissiveMode, exhaustedPool].map((f) => [f.kind, f]),
);

/** Root causes a scenario may offer: every fault, plus `none` for a healthy lab. */
export const rootCauses: readonly string[] = ['none', ...faults.keys()];

function candidates(spec: LabSpec, kind: TargetKind): string[] {
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

/** The target named, checked; or the only candidate when none is named. */
export function resolveTarget(spec: LabSpec, what: string, kind: TargetKind, target: string | undefined): string {
  const known = candidates(spec, kind);
  if (target === undefined) {
    if (known.length === 1) return known[0]!;
    throw new FaultError(`${what} needs a target: one of ${known.join(', ')} (write ${what}:<target>)`);
  }
  if (!known.includes(target)) {
    throw new FaultError(`${what}: "${target}" is not a ${kind} in lab ${spec.id} (known: ${known.join(', ') || 'none'})`);
  }
  return target;
}

export function lookupFault(kind: string): Fault {
  const fault = faults.get(kind);
  if (!fault) throw new FaultError(`unknown fault "${kind}" (known: ${[...faults.keys()].join(', ')})`);
  return fault;
}

export function applyFaults(spec: LabSpec, list: readonly FaultSpec[]): LabSpec {
  return list.reduce((current, { kind, target, params }) => {
    const fault = lookupFault(kind);
    return fault.apply(current, resolveTarget(current, kind, fault.target, target), params ?? {});
  }, spec);
}

export function applyFixes(spec: LabSpec, list: readonly FixActionSpec[]): LabSpec {
  return list.reduce((current, { action, target, params }) => {
    const fix = fixActions.get(action);
    if (!fix) throw new FaultError(`unknown fix action "${action}" (known: ${[...fixActions.keys()].join(', ')})`);
    return fix.apply(current, resolveTarget(current, action, fix.target, target), params ?? {});
  }, spec);
}

/** `kind` or `kind:target`, as the command line takes them. */
export function parseFaultArgument(argument: string): FaultSpec {
  const [kind = '', target] = argument.split(':', 2);
  return { kind, target: target || undefined, params: {} };
}
