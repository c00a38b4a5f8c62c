/**
 * Turns valibot's issues into sentences for lab authors: what was expected, what was
 * found (quoted), and a guess at what was meant.
 *
 *   v.safeParse(LabSchema) ──issues──▶ describeSchemaIssue ──▶ LabProblem (path + message)
 *
 * valibot's own wording ("Invalid type: Expected never but received "trsut"") names its
 * internals; the facts needed for a better one (expected, received input, the path and
 * whether the key or the value failed) are all on the issue, and the rest (the known
 * fields of an object, the options of a picklist) is read from the schema itself, so
 * the messages follow the schema without a second list to keep in step.
 */
import type * as v from 'valibot';
import { didYouMean, listKnown, type LabProblem } from './labError.js';

/** The parts of a valibot schema object these messages read. */
interface SchemaNode {
  readonly type: string;
  readonly wrapped?: SchemaNode;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly key?: SchemaNode;
  readonly value?: SchemaNode;
  readonly item?: SchemaNode;
  readonly options?: readonly unknown[];
  readonly pipe?: readonly { readonly type: string; readonly message?: unknown }[];
}

export function describeSchemaIssue(issue: v.BaseIssue<unknown>, schema: v.GenericSchema): LabProblem {
  const items = issue.path ?? [];
  const path = items.map((item) => item.key as string | number);
  const onKey = items.at(-1)?.origin === 'key';
  const root = schema as unknown as SchemaNode;

  if (issue.kind === 'schema' && onKey && isObjectType(issue.type)) {
    const field = String(path.at(-1));
    const parent = path.slice(0, -1);
    if (issue.input === undefined) {
      return { path: parent, message: `missing required field ${JSON.stringify(field)}` };
    }
    const known = Object.keys(schemaAt(root, parent)?.entries ?? {});
    const suggestion = didYouMean(field, known);
    return suggestion === undefined
      ? { path, at: 'key', message: `unknown field ${JSON.stringify(field)} (known: ${listKnown(known)})` }
      : { path, at: 'key', message: `unknown field ${JSON.stringify(field)}`, suggestion };
  }

  const at = onKey ? ('key' as const) : ('value' as const);
  const node = onKey ? schemaAt(root, path.slice(0, -1))?.key : schemaAt(root, path);
  const found = describeValue(issue.input);

  if (issue.type === 'picklist') {
    const options = (node?.options ?? []).map(String);
    const message = `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')} but found ${found}`;
    const suggestion = typeof issue.input === 'string' ? didYouMean(issue.input, options) : undefined;
    return suggestion === undefined ? { path, at, message } : { path, at, message, suggestion };
  }

  if (issue.kind === 'schema') {
    const message = `expected ${describeType(issue.type)} but found ${found}`;
    // `- Note: see the trace` is a map in YAML, not a sentence: the commonest surprise.
    const quoted = issue.type === 'string' && found === 'a map';
    return quoted
      ? { path, at, message, suggestion: 'put the text in quotes; an unquoted ": " starts a map' }
      : { path, at, message };
  }

  const custom = node?.pipe?.find((action) => action.type === issue.type)?.message;
  const requirement = (issue as v.BaseIssue<unknown> & { requirement?: unknown }).requirement;
  if (issue.type === 'max_entries') {
    // A map past its cap: reported at its key, with the schema's message as the next step.
    const count = Object.keys(issue.input as object).length;
    const message = `expected at most ${String(requirement)} entries but found ${count}`;
    return typeof custom === 'string' ? { path, at: 'key', message, suggestion: custom } : { path, at: 'key', message };
  }
  return { path, at, message: describeValidation(issue, requirement, custom, found) };
}

function describeValidation(
  issue: v.BaseIssue<unknown>,
  requirement: unknown,
  custom: unknown,
  found: string,
): string {
  if (typeof custom === 'string') {
    // The schema's own messages come in two shapes: a noun phrase ("a SAN like …") that
    // completes "expected …", or a rule ("certificate names are …") that stands alone.
    return /^an? /.test(custom) ? `expected ${custom} but found ${found}` : `found ${found}, but ${custom}`;
  }
  switch (issue.type) {
    case 'regex':
      return `expected text matching ${String(requirement)} but found ${found}`;
    case 'integer':
      return `expected a whole number but found ${found}`;
    case 'min_value':
      return `expected at least ${String(requirement)} but found ${found}`;
    case 'max_value':
      return `expected at most ${String(requirement)} but found ${found}`;
    case 'starts_with':
      return `expected text starting with ${JSON.stringify(requirement)} but found ${found}`;
    case 'min_length':
      return Array.isArray(issue.input)
        ? `expected at least ${String(requirement)} items but found ${issue.input.length}`
        : `expected at least ${String(requirement)} characters but found ${found}`;
    default:
      return issue.message;
  }
}

function isObjectType(type: string): boolean {
  return type === 'object' || type === 'strict_object' || type === 'loose_object';
}

/** The schema that validates the value at `path`, with optional wrappers removed. */
function schemaAt(root: SchemaNode, path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = unwrap(root);
  for (const key of path) {
    if (node === undefined) return undefined;
    if (isObjectType(node.type)) node = node.entries?.[String(key)];
    else if (node.type === 'record') node = node.value;
    else if (node.type === 'array') node = node.item;
    else return undefined;
    node = node && unwrap(node);
  }
  return node;
}

function unwrap(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.wrapped !== undefined) current = current.wrapped;
  return current;
}

/** The words a YAML author uses: a map, a list, text. */
function describeType(type: string): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'record':
      return 'a map';
    default:
      return type;
  }
}

/** The offending value as the author wrote it: strings quoted, so `"5"` and `5` differ. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
