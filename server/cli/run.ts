import { startSandbox, type EdgeReport } from '../runtime/index.js';
import type { FaultSpec } from '../lab/schema.js';
import { formatEdgeReport } from './edgeReport.js';
import { resolveLab, sandboxSpec } from './labFiles.js';
import { preflight } from './preflight.js';
import { stopOnSignals } from './signals.js';

export interface RunOptions {
  lab: string;
  faults: FaultSpec[];
  fix: boolean;
  requests: number;
  json: boolean;
}

/**
 * `mtls-lab run`: start a sandbox, drive every client's traffic, print per-edge outcomes.
 * Exits 0 whenever the run completed, whatever the lab's outcome: a failing edge is the
 * lab working as intended.
 */
export async function runCommand(options: RunOptions): Promise<void> {
  const doc = await resolveLab(options.lab);
  const spec = sandboxSpec(doc, options.faults, options.fix);
  preflight(spec);
  const sandbox = await startSandbox(spec);
  const release = stopOnSignals(() => sandbox.stop());
  let edges: EdgeReport[];
  try {
    edges = await sandbox.runTraffic({ requests: options.requests });
  } finally {
    await sandbox.stop();
    release();
  }
  const faults = [...spec.faults, ...options.faults].map((f) => (f.target ? `${f.kind}:${f.target}` : f.kind));
  if (options.json) {
    process.stdout.write(JSON.stringify({ lab: spec.id, faults, fixed: options.fix, edges }) + '\n');
    return;
  }
  const header = `lab ${spec.id}` + (faults.length ? ` — faults: ${faults.join(', ')}` : '') + (options.fix ? ' — with the fix applied' : '');
  process.stdout.write([header, '', ...edges.map(formatEdgeReport)].join('\n') + '\n');
}
