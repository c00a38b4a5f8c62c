import { createInterface } from 'node:readline';
import { startSandbox } from '../runtime/index.js';
import type { FaultSpec } from '../lab/schema.js';
import { captureNote, prepareCaptureDir, writeCapture } from './capture.js';
import { resolveLab, sandboxSpec } from './labFiles.js';
import { preflight } from './preflight.js';
import { stopOnSignals } from './signals.js';
import { upStdin } from './upCommands.js';

export interface UpOptions {
  lab: string;
  faults: FaultSpec[];
  fix: boolean;
  json: boolean;
  /** When it stops, write capture.pcapng + keys.log of everything it served into this directory. */
  capture?: string;
}

/**
 * `mtls-lab up`: start a sandbox and keep it running so anyone can point `openssl s_client`,
 * `curl` or their own code at it. Prints one line describing it, then serves until SIGINT,
 * SIGTERM or the end of stdin, and cleans up. Meanwhile each line on stdin is a command —
 * `inject kind[:target]`, `clear <id>`, `list` (upCommands.ts) — answered with one line.
 */
export async function upCommand(options: UpOptions): Promise<void> {
  const doc = await resolveLab(options.lab);
  const spec = sandboxSpec(doc, options.faults, options.fix);
  preflight(spec);
  if (options.capture !== undefined) await prepareCaptureDir(options.capture);
  const sandbox = await startSandbox(spec);
  const { capture } = options;
  const stop = async (): Promise<void> => {
    // Stop first: by then the tap has seen every connection close and every process has
    // handed in its key-log lines, so the capture holds the whole of each (a call made just
    // before the stop otherwise lost its close, or its keys and with them its TLS 1.3
    // handshake). A failure to write the capture is reported; the sandbox is stopped anyway.
    await sandbox.stop();
    if (capture !== undefined) {
      const note = await writeCapture(sandbox, capture).then(captureNote, (error: Error) => `ERROR: ${error.message}`);
      process.stderr.write(note + '\n');
    }
  };
  stopOnSignals(stop, { stdin: true });
  const answer = upStdin({ doc, sandbox, faults: options.faults, fix: options.fix, json: options.json });
  // One command at a time, each answered in the order it came.
  let answered = Promise.resolve();
  createInterface({ input: process.stdin, terminal: false }).on('line', (line) => {
    if (line.trim() === '') return;
    answered = answered.then(async () => void process.stdout.write((await answer(line)) + '\n'));
  });
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
  if (capture !== undefined) lines.push(`On stop, the capture (capture.pcapng, keys.log) is written into ${capture}`);
  lines.push('Type inject kind[:target], clear <id> or list to break it live; press Ctrl-C to stop.');
  process.stdout.write(lines.join('\n') + '\n');
}
