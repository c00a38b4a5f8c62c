/**
 * The processes a benchmark spawned, read from /proc (Linux): their command line and
 * memory, so a figure can name the process it belongs to.
 *
 *   RSS: resident pages, each counted whole in every process that maps it (Node's own code, shared
 *        by every node process, is counted once per process).
 *   PSS: the same pages, a shared one divided among the processes that share it: summed over a
 *        tree, what the tree costs the machine (/proc/<pid>/smaps_rollup).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  command: string;
  rssMb: number;
  /** Undefined when smaps_rollup cannot be read (another user's process, an older kernel). */
  pssMb: number | undefined;
}

function read(pid: string | number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // the process ended while we looked
  }
}

function parentOf(pid: string): number {
  const stat = read(pid, 'stat');
  // Field 4 is the parent pid; the command (field 2) may hold spaces, so split after its ')'.
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
}

const kbField = (text: string | undefined, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text ?? '')?.[1] ?? NaN);

/** One process's command and memory, or undefined once it is gone. */
export function processMemory(pid: number): ProcessMemory | undefined {
  const status = read(pid, 'status');
  if (status === undefined) return undefined;
  const pssKb = kbField(read(pid, 'smaps_rollup'), 'Pss');
  const command = (read(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
  return { pid, command, rssMb: kbField(status, 'VmRSS') / 1024, pssMb: Number.isNaN(pssKb) ? undefined : pssKb / 1024 };
}

/** Direct children of `parentPid`, with their memory. */
export function childProcesses(parentPid = process.pid): ProcessMemory[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && parentOf(name) === parentPid);
  return pids.flatMap((pid) => processMemory(Number(pid)) ?? []);
}

/** `rootPid` and every process descended from it, with their memory. */
export function processTree(rootPid = process.pid): ProcessMemory[] {
  const children = new Map<number, number[]>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const parent = parentOf(pid);
    children.set(parent, [...(children.get(parent) ?? []), Number(pid)]);
  }
  const tree: number[] = [];
  for (const queue = [rootPid]; queue.length > 0; ) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree.flatMap((pid) => processMemory(pid) ?? []);
}
