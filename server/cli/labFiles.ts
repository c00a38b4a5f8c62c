/**
 * Finding labs: by id in the project's `labs/` folder, or by path to any YAML file.
 *
 *   <lab-id|file> ──loadLab + checkLabFaults──▶ LabDocument ──applyFaults(+fixes)──▶ LabSpec
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyFaults, applyFixes, checkLabFaults } from '../faults/index.js';
import { formatPath, issueAt, LabValidationError, loadLab, loadLabs, stackProblems, type LabDocument, type LabIssue, type LabProblem } from '../lab/index.js';
import type { FaultSpec, LabSpec } from '../lab/schema.js';
import { CliError } from './cliError.js';

/** The project's `labs/` folder, found from this module whether it runs from server/ or dist/server/. */
export function labsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new CliError('cannot find the mtls-lab package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return path.join(dir, 'labs');
}

/** `file` as a person would type it from here: relative when below the working directory. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** A lab file's name: what `loadLabs` and the catalogue read in a folder, and `.yml` when named. */
export const labFilePattern = /\.ya?ml$/;

/**
 * Loads a lab and checks its faults and fixes against the catalogue; all problems at once.
 * A path that is no lab file (missing, a directory, not YAML, unreadable) is a CliError.
 */
export async function loadCheckedLab(file: string): Promise<LabDocument> {
  const shown = displayPath(file);
  const stats = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new CliError(`no lab file at ${shown}; check the path`);
    throw new CliError(`cannot read ${shown} (${error.code ?? error.message}); check the path and its permissions`);
  });
  if (stats.isDirectory()) {
    throw new CliError(`${shown} is a directory, not a lab file; name one of its .yaml files (\`mtls-lab validate ${shown}\` checks them all)`);
  }
  if (!labFilePattern.test(file)) throw new CliError(`${shown} is not a lab file: labs are YAML files ending in .yaml, like labs/baseline.yaml`);
  const doc = await loadLab(shown).catch((error: NodeJS.ErrnoException) => {
    if (error.code === undefined) throw error;
    throw new CliError(`cannot read ${shown} (${error.code}); check its permissions`);
  });
  const issues = checkLabFaults(doc);
  if (issues.length === 0) issues.push(...faultStackIssues(doc));
  if (issues.length > 0) throw new LabValidationError(issues);
  return doc;
}

/**
 * The first fault, in order, that leaves a service its stack cannot serve (permissive-mode
 * on an openssl service), and that problem. The lab as written is checked by `validate`;
 * this asks the same of it once each fault has been applied.
 */
function firstStackBreak(spec: LabSpec, faults: readonly FaultSpec[]): { index: number; problem: LabProblem } | undefined {
  let current = spec;
  for (const [index, fault] of faults.entries()) {
    current = applyFaults(current, [fault]);
    const [problem] = stackProblems(current.services);
    if (problem !== undefined) return { index, problem };
  }
  return undefined;
}

/** A lab's own fault that breaks a stack rule, at its `kind` in the file. */
function faultStackIssues(doc: LabDocument): LabIssue[] {
  const broken = firstStackBreak(doc.spec, doc.spec.faults);
  if (broken === undefined) return [];
  const { index, problem } = broken;
  const fault = doc.spec.faults[index]!;
  return [
    issueAt(doc, {
      path: ['faults', index, 'kind'],
      message: `${JSON.stringify(fault.kind)} would leave ${formatPath(problem.path)} unrunnable: ${problem.message}`,
      suggestion: 'target a service on stack "node", or give this one "stack: node"',
    }),
  ];
}

export async function loadAllLabs(): Promise<LabDocument[]> {
  const docs = await loadLabs(labsDir());
  const issues = docs.flatMap(checkLabFaults);
  if (issues.length > 0) throw new LabValidationError(issues);
  return docs;
}

export async function resolveLab(reference: string): Promise<LabDocument> {
  const isFile = /\.ya?ml$/.test(reference) || reference.includes('/');
  const file = isFile ? path.resolve(reference) : path.join(labsDir(), `${reference}.yaml`);
  if (!isFile && !existsSync(file)) {
    const known = (await loadAllLabs()).map((doc) => doc.spec.id);
    throw new CliError(`no lab "${reference}" (known: ${known.join(', ')}); run \`mtls-lab list\` to see them all`);
  }
  return loadCheckedLab(file);
}

/** The spec a sandbox realises: the lab's own faults, then the extra ones, then (with --fix) its fix actions. */
export function sandboxSpec(doc: LabDocument, extraFaults: readonly FaultSpec[], fix: boolean): LabSpec {
  const ownFaults = applyFaults(doc.spec, doc.spec.faults);
  const extraBreak = firstStackBreak(ownFaults, extraFaults);
  if (extraBreak !== undefined) {
    const { index, problem } = extraBreak;
    const fault = extraFaults[index]!;
    throw new CliError(
      `--fault ${fault.target ? `${fault.kind}:${fault.target}` : fault.kind} would leave ${formatPath(problem.path)} unrunnable: ${problem.message}; target a service on stack "node"`,
    );
  }
  const broken = applyFaults(ownFaults, extraFaults);
  return fix ? applyFixes(broken, doc.spec.scenario.fix) : broken;
}
