/**
 * A lab explained from its own trace: the lab file run with its own faults, every client's
 * traffic sent, and the trace and verdicts built from what crossed the tap — once the
 * openssl service has logged the verify error the test waits for (s_server's stderr may trail
 * the client's error).
 */
import path from 'node:path';
import { buildTrace, verdictsForSandbox, type TraceEvent, type Verdict } from '../../server/explain/index.js';
import { applyFaults } from '../../server/faults/index.js';
import { loadLab } from '../../server/lab/index.js';
import { startSandbox, type ProcessEvent } from '../../server/runtime/index.js';
import { waitFor } from '../helpers/waitFor.js';
import { labsDir } from './appHarness.js';

export async function ownTrace(lab: string, logged: { code: string; times: number }, requests = 2): Promise<{ trace: TraceEvent[]; verdicts: Verdict[] }> {
  const doc = await loadLab(path.join(labsDir, `${lab}.yaml`));
  const sandbox = await startSandbox(applyFaults(doc.spec, doc.spec.faults));
  const processEvents: ProcessEvent[] = [];
  sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
  const topology = sandbox.describe();
  try {
    await sandbox.runTraffic({ requests });
    await waitFor(`s_server logging ${logged.code} ${logged.times} times`, () => processEvents.filter((e) => e.kind === 'tls-error' && e.code === logged.code).length >= logged.times);
  } finally {
    await sandbox.stop();
  }
  const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents, topology });
  return { trace, verdicts: verdictsForSandbox(trace).verdicts };
}
