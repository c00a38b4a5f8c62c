import path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { issueAt, LabValidationError } from '../lab/index.js';
import { CliError } from './cliError.js';
import { displayPath, labFilePattern, labsDir, loadCheckedLab } from './labFiles.js';

/** What one argument names: a lab file, or a folder of them (a catalogue, where ids must differ). */
interface Target {
  files: string[];
  folder?: string;
}

/**
 * `mtls-lab validate [paths…]`: checks each lab file, and every `*.yaml` in each directory
 * (all of `labs/` by default), prints every problem with file:line:column, and fails when
 * any file has one. A path that names no lab file is a CliError before anything is checked.
 */
export async function validateCommand(paths: string[]): Promise<boolean> {
  const targets = await Promise.all((paths.length > 0 ? paths : [labsDir()]).map(target));
  let valid = true;
  for (const { files, folder } of targets) {
    const ids = new Map<string, string>();
    for (const file of files) {
      try {
        const doc = await loadCheckedLab(file);
        const other = ids.get(doc.spec.id);
        if (folder !== undefined && other !== undefined) {
          // Two labs with one id in a folder: the catalogue would show only the first.
          const message = `lab id ${JSON.stringify(doc.spec.id)} is already used by ${other}`;
          throw new LabValidationError([issueAt(doc, { path: ['id'], message, suggestion: 'give each lab its own id' })]);
        }
        ids.set(doc.spec.id, doc.file);
        process.stdout.write(`ok ${doc.file}\n`);
      } catch (error) {
        if (error instanceof CliError) {
          process.stderr.write(`ERROR: ${error.message}\n`);
        } else if (error instanceof LabValidationError) {
          process.stderr.write(error.message + '\n');
        } else throw error;
        valid = false;
      }
    }
  }
  return valid;
}

/** The lab files `arg` names. @throws CliError for a path that is missing, not YAML, or a folder without labs. */
async function target(arg: string): Promise<Target> {
  const shown = displayPath(path.resolve(arg));
  const stats = await stat(arg).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new CliError(`no lab file or directory at ${shown}; check the path`);
    throw new CliError(`cannot read ${shown} (${error.code ?? error.message}); check the path and its permissions`);
  });
  if (!stats.isDirectory()) {
    if (!labFilePattern.test(arg)) throw new CliError(`${shown} is not a lab file: labs are YAML files ending in .yaml, like labs/baseline.yaml`);
    return { files: [arg] };
  }
  // As the catalogue reads a folder (loadLabs): its own *.yaml files, not its subfolders'.
  const names = (await readdir(arg)).filter((name) => name.endsWith('.yaml')).sort();
  if (names.length === 0) throw new CliError(`${shown} holds no .yaml lab files; give a lab file or a directory of them, like labs/`);
  return { files: names.map((name) => path.join(arg, name)), folder: arg };
}
