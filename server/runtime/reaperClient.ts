/**
 * The parent's side of the reaper (see reaper.ts): started on first use, one per process,
 * never keeping the parent alive by itself.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnChild } from './childScript.js';
import type { ReaperCommand } from './messages.js';

let reaper: ChildProcess | undefined;

function ensureReaper(): ChildProcess {
  if (reaper === undefined || !reaper.connected) {
    const child = spawnChild('reaper', { parent: process.pid }, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    // Messages still flow; the channel just no longer holds the event loop open.
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    child.on('disconnect', () => {
      if (reaper === child) reaper = undefined;
    });
    reaper = child;
  }
  return reaper;
}

function tell(command: ReaperCommand): void {
  const child = ensureReaper();
  if (child.connected) child.send(command, () => {});
}

export const reaperRegistry = {
  registerPid: (pid: number): void => tell({ type: 'register', pid }),
  unregisterPid: (pid: number): void => tell({ type: 'unregister', pid }),
  registerDir: (dir: string): void => tell({ type: 'register', dir }),
  unregisterDir: (dir: string): void => tell({ type: 'unregister', dir }),
  /** The reaper's pid (for tests). */
  pid: (): number | undefined => ensureReaper().pid,
};
