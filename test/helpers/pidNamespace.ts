/**
 * A jail's processes, seen from the host: bwrap's child is PID 1 of a namespace of its own,
 * and every process the jail starts is in it — whatever it calls itself inside.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { waitForValue } from './waitFor.js';

/** The PID namespace of the jail whose bwrap (outside) is `monitor`. */
export function pidNamespaceOf(monitor: number): Promise<string> {
  return waitForValue('bwrap to start the jail\'s PID 1', async () => {
    const init = (await readFile(`/proc/${monitor}/task/${monitor}/children`, 'utf8')).trim().split(' ')[0];
    if (!init) return undefined;
    const namespace = await readlink(`/proc/${init}/ns/pid`);
    return namespace === (await readlink('/proc/self/ns/pid')) ? undefined : namespace;
  });
}

/** The host pids of the live processes in `namespace`. */
export async function processesIn(namespace: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [ns, stat] = await Promise.all([readlink(`/proc/${entry}/ns/pid`).catch(() => undefined), readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')]);
    // A zombie has left already; only its parent's wait is missing.
    if (ns === namespace && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
  }
  return found;
}
