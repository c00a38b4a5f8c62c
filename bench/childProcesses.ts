/**
 * The processes a benchmark spawned, read from /proc (Linux): their command line and
 * resident memory, so a figure can name the process it belongs to.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  command: string;
  rssMb: number;
}

function read(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** Direct children of `parentPid`, with their RSS. */
export function childProcesses(parentPid = process.pid): ProcessMemory[] {
  const children: ProcessMemory[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const stat = read(pid, 'stat');
    // Field 4 is the parent pid; the command (field 2) may hold spaces, so split after its ')'.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (ppid !== parentPid) continue;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(read(pid, 'status') ?? '')?.[1] ?? NaN);
    const command = (read(pid, 'cmdline') ?? '').split('\0').filter(Boolean).join(' ');
    children.push({ pid: Number(pid), command, rssMb: rssKb / 1024 });
  }
  return children;
}
