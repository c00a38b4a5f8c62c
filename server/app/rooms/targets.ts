/**
 * What a facilitator's fault may target in a room: the names of every lab of its scenario, by
 * target kind — a room of several labs takes a fault on a name any of them has (each learner's
 * sandbox refuses, with its code, a name its lab lacks).
 */
import { targetsByKind, type TargetKind } from '../../faults/index.js';
import type { LabDocument } from '../../lab/index.js';

export function roomTargets(labs: readonly LabDocument[]): Record<TargetKind, string[]> {
  const each = labs.map((doc) => targetsByKind(doc.spec));
  const kinds = Object.keys(each[0]!) as TargetKind[];
  return Object.fromEntries(kinds.map((kind) => [kind, [...new Set(each.flatMap((targets) => targets[kind]))]])) as Record<TargetKind, string[]>;
}
