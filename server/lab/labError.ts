/**
 * What a lab author sees when a lab file is wrong: one line per problem, in the mkcert
 * style, with the place to look (file:line:column), the path inside the lab and the
 * offending value quoted.
 *
 *   ERROR: labs/expired.yaml:14:9 services.auth.trust[0]: "corp-rooot" is not a CA in this lab (known: corp-root, partner-root); did you mean "corp-root"?
 */

export interface LabIssue {
  file: string;
  /** 1-based, as editors and `file:line:col` links count. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the lab, e.g. `services.auth.trust[0]`; empty for the whole file. */
  path: string;
  message: string;
  /** The next step, e.g. `did you mean "corp-root"?`. */
  suggestion?: string;
}

/**
 * A problem found before it is placed in the text: the checks work on the parsed lab and
 * know paths, not lines; `issueAt` (loadLab.ts) turns one into a `LabIssue`.
 */
export interface LabProblem {
  path: readonly (string | number)[];
  /** `key` for problems with the name itself (an unknown field), else the value. */
  at?: 'key' | 'value';
  message: string;
  suggestion?: string;
}

export class LabValidationError extends Error {
  override name = 'LabValidationError';
  readonly issues: LabIssue[];

  constructor(issues: readonly LabIssue[]) {
    const sorted = [...issues].sort(compareIssues);
    super(sorted.map(formatIssue).join('\n'));
    this.issues = sorted;
  }
}

export function formatIssue(issue: LabIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const what = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
  const next = issue.suggestion === undefined ? '' : `; ${issue.suggestion}`;
  return `ERROR: ${where} ${what}${next}`;
}

/** File, then position: the order an author fixes them in. */
export function compareIssues(a: LabIssue, b: LabIssue): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.path, b.path) ||
    compareStrings(a.message, b.message)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `['services', 'auth', 'trust', 0]` → `services.auth.trust[0]`. Lab names
 * (`corp-root`) stay bare so the path reads like the YAML; anything else is quoted.
 */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/**
 * The candidate a typo most likely meant, or undefined when none is close enough to be
 * worth suggesting. Case is ignored (`serverauth` → `serverAuth`) and a swap of two
 * neighbours counts as one edit (`trsut` → `trust`), the two commonest slips.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}

/** `did you mean "corp-root"?` when a candidate is close, else undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`;
}

/** `corp-root, partner-root`, or `none` so the message never ends in an empty list. */
export function listKnown(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}
