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

/** What a fault's target names in the lab. */
export type TargetKind = 'certificate' | 'service' | 'client' | 'endpoint';

export type FaultParams = Readonly<Record<string, unknown>>;

export interface Fault<P extends FaultParams = FaultParams> {
  kind: string;
  title: string;
  /** One sentence a learner reads after the diagnosis. */
  summary: string;
  target: TargetKind;
  /** How each side reports it (the real wording of the stacks the labs run). */
  signature: { client: string; server: string };
  /** The fix action (see fixes.ts) that undoes it. */
  fix: string;
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
