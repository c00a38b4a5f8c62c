/**
 * Finding labs: by id in the project's `labs/` folder, or by path to any YAML file.
 *
 *   <lab-id|file> ──loadLab + checkLabFaults──▶ LabDocument ──applyFaults(+fixes)──▶ LabSpec
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyFaults, applyFixes, checkLabFaults } from '../faults/index.js';
import { LabValidationError, loadLab, loadLabs, type LabDocument } from '../lab/index.js';
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
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** Loads a lab and checks its faults and fixes against the catalogue; all problems at once. */
export async function loadCheckedLab(file: string): Promise<LabDocument> {
  if (!existsSync(file)) throw new CliError(`no lab file at ${file}; check the path`);
  const doc = await loadLab(displayPath(file));
  const issues = checkLabFaults(doc);
  if (issues.length > 0) throw new LabValidationError(issues);
  return doc;
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
  const broken = applyFaults(doc.spec, [...doc.spec.faults, ...extraFaults]);
  return fix ? applyFixes(broken, doc.spec.scenario.fix) : broken;
}
