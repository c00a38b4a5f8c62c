/**
 * The terminal's PATH: one directory per sandbox holding only the tools the lab lets a
 * learner run — openssl, curl and helpers that read and print.
 *
 *   host PATH ──which──▶ <sandbox>/.terminal/bin/{curl, ls, cat, …} (symlinks)
 *                        <sandbox>/.terminal/bin/openssl (a wrapper: s_client gets -keylogfile)
 *
 * Left out on purpose: anything that runs another program (env, xargs, find, awk, sed, less,
 * timeout, a second shell), since the restricted shell's guard is that every command comes
 * from this directory.
 */
import { access, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';

/** Read-and-print helpers beside openssl and curl. */
const helpers = ['ls', 'cat', 'head', 'tail', 'grep', 'wc', 'cut', 'tr', 'diff', 'base64', 'xxd', 'date', 'clear'] as const;

export interface Toolbox {
  bin: string;
  /** The tools found on this machine, in the order the banner lists them. */
  tools: string[];
  /** Required tools this machine lacks (openssl, curl): the banner says so. */
  missing: string[];
}

/** Where `name` is on the server's PATH, if anywhere. */
export async function which(name: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Builds the directory afresh: a shell that exited leaves the previous one behind. */
export async function buildToolbox(sandboxDir: string): Promise<Toolbox> {
  const bin = path.join(sandboxDir, '.terminal', 'bin');
  await rm(bin, { recursive: true, force: true });
  await mkdir(bin, { recursive: true, mode: 0o700 });
  const tools: string[] = [];
  const missing: string[] = [];

  const openssl = await which('openssl');
  if (openssl) {
    // 0555: a learner's `curl -o` or `openssl -out` cannot rewrite it (unless the server runs as root).
    await writeFile(path.join(bin, 'openssl'), opensslWrapper(openssl), { mode: 0o555 });
    tools.push('openssl');
  } else missing.push('openssl');

  for (const name of ['curl', ...helpers]) {
    const found = await which(name);
    if (found) {
      await symlink(found, path.join(bin, name));
      tools.push(name);
    } else if (name === 'curl') missing.push(name);
  }
  return { bin, tools, missing };
}

/**
 * curl reads SSLKEYLOGFILE; OpenSSL 3.0's s_client does not (it has -keylogfile), so the
 * learner's s_client connections would cross the tap undecryptable without this.
 */
function opensslWrapper(openssl: string): string {
  const real = `'${openssl.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# mtls-lab: openssl s_client logs its TLS secrets where SSLKEYLOGFILE points, as curl does.',
    'if [ "$1" = s_client ] && [ -n "$SSLKEYLOGFILE" ]; then',
    '  shift',
    `  exec ${real} s_client -keylogfile "$SSLKEYLOGFILE" "$@"`,
    'fi',
    `exec ${real} "$@"`,
    '',
  ].join('\n');
}
