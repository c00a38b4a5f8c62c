/**
 * `mtls-lab up` takes commands on its stdin, one a line, and answers each with one line
 * (a JSON object with --json): faults injected into the running sandbox and cleared, live —
 * only what a fault touches changes (runtime Sandbox.reconfigure).
 *
 *   inject kind[:target]  ──▶ injected #1 expired-cert on auth-server (certificate auth-server issued again; service auth reloaded)
 *   clear 1               ──▶ cleared #1 expired-cert on auth-server (…)
 *   list                  ──▶ #1 expired-cert on auth-server   (or: no faults injected)
 *   anything else         ──▶ ERROR: what was wrong, and what it takes
 */
import { faultName, LiveFaults, type LiveFault } from '../app/liveFaults.js';
import type { LabDocument } from '../lab/index.js';
import type { FaultSpec } from '../lab/schema.js';
import { describeChange, type Sandbox, type SpecChange } from '../runtime/index.js';
import { parseFaultArgument } from './faultArgument.js';
import { sandboxSpec } from './labFiles.js';

const usage = 'commands: inject kind[:target], clear <id>, list';

export interface UpStdinOptions {
  doc: LabDocument;
  sandbox: Sandbox;
  /** The --fault faults the sandbox started with: they stay under every injection. */
  faults: readonly FaultSpec[];
  fix: boolean;
  json: boolean;
}

/** Answers one line at a time, in order: each answer is one line, without its newline. */
export function upStdin(options: UpStdinOptions): (line: string) => Promise<string> {
  const { doc, sandbox, json } = options;
  const live = new LiveFaults(() => {});
  const realise = (injected: readonly FaultSpec[]): Promise<SpecChange> => sandbox.reconfigure(sandboxSpec(doc, [...options.faults, ...injected], options.fix));
  const answer = (human: string, data: object): string => (json ? JSON.stringify(data) : human);

  const commands: Record<string, (argument: string) => Promise<string>> = {
    async inject(argument) {
      if (!argument) throw new Error(`inject: name a fault, like "inject expired-cert:auth-server"`);
      const fault = parseFaultArgument(argument);
      const change = await realise([...live.specs, fault]);
      const added = live.add(fault);
      return answer(`injected #${added.id} ${faultName(added)} (${describeChange(change)})`, { ...added, change });
    },
    async clear(argument) {
      const id = Number(argument);
      if (!/^\d+$/.test(argument) || !live.has(id)) {
        throw new Error(`clear: "${argument}" is not a fault in effect (in effect: ${live.list().map((fault) => fault.id).join(', ') || 'none'})`);
      }
      const all = live.list();
      const fault = all.find((candidate) => candidate.id === id)!;
      const change = await realise(live.specs.filter((_, i) => all[i]!.id !== id));
      live.remove(id);
      return answer(`cleared #${id} ${faultName(fault)} (${describeChange(change)})`, { cleared: id, change });
    },
    async list(argument) {
      if (argument) throw new Error(`list takes nothing, got "${argument}"`);
      const faults: LiveFault[] = live.list();
      return answer(faults.map((fault) => `#${fault.id} ${faultName(fault)}`).join('; ') || 'no faults injected', { faults });
    },
  };

  return async (line) => {
    const [command = '', ...rest] = line.trim().split(/\s+/);
    const argument = rest.join(' ');
    try {
      const run = Object.hasOwn(commands, command) ? commands[command] : undefined;
      if (!run) throw new Error(`unknown command "${command.slice(0, 40)}"; ${usage}`);
      return await run(argument);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return answer(`ERROR: ${message}`, { error: message });
    }
  };
}
