/**
 * Reads lab files into validated `LabSpec`s, or fails with every problem at once, each
 * at its file:line:col.
 *
 *   labs/*.yaml ──yaml parseDocument──▶ node tree ──toJS──▶ unknown
 *     ──LabSchema (defaults applied)──▶ LabSpec ──crossCheck──▶ LabDocument
 *
 * The YAML node tree is kept (behind `locate`) so that later stages — the fault
 * catalogue checking `faults[2].target`, say — can report at the right line too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { crossCheck } from './crossCheck.js';
import { formatPath, LabValidationError, type LabIssue, type LabProblem } from './labError.js';
import { createLocator, type LabPath, type LocateTarget, type Position } from './locate.js';
import { LabSchema, type LabSpec } from './schema.js';
import { describeSchemaIssue } from './schemaIssue.js';

export interface LabDocument {
  spec: LabSpec;
  /** As given to `parseLab`/`loadLab`; the prefix of every issue's location. */
  file: string;
  /**
   * The line and column of the node at `path` in the source text, or of its nearest
   * existing parent (paths into defaults the author never wrote). `target: 'key'` gives
   * the key that names the node instead of its value.
   */
  locate(path: LabPath, target?: LocateTarget): Position;
}

/**
 * A problem found after loading (an unknown fault kind, say) as a `LabIssue` at its
 * place in the file; throw `new LabValidationError(issues)` with one or many.
 */
export function issueAt(doc: Pick<LabDocument, 'file' | 'locate'>, problem: LabProblem): LabIssue {
  const { line, column } = doc.locate(problem.path, problem.at);
  const issue: LabIssue = { file: doc.file, line, column, path: formatPath(problem.path), message: problem.message };
  if (problem.suggestion !== undefined) issue.suggestion = problem.suggestion;
  return issue;
}

/** @throws LabValidationError with every problem in the text, sorted by position. */
export function parseLab(text: string, file: string): LabDocument {
  const lineCounter = new LineCounter();
  const yaml = parseDocument(text, { lineCounter, prettyErrors: false });
  const locate = createLocator(yaml, lineCounter);
  const located = { file, locate };

  const syntax = [...withoutCascade(yaml.errors), ...yaml.warnings, ...unresolvedAliases(yaml)].map((error) =>
    yamlIssue(error, yaml, file, lineCounter),
  );
  if (syntax.length > 0) throw new LabValidationError(syntax);

  let data: unknown;
  try {
    data = yaml.toJS();
  } catch (error) {
    // The YAML is well formed but cannot become plain data, e.g. an alias bomb over
    // yaml's `maxAliasCount`.
    const message = `cannot read the YAML: ${error instanceof Error ? error.message : String(error)}`;
    throw new LabValidationError([issueAt(located, { path: [], message })]);
  }

  if (data === null || data === undefined) {
    throw new LabValidationError([issueAt(located, { path: [], message: 'the file is empty; a lab starts with "id:"' })]);
  }

  const result = v.safeParse(LabSchema, data);
  if (!result.success) {
    throw new LabValidationError(result.issues.map((issue) => issueAt(located, describeSchemaIssue(issue, LabSchema))));
  }

  const problems = crossCheck(result.output);
  if (problems.length > 0) throw new LabValidationError(problems.map((problem) => issueAt(located, problem)));

  return { spec: result.output, file, locate };
}

/** @throws LabValidationError; a file that cannot be read throws the fs error as is. */
export async function loadLab(file: string): Promise<LabDocument> {
  return parseLab(await readFile(file, 'utf8'), file);
}

/**
 * Every `*.yaml` in `dir`, in name order. All files are read before failing, so one run
 * reports every problem in every lab; two labs with one `id` is one of them.
 */
export async function loadLabs(dir: string): Promise<LabDocument[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
  const labs: LabDocument[] = [];
  const issues: LabIssue[] = [];
  const ids = new Map<string, string>();

  for (const name of names) {
    const file = join(dir, name);
    try {
      const lab = await loadLab(file);
      const other = ids.get(lab.spec.id);
      if (other === undefined) {
        ids.set(lab.spec.id, file);
        labs.push(lab);
      } else {
        const message = `lab id ${JSON.stringify(lab.spec.id)} is already used by ${other}`;
        issues.push(issueAt(lab, { path: ['id'], message, suggestion: 'give each lab its own id' }));
      }
    } catch (error) {
      if (!(error instanceof LabValidationError)) throw error;
      issues.push(...error.issues);
    }
  }

  if (issues.length > 0) throw new LabValidationError(issues);
  return labs;
}

/**
 * After one syntax error yaml resynchronises token by token, and a stray `}` can yield an
 * "unexpected token" for every token of the rest of the file. The first error is the one
 * to fix; later unexpected tokens are its echo. Other errors (a duplicate key, a tab used
 * as indentation) stand on their own and are kept.
 */
function withoutCascade(errors: readonly YAMLError[]): YAMLError[] {
  return errors.filter((error, index) => index === 0 || error.code !== 'UNEXPECTED_TOKEN');
}

/** What this module reads of a yaml error, so aliases found here can join the list. */
type YamlProblem = Pick<YAMLError, 'code' | 'message' | 'pos'>;

function yamlIssue(error: YamlProblem, doc: Document, file: string, lineCounter: LineCounter): LabIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const issue: LabIssue = { file, line, column: col, path: '', message: `invalid YAML: ${lowerFirst(error.message)}` };
  if (error.code === 'MULTIPLE_DOCS') {
    issue.message = 'a lab file holds one YAML document; remove the second "---" or split the file';
  } else if (error.code === 'DUPLICATE_KEY') {
    // yaml points at the repeated key but names neither it nor the map it is in.
    const path = keyPathAt(doc, error.pos[0]);
    if (path !== undefined) {
      issue.path = formatPath(path);
      issue.message = `duplicate key ${JSON.stringify(String(path.at(-1)))}; a key may appear once in a map`;
    }
  }
  return issue;
}

/** The path of the map key that starts at `offset`, if one does. */
function keyPathAt(doc: Document, offset: number): (string | number)[] | undefined {
  let found: (string | number)[] | undefined;
  visit(doc, {
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      found = [...keysOf([...ancestors, pair]), String(pair.key.value)];
      return visit.BREAK;
    },
  });
  return found;
}

/** Map keys and sequence indexes along a chain of yaml nodes, the root first. */
function keysOf(chain: readonly unknown[]): (string | number)[] {
  const keys: (string | number)[] = [];
  chain.forEach((node, index) => {
    const child = chain[index + 1];
    if (isPair(node) && isScalar(node.key) && child === node.value) keys.push(String(node.key.value));
    if (isSeq(node) && child !== undefined) keys.push(node.items.indexOf(child as never));
  });
  return keys;
}

/**
 * yaml reports an alias to an anchor that was never set only when `toJS` throws, with no
 * position; found here first, it gets one.
 */
function unresolvedAliases(doc: Document): YamlProblem[] {
  const errors: YamlProblem[] = [];
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) === undefined) {
        const start = node.range?.[0] ?? 0;
        errors.push({
          code: 'BAD_ALIAS',
          message: `*${node.source} refers to no anchor; set &${node.source} before using it`,
          pos: [start, node.range?.[1] ?? start],
        });
      }
    },
  });
  return errors;
}

/** yaml's messages start with a capital; ours continue a sentence. Acronyms stay. */
function lowerFirst(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;
}
