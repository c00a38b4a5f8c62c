import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { LabSpec } from '../lab/schema.js';
import { CliError } from './cliError.js';

/** The executable `name` on PATH, or undefined. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Refuses, before anything starts, a lab whose services need a tool this machine lacks. */
export function preflight(spec: LabSpec): void {
  const needsOpenssl = Object.entries(spec.services).filter(([, service]) => service.stack === 'openssl');
  if (needsOpenssl.length > 0 && !findExecutable('openssl')) {
    const names = needsOpenssl.map(([name]) => name).join(', ');
    throw new CliError(
      `openssl was not found on PATH, and lab ${spec.id} runs ${names} with \`openssl s_server\`; install it (apt-get install openssl) or add its folder to PATH`,
    );
  }
}
