/**
 * `--capture <dir>` for run and up: the sandbox's recording as capture.pcapng (key log
 * embedded) + keys.log, written before the sandbox stops (stopping removes its directory).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from '../runtime/index.js';
import { ensureDirectory, exportSandboxCapture, type ExportedCapture } from '../wire/capture/fromTap.js';
import { CliError } from './cliError.js';

const cannotWrite = (dir: string, error: unknown): Error => {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === undefined) return error as Error;
  return new CliError(`--capture: cannot write into "${dir}" (${message}); choose a directory you can write to`);
};

/** Creates the directory and checks it is writable before a sandbox starts, so a typo fails at once. */
export async function prepareCaptureDir(dir: string): Promise<void> {
  try {
    await ensureDirectory(dir);
    await access(dir, constants.W_OK);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

/** Writes the capture; a directory that cannot be written is the user's to fix (exit 2). */
export async function writeCapture(sandbox: Sandbox, dir: string): Promise<ExportedCapture> {
  try {
    return await exportSandboxCapture(sandbox, dir);
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

/** Where the files are and how to open them, for people. */
export function captureNote(files: ExportedCapture): string {
  const shown = (file: string): string => {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };
  return [
    `capture: ${shown(files.pcapng)} (TLS key log embedded) and ${shown(files.keylog)}`,
    `Note: open it with \`wireshark ${shown(files.pcapng)}\`, or \`tshark -r ${shown(files.pcapng)} -o tls.keylog_file:${shown(files.keylog)} -Y tls.handshake\``,
  ].join('\n');
}
