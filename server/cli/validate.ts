import path from 'node:path';
import { readdir } from 'node:fs/promises';
import { LabValidationError } from '../lab/index.js';
import { CliError } from './cliError.js';
import { labsDir, loadCheckedLab } from './labFiles.js';

/**
 * `mtls-lab validate [files…]`: checks each lab (all of `labs/` by default), prints every
 * problem with file:line:column, and fails when any file has one.
 */
export async function validateCommand(files: string[]): Promise<boolean> {
  const targets = files.length > 0 ? files : (await readdir(labsDir())).filter((f) => f.endsWith('.yaml')).map((f) => path.join(labsDir(), f));
  let valid = true;
  for (const file of targets) {
    try {
      await loadCheckedLab(file);
      process.stdout.write(`ok ${path.relative(process.cwd(), file) || file}\n`);
    } catch (error) {
      if (error instanceof CliError) {
        process.stderr.write(`ERROR: ${error.message}\n`);
      } else if (error instanceof LabValidationError) {
        process.stderr.write(error.message + '\n');
      } else throw error;
      valid = false;
    }
  }
  return valid;
}
