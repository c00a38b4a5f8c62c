/**
 * Wire faults on a running sandbox, live: the tap's thread takes them for the connections
 * opened from then on; no process restarts and the trace goes on.
 *
 *   PUT /api/sandboxes/:id/wire-faults  { faults: [{ kind, edge, direction?, toxicity?, seed?, params? }] }
 *                                        → { faults: WireFaultSpec[] } (every wire fault replaced; [] clears)
 *   GET /api/sandboxes/:id/wire-faults   → { faults: WireFaultSpec[] }
 *
 *   client ⇄ tap ⇄ [edge's upstream faults] ⇄ service, back through [its downstream faults]
 *
 * The body's shape is checked here (a valibot schema); each fault's kind, edge and params
 * against the catalogue (runtime/wireFaults/catalogue.ts), all before any is set: BAD_REQUEST
 * or BAD_PARAMS naming `faults[i].field`, the value and what is allowed.
 */
import * as v from 'valibot';
import { ParamsError } from '../../faults/index.js';
import { formatPath } from '../../lab/labError.js';
import { describeValue } from '../../lab/schemaIssue.js';
import { parseWireFault, WireFaultError, wireParamLimits, type WireFaultInput, type WireFaultSpec } from '../../runtime/index.js';
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import { hostsSandbox } from './faults.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';

/** Faults one PUT may set: more is a typo or a script gone wrong, not a lab. */
export const maxWireFaults = 32;

export interface WireFaultsResponse {
  faults: WireFaultSpec[];
}

const name = (what: string) => {
  const expected = `the name of ${what}, like "auth"`;
  return v.pipe(v.string(expected), v.regex(/^[a-z][a-z0-9-]*$/, expected), v.maxLength(64, expected));
};
const toxicityRule = `a number from ${wireParamLimits.toxicity.min} to ${wireParamLimits.toxicity.max} (the share of the edge's connections hit)`;
const seedRule = `a whole number from ${wireParamLimits.seed.min} to ${wireParamLimits.seed.max}`;

const WireFaultsBody = v.strictObject(
  {
    faults: v.pipe(
      v.array(
        v.strictObject(
          {
            kind: name('a wire fault (latency, corrupt-handshake, …)'),
            edge: name('a service of the sandbox'),
            direction: v.optional(v.picklist(['upstream', 'downstream'], '"upstream" (client → server) or "downstream" (server → client)')),
            toxicity: v.optional(v.pipe(v.number(toxicityRule), v.minValue(wireParamLimits.toxicity.min, toxicityRule), v.maxValue(wireParamLimits.toxicity.max, toxicityRule))),
            seed: v.optional(v.pipe(v.number(seedRule), v.integer(seedRule), v.minValue(wireParamLimits.seed.min, seedRule), v.maxValue(wireParamLimits.seed.max, seedRule))),
            params: v.optional(v.record(v.string(), v.unknown(), 'a map of params')),
          },
          'a wire fault like { "kind": "latency", "edge": "auth" }',
        ),
        `a list of at most ${maxWireFaults} wire faults`,
      ),
      v.maxLength(maxWireFaults, `a list of at most ${maxWireFaults} wire faults`),
    ),
  },
  'a JSON object with "faults"',
);

/** The body as WireFaultInputs, or BAD_REQUEST naming the first field that does not fit. */
export function wireFaultsBody(body: unknown): WireFaultInput[] {
  const result = v.safeParse(WireFaultsBody, body);
  if (result.success) return result.output.faults;
  const issue = result.issues[0];
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    throw new ApiError('BAD_REQUEST', `${formatPath(path)}: unknown field (known: kind, edge, direction, toxicity, seed, params)`);
  }
  if (issue.type === 'strict_object' && issue.input === undefined && path.length > 0) {
    throw new ApiError('BAD_REQUEST', `${formatPath(path)}: required`);
  }
  throw new ApiError('BAD_REQUEST', `${path.length ? `${formatPath(path)}: ` : ''}expected ${issue.message} but found ${describeValue(issue.input)}`);
}

export function wireFaultRoutes(registry: SandboxRegistry): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/sandboxes/:id/wire-faults',
      handler({ res, params, caller }) {
        sendJson(res, 200, { faults: [...hostsSandbox(registry, params.id!, caller).wireFaults] } satisfies WireFaultsResponse);
      },
    },
    {
      method: 'PUT',
      path: '/api/sandboxes/:id/wire-faults',
      async handler({ res, params, body, caller }) {
        const session = hostsSandbox(registry, params.id!, caller);
        const faults = wireFaultsBody(body);
        const { description, status } = session.view();
        if (!description) throw new ApiError('SANDBOX_NOT_RUNNING', `it is ${status}`);
        const edges = Object.keys(description.services);
        faults.forEach((fault, i) => {
          try {
            parseWireFault(fault, edges);
          } catch (error) {
            if (error instanceof ParamsError) throw new ApiError('BAD_PARAMS', `faults[${i}]: ${error.message}`);
            if (error instanceof WireFaultError) throw new ApiError('BAD_REQUEST', `faults[${i}].${error.message}`);
            throw error;
          }
        });
        sendJson(res, 200, { faults: [...(await session.setWireFaults(faults))] } satisfies WireFaultsResponse);
      },
    },
  ];
}
