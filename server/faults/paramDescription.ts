/**
 * A fault's or fix action's params as people and pages read them: name, type, rule, default.
 * `mtls-lab faults` prints them; the API hands them to the page that builds a fix.
 *
 *   params schema (params.ts) ──describeParams──▶ [{ name, type, expected, required, default? }]
 */
import type { ParamsSchema } from './params.js';

export interface ParamDescription {
  name: string;
  /** valibot's type of the value: `number`, `string`, `array`. */
  type: string;
  /** The rule a value must follow, as the params schema words it. */
  expected: string;
  required: boolean;
  default?: unknown;
}

/** What a valibot entry exposes: a wrapper (`optional`) with its default, or the schema itself. */
interface SchemaShape {
  type: string;
  message?: unknown;
  wrapped?: SchemaShape;
  default?: unknown;
}

function describeParam(name: string, entry: SchemaShape): ParamDescription {
  const optional = entry.type === 'optional' && entry.wrapped !== undefined;
  const schema = optional ? entry.wrapped! : entry;
  return {
    name,
    type: schema.type,
    expected: typeof schema.message === 'string' ? schema.message : schema.type,
    required: !optional,
    ...(optional && entry.default !== undefined ? { default: entry.default } : {}),
  };
}

export function describeParams(schema: ParamsSchema): ParamDescription[] {
  return Object.entries(schema.entries).map(([name, entry]) => describeParam(name, entry as unknown as SchemaShape));
}
