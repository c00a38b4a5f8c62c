/**
 * The terminal's PATH: one read-only directory per server holding only the tools a learner
 * may run — openssl, curl and helpers that read and print — mounted at /toolbox in every jail.
 *
 *   host PATH ──which──▶ <server's toolbox dir>/{curl, ls, cat, …} (links into /usr)
 *                        <server's toolbox dir>/openssl (a wrapper: s_client gets -keylogfile)
 *
 * It lives outside every sandbox directory (the one place a jailed shell may write), so no
 * learner can add a program to it. Left out on purpose: anything that runs another program
 * (env, xargs, find, awk, sed, less, timeout, a second shell), since the restricted shell's
 * guard is that every command comes from this directory. Only tools under /usr are offered:
 * the jail mounts /usr and nothing else of the machine's programs.
 */
import { access, chmod, realpath, symlink, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';

/** Read-and-print helpers beside openssl and curl. */
const helpers = ['ls', 'cat', 'head', 'tail', 'grep', 'wc', 'cut', 'tr', 'diff', 'base64', 'xxd', 'date', 'clear'] as const;

export interface Toolbox {
  /** The directory on the server's side (the jail shows it at /toolbox). */
  dir: string;
  /** The shell itself (not on the PATH: the shell is not a tool to start again). */
  bash: string;
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

/** Where the jail will find `name`: its real path, if that is under /usr. */
async function jailPath(name: string): Promise<string | undefined> {
  const found = await which(name);
  const real = found && (await realpath(found));
  return real?.startsWith('/usr/') ? real : undefined;
}

/** Fills `dir` (the server's own, empty, outside every sandbox) with the tools. */
export async function buildToolbox(dir: string): Promise<Toolbox> {
  const bash = await jailPath('bash');
  if (!bash) throw new Error('bash is not installed under /usr, where the jail finds its programs');
  // Readable by a jail's own user; writable by the server alone.
  await chmod(dir, 0o755);
  const tools: string[] = [];
  const missing: string[] = [];

  const openssl = await jailPath('openssl');
  if (openssl) {
    await writeFile(path.join(dir, 'openssl'), opensslWrapper(openssl), { mode: 0o555 });
    tools.push('openssl');
  } else missing.push('openssl');

  for (const name of ['curl', ...helpers]) {
    const found = await jailPath(name);
    if (found) {
      await symlink(found, path.join(dir, name));
      tools.push(name);
    } else if (name === 'curl') missing.push(name);
  }
  return { dir, bash, tools, missing };
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
