import { buildTrace, verdictsForSandbox } from '../explain/index.js';
import { parseWireFault, startSandbox, WireFaultError, type EdgeReport, type ProcessEvent, type Sandbox, type SandboxDescription, type WireFaultInput } from '../runtime/index.js';
import { CliError } from './cliError.js';
import type { FaultSpec } from '../lab/schema.js';
import { captureNote, prepareCaptureDir, writeCapture } from './capture.js';
import { formatEdgeReport } from './edgeReport.js';
import { resolveLab, sandboxSpec } from './labFiles.js';
import { preflight } from './preflight.js';
import { stopOnSignals } from './signals.js';
import { formatTrace, wantsColour } from './traceFormat.js';

export interface RunOptions {
  lab: string;
  faults: FaultSpec[];
  fix: boolean;
  requests: number;
  json: boolean;
  /** Also decode every recorded connection into an annotated trace, with a verdict per failure. */
  trace?: boolean;
  /** Write capture.pcapng + keys.log of the run into this directory. */
  capture?: string;
  /** Wire faults in the tap, set once the sandbox is up (`--wire-fault`). */
  wireFaults?: WireFaultInput[];
}

/**
 * `mtls-lab run`: start a sandbox, drive every client's traffic, print per-edge outcomes
 * (and with --trace, the annotated trace after them).
 * Exits 0 whenever the run completed, whatever the lab's outcome: a failing edge is the
 * lab working as intended.
 */
export async function runCommand(options: RunOptions): Promise<void> {
  const doc = await resolveLab(options.lab);
  const spec = sandboxSpec(doc, options.faults, options.fix);
  preflight(spec);
  const wireFaults = options.wireFaults ?? [];
  // Checked before anything starts: a wire fault that does not fit leaves nothing running.
  for (const fault of wireFaults) {
    try {
      parseWireFault(fault, Object.keys(spec.services));
    } catch (error) {
      if (error instanceof WireFaultError) throw new CliError(`--wire-fault ${fault.kind}:${fault.edge}: ${error.message}`);
      throw error;
    }
  }
  if (options.capture !== undefined) await prepareCaptureDir(options.capture);
  const sandbox = await startSandbox(spec);
  const release = stopOnSignals(() => sandbox.stop());
  // Listening from the start: a process reports a failure once, as it happens.
  const processEvents: ProcessEvent[] = [...sandbox.startEvents];
  if (options.trace) sandbox.events.on('process-event', (event: ProcessEvent) => processEvents.push(event));
  let edges: EdgeReport[];
  let topology: SandboxDescription | undefined;
  let capture: string | undefined;
  try {
    if (wireFaults.length) await sandbox.setWireFaults(wireFaults);
    edges = await sandbox.runTraffic({ requests: options.requests });
    if (options.trace) topology = sandbox.describe();
    if (options.capture !== undefined) capture = captureNote(await writeCapture(sandbox, options.capture));
  } finally {
    // The trace is built after stop: by then every connection is closed and its close reason known.
    await sandbox.stop();
    release();
  }
  const explained = options.trace ? explainRun(sandbox, processEvents, edges, topology) : undefined;

  const faults = [...spec.faults, ...options.faults].map((f) => (f.target ? `${f.kind}:${f.target}` : f.kind));
  for (const f of wireFaults) faults.push(`${f.kind}:${f.edge}:${f.direction ?? 'downstream'} (wire)`);
  if (options.json) {
    process.stdout.write(JSON.stringify({ lab: spec.id, faults, fixed: options.fix, edges, ...explained }) + '\n');
    if (capture) process.stderr.write(capture + '\n');
    return;
  }
  const header = `lab ${spec.id}` + (faults.length ? ` — faults: ${faults.join(', ')}` : '') + (options.fix ? ' — with the fix applied' : '');
  const trace = explained ? ['', formatTrace(explained.trace, explained, { colour: wantsColour(process.stdout) })] : [];
  process.stdout.write([header, '', ...edges.map(formatEdgeReport), ...trace, ...(capture ? ['', capture] : [])].join('\n') + '\n');
}

/** The run's annotated trace and a verdict per failure. */
function explainRun(sandbox: Sandbox, processEvents: readonly ProcessEvent[], edges: readonly EdgeReport[], topology: SandboxDescription | undefined) {
  const trace = buildTrace({ sandbox: sandbox.id, connections: sandbox.tap.connections, keylog: sandbox.keylog, processEvents, ...(topology ? { topology } : {}) });
  return { trace, ...verdictsForSandbox(trace, edges) };
}
