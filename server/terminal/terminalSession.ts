/**
 * One sandbox's terminal: a real pseudo-terminal (node-pty) running bash in restricted mode,
 * in a jail (see jail.ts), in the sandbox directory, shared by every viewer (browser tab).
 *
 *   viewer keystrokes ──write──▶ pty ──▶ bwrap ──▶ rbash ──▶ openssl / curl ⇄ tap ⇄ service
 *                                  │                              └─ SSLKEYLOGFILE ──▶ sandbox keylog ──▶ trace
 *   pty output ──▶ replay ring (last 64 KiB) ──▶ each viewer (paused while one falls behind)
 *
 * The jail is the boundary: its own mount and PID namespaces, only the sandbox directory
 * writable, its own user when the server runs as root. bash's `--restricted` (commands only
 * from the toolbox, no cd, no output redirection, no PATH change, no `exec`) is a second layer.
 * The shell lives until it exits, or `end()` — the sandbox stopped or was realised again, or
 * the server closes; then bwrap, and with it every process in the jail, is gone.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { spawn, type IPty } from 'node-pty';
import type { SandboxDescription } from '../runtime/index.js';
import { reaperRegistry } from '../runtime/reaperClient.js';
import type { Jail } from './jail.js';
import { banner, shellEnvironment } from './shellEnvironment.js';
import type { Toolbox } from './toolbox.js';
import { triageCommands, type TriageCommand } from './triageCommands.js';

/** Why a terminal ended: its shell exited, or the server ended it (the sandbox stopped or was realised again, or the server closes). */
export type TerminalEndReason = 'exit' | 'sandbox-stopped' | 'server-closing';

export interface TerminalExit {
  reason: TerminalEndReason;
  /** The shell's exit code; null when a signal ended it. */
  code: number | null;
}

export interface TerminalViewer {
  /** Output for this viewer; `written` once it is handed to the network, for flow control. */
  output(data: string, written: () => void): void;
  exit(exit: TerminalExit): void;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Output kept for a viewer that attaches later (a second tab, a reload): the screen and some scrollback. */
const replayChars = 64 * 1024;
/** Output handed to a viewer but not yet written to its socket, above which the shell is paused … */
const highWaterChars = 256 * 1024;
/** … and below which (for every viewer) it runs again. */
const lowWaterChars = 32 * 1024;
/** How long the shell gets to leave after SIGHUP before SIGKILL. */
const hangupMs = 1000;
/** How long SIGKILLed leftovers of its session get to disappear. */
const killWaitMs = 2000;

export class TerminalSession {
  readonly pid: number;
  readonly triage: TriageCommand[];
  /** Resolves once the shell has exited and its session's processes are gone. */
  readonly ended: Promise<TerminalExit>;
  readonly #pty: IPty;
  readonly #viewers = new Map<TerminalViewer, { unwritten: number }>();
  readonly #replay: string[] = [];
  #replayLength = 0;
  #paused = false;
  #endReason: TerminalEndReason | undefined;
  #exit: TerminalExit | undefined;

  static async start(description: SandboxDescription, size: TerminalSize, jail: Jail, toolbox: Toolbox): Promise<TerminalSession> {
    const { file, args } = await jail.command({
      dir: description.dir,
      toolbox: toolbox.dir,
      hostname: description.lab,
      env: shellEnvironment(description),
      argv: [toolbox.bash, '--restricted', '--noprofile', '--norc', '-i'],
    });
    // bwrap is PID 1 in the jail, where its environment is readable: it gets none of the server's.
    const pty = spawn(file, args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: '/', env: {} });
    return new TerminalSession(pty, banner(description, toolbox), triageCommands(description));
  }

  private constructor(pty: IPty, greeting: string, triage: TriageCommand[]) {
    this.#pty = pty;
    this.pid = pty.pid;
    this.triage = triage;
    reaperRegistry.registerPid(pty.pid);
    this.#keep(greeting);
    pty.onData((data) => this.#onOutput(data));
    this.ended = new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        void killSession(this.pid).then(() => {
          reaperRegistry.unregisterPid(this.pid);
          this.#exit = { reason: this.#endReason ?? 'exit', code: signal ? null : exitCode };
          for (const viewer of this.#viewers.keys()) viewer.exit(this.#exit);
          this.#viewers.clear();
          resolve(this.#exit);
        });
      });
    });
  }

  /** Until the shell exits or end() is called. */
  get running(): boolean {
    return this.#exit === undefined && this.#endReason === undefined;
  }

  /** Adds a viewer; returns the output kept so far (show it first) and the way to leave. */
  attach(viewer: TerminalViewer): { replay: string; detach: () => void } {
    this.#viewers.set(viewer, { unwritten: 0 });
    return {
      replay: this.#replay.join(''),
      detach: () => {
        this.#viewers.delete(viewer);
        this.#resumeIfCaughtUp();
      },
    };
  }

  write(data: string): void {
    if (this.running) this.#pty.write(data);
  }

  resize(size: TerminalSize): void {
    if (this.running) this.#pty.resize(size.cols, size.rows);
  }

  /** Hangs up the shell (bash passes SIGHUP on to its jobs), SIGKILL after a grace period; resolves when all is gone. */
  end(reason: Exclude<TerminalEndReason, 'exit'>): Promise<TerminalExit> {
    if (this.running) {
      this.#endReason = reason;
      if (this.#paused) this.#pty.resume();
      signal(this.pid, 'SIGHUP');
      const timer = setTimeout(() => signal(this.pid, 'SIGKILL'), hangupMs);
      void this.ended.finally(() => clearTimeout(timer));
    }
    return this.ended;
  }

  #onOutput(data: string): void {
    this.#keep(data);
    for (const [viewer, flow] of this.#viewers) {
      flow.unwritten += data.length;
      viewer.output(data, () => {
        flow.unwritten -= data.length;
        this.#resumeIfCaughtUp();
      });
      if (flow.unwritten > highWaterChars && !this.#paused) {
        // A slow tab holds the shell back rather than the server buffering without bound.
        this.#paused = true;
        this.#pty.pause();
      }
    }
  }

  #resumeIfCaughtUp(): void {
    if (!this.#paused || !this.running) return;
    for (const flow of this.#viewers.values()) if (flow.unwritten > lowWaterChars) return;
    this.#paused = false;
    this.#pty.resume();
  }

  #keep(data: string): void {
    this.#replay.push(data);
    this.#replayLength += data.length;
    while (this.#replayLength > replayChars && this.#replay.length > 1) this.#replayLength -= this.#replay.shift()!.length;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * Waits until the jail's processes are gone, SIGKILLing any still there: bwrap led the pty's
 * session, so its pid is their session id. bwrap's exit ends its PID namespace (the kernel
 * kills every process in it, even one that left the session), but not in the same instant.
 */
async function killSession(sid: number): Promise<void> {
  let left = await sessionMembers(sid);
  for (const pid of left) signal(pid, 'SIGKILL');
  // No event tells of a non-child's death; SIGKILL takes effect within moments.
  for (let waitedMs = 0; left.length > 0 && waitedMs < killWaitMs; waitedMs += 10) {
    await delay(10);
    left = await sessionMembers(sid);
  }
}

/** The live (not zombie) processes whose session id is `sid`. */
async function sessionMembers(sid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const members = await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        try {
          const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
          // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return fields[0] !== 'Z' && Number(fields[3]) === sid ? [Number(entry)] : [];
        } catch {
          return []; // Exited meanwhile.
        }
      }),
  );
  return members.flat();
}
