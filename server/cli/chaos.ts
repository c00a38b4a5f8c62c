import { ChaosError, drawChaosSchedule } from '../chaos/schedule.js';
import { runChaos, type ChaosLogEvent } from '../chaos/runChaos.js';
import { startSandbox } from '../runtime/index.js';
import { CliError } from './cliError.js';
import { resolveLab, sandboxSpec } from './labFiles.js';
import { preflight } from './preflight.js';
import { stopOnSignals } from './signals.js';

export interface ChaosCommandOptions {
  lab: string;
  seed: number;
  durationMs: number;
  /** Only these kinds (catalogue or wire faults); all that apply when absent. */
  kinds?: string[];
  json: boolean;
}

const seconds = (ms: number): string => `+${(ms / 1000).toFixed(1)}s`;
const percent = (rate: number): string => `${Math.floor(rate * 1000) / 10}%`;

function formatEvent(event: ChaosLogEvent): string {
  if (event.event === 'breach') {
    const when = event.incident === null ? 'between incidents' : `during #${event.incident} ${event.kind}`;
    const verdict = event.verdict ? `the trace says ${event.verdict}` : 'no verdict from the trace';
    return `  breach  ${event.target} ${when}: ${event.ok} of ${event.requests} ok (${percent(event.successRate)}), p99 ${event.p99Ms} ms — SLO ${percent(event.slo.successRate)} / ${event.slo.p99Ms} ms; ${verdict}`;
  }
  const where = event.source === 'wire' ? `${event.target} (wire, ${event.direction})` : event.target;
  return `${seconds(event.t).padStart(8)}  ${event.event.padEnd(6)}  #${event.id} ${event.kind} on ${where}`;
}

/**
 * `mtls-lab chaos`: the lab's sandbox under steady traffic while a seeded schedule injects
 * faults live and clears them; prints the incident log as it happens, then each edge's SLO
 * breaches with the verdict the trace gives. `--json`: one object a line, `t` in ms.
 */
export async function chaosCommand(options: ChaosCommandOptions): Promise<void> {
  const doc = await resolveLab(options.lab);
  const spec = sandboxSpec(doc, [], false);
  let schedule;
  try {
    schedule = drawChaosSchedule(spec, { seed: options.seed, durationMs: options.durationMs, ...(options.kinds ? { kinds: options.kinds } : {}) });
  } catch (error) {
    if (error instanceof ChaosError) throw new CliError(`--faults: ${error.message}`);
    throw error;
  }
  preflight(spec);
  const sandbox = await startSandbox(spec);
  const release = stopOnSignals(() => sandbox.stop());
  const print = (line: string): boolean => process.stdout.write(line + '\n');
  if (!options.json) print(`chaos on ${spec.id} — seed ${options.seed}, ${options.durationMs / 1000} s, ${schedule.length} incident${schedule.length === 1 ? '' : 's'}`);
  try {
    const log = await runChaos(sandbox, spec, schedule, { durationMs: options.durationMs, onEvent: (event) => event.event !== 'breach' && print(options.json ? JSON.stringify(event) : formatEvent(event)) });
    const breaches = log.filter((event) => event.event === 'breach');
    if (options.json) breaches.forEach((event) => print(JSON.stringify(event)));
    else {
      const quiet = schedule.filter((injection) => !breaches.some((event) => event.incident === injection.id));
      const lines = [...breaches.map(formatEvent), ...quiet.map((injection) => `  #${injection.id} ${injection.kind} on ${injection.target}: no edge broke its SLO`)];
      print(['SLO breaches', ...(lines.length ? lines : ['  none: every edge kept its SLO'])].join('\n'));
    }
  } finally {
    release();
  }
}
