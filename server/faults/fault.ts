/**
 * A spec fault, after Toxiproxy's toxics: a pure `apply(spec, target, params) → spec`.
 *
 *   LabSpec ──fault.apply──▶ LabSpec' ──pki, runtime──▶ the failure, for real
 *
 * Faults never touch processes or files: the runtime realises whatever spec it is given,
 * so faults compose, are unit-testable, and each one's failure is produced by real TLS
 * stacks rather than described.
 */
import type { LabSpec } from '../lab/schema.js';
import type { ParamsSchema } from './params.js';
import type { RootCause } from './rootCause.js';

/** What a fault's target names in the lab. */
export type TargetKind = 'certificate' | 'service' | 'client' | 'endpoint';

export type FaultParams = Readonly<Record<string, unknown>>;

/** A root cause (rootCause.ts: its detection rules, notes and wording) that a lab can stage. */
export interface Fault<P extends FaultParams = FaultParams> extends RootCause {
  target: TargetKind;
  /** The fix actions (fixes.ts) that undo it, any one of them. */
  fixes: readonly string[];
  /** The params it takes (params.ts): strict, every bound named; applyStep parses them for `apply`. */
  params: ParamsSchema<P>;
  apply(spec: LabSpec, target: string, params: P): LabSpec;
}

/** A fault or fix that cannot apply to this lab: the message names the value and the way out. */
export class FaultError extends Error {
  override name = 'FaultError';
}

/** A deep copy, so a fault can edit its copy freely and stay pure. */
export function cloneSpec(spec: LabSpec): LabSpec {
  return structuredClone(spec);
}

/** The service or client called `name`, which endpoint-targeted faults and fixes edit. */
export function endpointOf(spec: LabSpec, name: string): LabSpec['services'][string] | LabSpec['clients'][string] {
  const endpoint = spec.services[name] ?? spec.clients[name];
  if (!endpoint) throw new FaultError(`"${name}" is neither a service nor a client of lab ${spec.id}`);
  return endpoint;
}

type ServiceSpec = LabSpec['services'][string];

/** The service that presents the server certificate `target`, for faults only a server certificate can have. */
export function presentingService(spec: LabSpec, kind: string, target: string): ServiceSpec {
  const service = Object.values(spec.services).find((each) => each.cert === target);
  if (!service) throw new FaultError(`${kind}: no service of lab ${spec.id} presents "${target}"; pick a server certificate`);
  return service;
}

/** The fields of a service a lab may leave out. */
type OptionalServiceField = { [K in keyof ServiceSpec]-?: undefined extends ServiceSpec[K] ? K : never }[keyof ServiceSpec];

/** The transform of a fix that drops one field of the target service, back to what the service does without it. */
export function clearServiceField(key: OptionalServiceField) {
  return (spec: LabSpec, target: string): LabSpec => {
    const next = cloneSpec(spec);
    delete next.services[target]![key];
    return next;
  };
}

/** The transform of a fault or fix that flips one policy field of the target service (clientAuth, mode). */
export function setServiceField<K extends keyof ServiceSpec>(key: K, value: ServiceSpec[K]) {
  return (spec: LabSpec, target: string): LabSpec => {
    const next = cloneSpec(spec);
    next.services[target]![key] = value;
    return next;
  };
}
