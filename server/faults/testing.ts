/**
 * For tests only: a lab spec from its PKI and topology, parsed by the real schema so every
 * default is the one lab files get; the rest (id, title, a scenario offering `rootCause`) is
 * filled in.
 */
import * as v from 'valibot';
import { LabSchema, type LabSpec } from '../lab/schema.js';

export function unitLab(rootCause: string, parts: { pki: Record<string, unknown>; services: Record<string, unknown>; clients?: Record<string, unknown> }): LabSpec {
  return v.parse(LabSchema, {
    id: 'unit',
    title: 'Unit lab',
    level: 'beginner',
    minutes: 5,
    ...parts,
    scenario: { symptom: 's', question: 'q', answer: 'none', distractors: { [rootCause]: 'it does not happen here' }, explain: 'e' },
  });
}
