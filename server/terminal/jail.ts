/**
 * The terminal's jail: every shell runs inside bubblewrap (`bwrap`), never as the server's
 * user on the server's filesystem. The restricted shell inside stays as a second layer.
 *
 *   server ──prlimit (bounded processes, file size)──▶ setpriv (a uid of its own, no groups;
 *   only when the server runs as root) ──▶ bwrap ──▶ bash --restricted in the sandbox dir
 *
 * What the shell sees:
 *   /usr, /etc/ssl/{certs,openssl.cnf}, /etc/hosts …  read-only (the tools and what they read)
 *   /toolbox                                          read-only: the lab's tools, the only PATH
 *   <sandbox dir>                                     read-write, at the same path: the one writable place
 *   /proc                                             of its own PID namespace: no other process is visible,
 *                                                     signalable or readable (no /proc/$PPID/environ)
 *   /dev                                              a minimal one (null, zero, urandom, tty, pts)
 * Everything else, other sandboxes' directories included, does not exist. The environment is
 * built from nothing (bwrap itself starts with an empty one: it is PID 1 inside, and its
 * /proc/1/environ is readable). The network is the host's: the lab's services listen on loopback.
 * `--die-with-parent` and the PID namespace end every process in the jail with the server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chown, lstat, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { which } from './toolbox.js';

/** Where the toolbox appears inside the jail. */
export const toolboxMount = '/toolbox';

/** Files of /etc the tools read: OpenSSL's config and CA store, name lookup for localhost, the time zone. */
const etcFiles = ['/etc/ssl/openssl.cnf', '/etc/ssl/certs', '/etc/hosts', '/etc/nsswitch.conf', '/etc/host.conf', '/etc/localtime', '/etc/ld.so.cache'];

/** Processes one jail's user may run at once: a shell and its pipelines, not a fork bomb. */
const maxProcesses = 64;
/** The largest file a jailed tool may write (a `curl -o` of /dev/zero fills no disk). */
const maxFileBytes = 64 * 1024 * 1024;
/**
 * Jails get uids from here on, one each, when the server runs as root: above the ranges
 * distributions hand out (and below 2^31, which some tools print as negative), so no file or
 * process of the machine belongs to them.
 */
const firstJailUid = 0x4000_0000;
const jailUids = 0x0100_0000;

export interface JailedShell {
  /** The sandbox directory: the only writable place, and where the shell starts. */
  dir: string;
  /** The server-side toolbox directory, mounted read-only at /toolbox. */
  toolbox: string;
  hostname: string;
  env: Record<string, string>;
  argv: string[];
}

export interface JailCommand {
  file: string;
  args: string[];
}

interface JailTools {
  bwrap: string;
  prlimit: string | undefined;
  /** Present when the server runs as root: it drops to a jail's own uid. */
  setpriv: string | undefined;
}

export class Jail {
  readonly #tools: JailTools;

  private constructor(tools: JailTools) {
    this.#tools = tools;
  }

  /**
   * The jail this machine can make, or why none: bwrap missing, user namespaces refused, …
   * It is tried once for real (`true` in a jail like a shell's), since only that tells.
   */
  static async find(): Promise<Jail | { unavailable: string }> {
    const bwrap = await which('bwrap');
    if (!bwrap) return { unavailable: 'bubblewrap (bwrap), which builds the shell\'s jail, is not installed: apt-get install bubblewrap' };
    const root = process.getuid?.() === 0;
    const setpriv = root ? await which('setpriv') : undefined;
    if (root && !setpriv) return { unavailable: 'setpriv (util-linux), which drops the shell to a user of its own, is not installed: apt-get install util-linux' };
    const jail = new Jail({ bwrap, prlimit: await which('prlimit'), setpriv });
    const problem = await jail.#tryOnce();
    return problem ? { unavailable: `bwrap could not build a jail on this machine: ${problem}` } : jail;
  }

  /**
   * The command that runs `shell.argv` jailed. When the server runs as root, the shell gets a
   * uid of its own and the sandbox directory is handed to it (its files stay 0600, now the
   * jail's): the server, as root, still reads them; no other user can.
   */
  async command(shell: JailedShell): Promise<JailCommand> {
    const uid = this.#tools.setpriv ? firstJailUid + randomInt(jailUids) : undefined;
    if (uid !== undefined) {
      await checkReachable(shell.dir);
      await chownTree(shell.dir, uid);
    }
    return jailCommand(this.#tools, shell, uid);
  }

  async #tryOnce(): Promise<string | undefined> {
    const dir = await mkdtemp(path.join(tmpdir(), 'mtls-lab-jail-probe-'));
    try {
      const { file, args } = await this.command({ dir, toolbox: dir, hostname: 'probe', env: {}, argv: ['/usr/bin/true'] });
      const child = spawn(file, args, { env: {}, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'close')) as [number | null];
      return code === 0 ? undefined : stderr.trim().split('\n')[0] || `it exited with ${code}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The command line, pure: prlimit, then setpriv when a uid is given, then bwrap. */
function jailCommand(tools: JailTools, shell: JailedShell, uid: number | undefined): JailCommand {
  const bwrap = [
    tools.bwrap,
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname', shell.hostname,
    '--ro-bind', '/usr', '/usr',
    // Debian's merged /usr: the top-level directories are links into it.
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    ...etcFiles.flatMap((file) => ['--ro-bind-try', file, file]),
    '--proc', '/proc',
    '--dev', '/dev',
    '--ro-bind', shell.toolbox, toolboxMount,
    '--bind', shell.dir, shell.dir,
    // The jail's own root (a tmpfs bwrap made) takes no files: only the sandbox dir is writable.
    '--remount-ro', '/',
    '--chdir', shell.dir,
    '--clearenv',
    ...Object.entries(shell.env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--',
    ...shell.argv,
  ];
  // RLIMIT_NPROC counts every process of a uid: only a jail's own uid can be bounded by it.
  const limits = tools.prlimit ? [tools.prlimit, `--fsize=${maxFileBytes}`, ...(uid !== undefined ? [`--nproc=${maxProcesses}`] : []), '--'] : [];
  const user = uid !== undefined && tools.setpriv ? [tools.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--'] : [];
  const [file, ...args] = [...limits, ...user, ...bwrap];
  return { file: file!, args };
}

/** No shell can start on this machine, or in this place: why, in one line, with what to do. */
export class TerminalUnavailableError extends Error {
  override name = 'TerminalUnavailableError';
}

/**
 * bwrap mounts the sandbox directory as the jail's user, who owns none of its parents: each
 * must let others pass through (x), as /tmp does.
 */
async function checkReachable(dir: string): Promise<void> {
  for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
    const { mode } = await stat(parent);
    if ((mode & 0o001) === 0) {
      throw new TerminalUnavailableError(`the jail's user cannot reach ${dir}: ${parent} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}) does not let others pass through; keep sandboxes under a directory such as /tmp, or chmod o+x ${parent}`);
    }
    if (parent === path.dirname(parent)) return;
  }
}

/** chown -R without following links (a link would otherwise hand its target to the jail). */
async function chownTree(dir: string, uid: number): Promise<void> {
  const entries = await readdir(dir, { recursive: true });
  await Promise.all([dir, ...entries.map((entry) => path.join(dir, entry))].map(async (file) => {
    if ((await lstat(file)).isSymbolicLink()) return;
    await chown(file, uid, uid);
  }));
}
