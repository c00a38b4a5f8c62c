/**
 * Entry point of the reaper: one small process per parent, which outlives it just long
 * enough to clean up after a parent that could not (SIGKILL, a crash).
 *
 *   parent ──register / unregister { pid | dir }──▶ reaper
 *   parent dies ──▶ IPC channel closes ──▶ reaper SIGKILLs the registered pids still alive,
 *                                           removes the registered dirs, exits
 *
 * It runs in its own process group (spawned detached), so a Ctrl-C aimed at the parent's
 * group does not take it down before the parent's children are gone.
 */
import { rmSync } from 'node:fs';
import type { ReaperCommand } from './messages.js';

const pids = new Set<number>();
const dirs = new Set<string>();

process.on('message', (command: ReaperCommand) => {
  const set = command.type === 'register' ? 'add' : 'delete';
  if (command.pid !== undefined) pids[set](command.pid);
  if (command.dir !== undefined) dirs[set](command.dir);
});

process.on('disconnect', () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: what we wanted.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});

// Signals aimed at the parent's session are not our cue; the closed channel is.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
