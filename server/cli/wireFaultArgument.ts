import { CliError } from './cliError.js';
import type { WireFaultInput } from '../runtime/index.js';

/**
 * `--wire-fault kind:edge[:direction][,param=value…]`, as the command line takes it:
 * `mtu-blackhole:auth,maxRecordBytes=600`, `corrupt-handshake:auth:upstream`,
 * `latency:auth,latencyMs=200,toxicity=0.5,seed=7`. `toxicity` and `seed` are the fault's
 * own; every other name is a param of its kind. Values are numbers (the kinds take no other).
 */
export function parseWireFaultArgument(argument: string): WireFaultInput {
  const [head = '', ...pairs] = argument.split(',');
  const [kind = '', edge = '', direction, extra] = head.split(':');
  if (!kind || !edge || extra !== undefined) throw new CliError(`--wire-fault ${JSON.stringify(argument)}: expected kind:edge[:direction][,param=value…], like mtu-blackhole:auth,maxRecordBytes=600`);
  if (direction !== undefined && direction !== 'upstream' && direction !== 'downstream') {
    throw new CliError(`--wire-fault ${JSON.stringify(argument)}: the direction is upstream (client → server) or downstream (server → client), not ${JSON.stringify(direction)}`);
  }
  const input: WireFaultInput = { kind, edge, ...(direction ? { direction } : {}) };
  const params: Record<string, number> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(pair);
    if (!match) throw new CliError(`--wire-fault ${JSON.stringify(argument)}: ${JSON.stringify(pair)} is not param=number, like maxRecordBytes=600`);
    const [, name = '', value] = match;
    if (name === 'toxicity') input.toxicity = Number(value);
    else if (name === 'seed') input.seed = Number(value);
    else params[name] = Number(value);
  }
  if (Object.keys(params).length) input.params = params;
  return input;
}
