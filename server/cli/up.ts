import { startSandbox } from '../runtime/index.js';
import type { FaultSpec } from '../lab/schema.js';
import { resolveLab, sandboxSpec } from './labFiles.js';
import { preflight } from './preflight.js';
import { stopOnSignals } from './signals.js';

export interface UpOptions {
  lab: string;
  faults: FaultSpec[];
  fix: boolean;
  json: boolean;
}

/**
 * `mtls-lab up`: start a sandbox and keep it running so anyone can point `openssl s_client`,
 * `curl` or their own code at it. Prints one line describing it, then serves until SIGINT,
 * SIGTERM or the end of stdin, and cleans up.
 */
export async function upCommand(options: UpOptions): Promise<void> {
  const doc = await resolveLab(options.lab);
  const spec = sandboxSpec(doc, options.faults, options.fix);
  preflight(spec);
  const sandbox = await startSandbox(spec);
  stopOnSignals(() => sandbox.stop(), { stdin: true });
  const description = sandbox.describe();
  if (options.json) {
    process.stdout.write(JSON.stringify(description) + '\n');
    return;
  }
  const lines = [`lab ${spec.id} is up in ${description.dir}`];
  for (const [name, service] of Object.entries(description.services)) {
    lines.push(`  service ${name}: ${service.url}  (curl --resolve ${service.resolve})`);
  }
  for (const [name, client] of Object.entries(description.clients)) {
    lines.push(`  client ${name} → ${client.calls}: --cert ${client.cert ?? '(none)'} --key ${client.key ?? '(none)'} --cacert ${client.trust}`);
  }
  lines.push('Press Ctrl-C to stop.');
  process.stdout.write(lines.join('\n') + '\n');
}
