import type { FaultSpec } from '../lab/schema.js';

/** `--fault kind[:target]`, as the command line takes it. */
export function parseFaultArgument(argument: string): FaultSpec {
  const [kind = '', target] = argument.split(':', 2);
  return { kind, target: target || undefined, params: {} };
}
