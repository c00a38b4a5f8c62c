/**
 * Faults on a running sandbox, live: each injection, clear or replacement touches only what it
 * changes (runtime Sandbox.reconfigure), and the trace goes on with it as an event.
 *
 *   GET    /api/sandboxes/:id/faults                                   → { faults: LiveFault[] } (those in effect, with ids)
 *   POST   /api/sandboxes/:id/faults   { kind, target?, params?, ttl? } → 201 LiveFault (ttl: seconds until it reverts by itself)
 *   DELETE /api/sandboxes/:id/faults/:faultId                          → 204
 *   PUT    /api/sandboxes/:id/faults   { faults: [{ kind, target?, params? }] } → SandboxView (every one replaced; [] clears)
 *
 * A fault that does not apply is refused before anything changes: UNKNOWN_FAULT, BAD_PARAMS,
 * BAD_REQUEST (a target the lab lacks); an id not in effect is FAULT_NOT_FOUND.
 */
import type { FaultSpec } from '../../lab/schema.js';
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import { maxFaultTtlSeconds, type LiveFault } from '../liveFaults.js';
import type { LabSession } from '../labSession.js';
import { requireHost, type Caller } from '../learners.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { objectBody, paramsField, stringField, wholeNumberField, type Body } from './validate.js';

export interface FaultsResponse {
  faults: LiveFault[];
}

/** Faults one request may name: more is a typo or a script gone wrong, not a drill. */
const maxFaults = 16;

/** One fault: `{ kind, target?, params? }`. */
export function faultBody(item: unknown): FaultSpec {
  const fault = objectBody(item);
  const target = stringField(fault, 'target', true);
  return { kind: stringField(fault, 'kind'), ...(target ? { target } : {}), params: paramsField(fault, 'params') };
}

/** Faults on top of a lab's own (a drill's): `faults: [{ kind, target?, params? }]`, none when absent. */
export function faultList(input: Body): FaultSpec[] {
  const list = input.faults;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > maxFaults) throw new ApiError('BAD_REQUEST', `"faults" must be an array of at most ${maxFaults} { kind, target?, params? }`);
  return list.map(faultBody);
}

/** A sandbox whose faults `caller` sets or reads: the host's alone (a participant's would give the incident away). */
export function hostsSandbox(registry: SandboxRegistry, id: string, caller: Caller): LabSession {
  requireHost(caller, 'faults are set and seen by the host alone');
  return registry.get(id, caller);
}

export function faultRoutes(registry: SandboxRegistry): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/sandboxes/:id/faults',
      handler({ res, params, caller }) {
        sendJson(res, 200, { faults: hostsSandbox(registry, params.id!, caller).faults } satisfies FaultsResponse);
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/faults',
      async handler({ res, params, body, caller }) {
        const session = hostsSandbox(registry, params.id!, caller);
        const input = objectBody(body);
        const ttl = input.ttl === undefined ? undefined : wholeNumberField(input, 'ttl', 1, maxFaultTtlSeconds);
        sendJson(res, 201, await session.injectFault(faultBody(input), ttl));
      },
    },
    {
      method: 'DELETE',
      path: '/api/sandboxes/:id/faults/:faultId',
      async handler({ res, params, caller }) {
        const session = hostsSandbox(registry, params.id!, caller);
        const id = Number(params.faultId);
        if (!/^\d{1,9}$/.test(params.faultId!)) throw new ApiError('BAD_REQUEST', `"${params.faultId!.slice(0, 40)}" is not a fault id (a whole number, as POST …/faults returned it)`);
        await session.clearFault(id);
        res.writeHead(204).end();
      },
    },
    {
      method: 'PUT',
      path: '/api/sandboxes/:id/faults',
      async handler({ res, params, body, caller }) {
        const session = hostsSandbox(registry, params.id!, caller);
        const input = objectBody(body);
        if (input.faults === undefined) throw new ApiError('BAD_REQUEST', '"faults" is required: the list of faults to inject (empty to clear them)');
        sendJson(res, 200, await session.setFaults(faultList(input)));
      },
    },
  ];
}
