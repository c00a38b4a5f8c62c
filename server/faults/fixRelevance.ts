/**
 * Whether a fix touches what the incident broke. A fix that changes none of the fields the
 * lab's faults changed cannot repair them, whatever else it changes: a wrong decision, which
 * grading charges for. Whether a fix that does touch them repairs enough is Verify's to say,
 * from real traffic.
 *
 *   lab as written ──faults──▶ broken: changed fields F
 *   spec before ──fix──▶ spec after: changed fields X      touches ⇔ a path of X lies on a path of F
 */
import { isDeepStrictEqual } from 'node:util';
import type { LabSpec } from '../lab/schema.js';

type Path = readonly string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The paths where `a` and `b` differ: into objects key by key; an array or a value differs whole. */
function changedPaths(a: unknown, b: unknown, at: Path = []): Path[] {
  if (isRecord(a) && isRecord(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => changedPaths(a[key], b[key], [...at, key]));
  }
  return isDeepStrictEqual(a, b) ? [] : [at];
}

/** One path lies on the other: `pki.x.validity` and `pki.x.validity.notAfter` are the same field. */
function overlaps(a: Path, b: Path): boolean {
  const length = Math.min(a.length, b.length);
  return a.slice(0, length).every((key, i) => key === b[i]);
}

export function fixTouchesFault(written: LabSpec, broken: LabSpec, before: LabSpec, after: LabSpec): boolean {
  const broke = changedPaths(written, broken);
  return changedPaths(before, after).some((changed) => broke.some((path) => overlaps(changed, path)));
}
