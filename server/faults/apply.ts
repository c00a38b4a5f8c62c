/**
 *   LabSpec ──applyFaults──▶ LabSpec' (broken) ──applyFixes──▶ LabSpec'' (repaired)
 */
import type { FaultSpec, FixActionSpec, LabSpec } from '../lab/schema.js';
import { faults, resolveTarget } from './catalogue.js';
import { FaultError, type FaultParams, type TargetKind } from './fault.js';
import { fixActions } from './fixes.js';
import { parseParams, type ParamsSchema } from './params.js';

/** A fault or a fix action, as a step of a sequence applied to a spec. */
export interface Step {
  name: string;
  target?: string | undefined;
  params?: FaultParams | undefined;
}

interface Transform {
  target: TargetKind;
  params: ParamsSchema;
  apply(spec: LabSpec, target: string, params: FaultParams): LabSpec;
}

export interface StepKind {
  /** 'fault' or 'fix action', for messages. */
  noun: string;
  lookup(name: string): Transform | undefined;
  known(): string[];
}

export const faultSteps: StepKind = { noun: 'fault', lookup: (kind) => faults.get(kind), known: () => [...faults.keys()] };
export const fixSteps: StepKind = { noun: 'fix action', lookup: (action) => fixActions.get(action), known: () => [...fixActions.keys()] };

function lookup(kind: StepKind, name: string): Transform {
  const transform = kind.lookup(name);
  if (!transform) throw new FaultError(`unknown ${kind.noun} "${name}" (known: ${kind.known().join(', ')})`);
  return transform;
}

/**
 * The step's params checked against its schema, with defaults: a ParamsError when they do not
 * fit. For callers that must refuse bad params before queueing work (the API's fix).
 */
export function checkStepParams(kind: StepKind, { name, params }: Step): FaultParams {
  return parseParams(name, lookup(kind, name).params, params ?? {});
}

/** Applies one step; every way it can fail is a FaultError (ParamsError for params) naming the value and the choices. */
export function applyStep(spec: LabSpec, kind: StepKind, step: Step): LabSpec {
  const transform = lookup(kind, step.name);
  const params = checkStepParams(kind, step);
  return transform.apply(spec, resolveTarget(spec, step.name, transform.target, step.target), params);
}

export function applyFaults(spec: LabSpec, list: readonly FaultSpec[]): LabSpec {
  return list.reduce((current, fault) => applyStep(current, faultSteps, { ...fault, name: fault.kind }), spec);
}

export function applyFixes(spec: LabSpec, list: readonly FixActionSpec[]): LabSpec {
  return list.reduce((current, fix) => applyStep(current, fixSteps, { ...fix, name: fix.action }), spec);
}
