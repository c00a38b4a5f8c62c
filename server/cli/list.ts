import { labSummary } from '../lab/summary.js';
import { loadAllLabs } from './labFiles.js';

/** `mtls-lab list`: the catalogue. The answers stay out of it. */
export async function listCommand(options: { json: boolean }): Promise<void> {
  const labs = (await loadAllLabs()).map((doc) => labSummary(doc.spec));
  if (options.json) {
    process.stdout.write(JSON.stringify(labs) + '\n');
    return;
  }
  const width = Math.max(...labs.map((lab) => lab.id.length));
  for (const lab of labs) {
    process.stdout.write(`${lab.id.padEnd(width)}  ${lab.level.padEnd(12)} ${String(lab.minutes).padStart(3)} min  ${lab.title}\n`);
  }
}
