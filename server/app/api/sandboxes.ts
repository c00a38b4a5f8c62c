/**
 * Sandboxes: start a lab, drive its traffic, take hints, diagnose, fix, verify, download.
 * Each belongs to the learner who started it (learners.ts): every route below answers another
 * learner's sandbox with 404 SANDBOX_NOT_FOUND, as if it did not exist; the operator's token
 * (Bearer) reaches all of them.
 *
 *   POST   /api/sandboxes                  { lab, faults?, interview?, learner? } → 201 SandboxView (scenario without answer);
 *                                                                     from a page, 200 with the learner's running one of that lab
 *   GET    /api/sandboxes                                          → { sandboxes: SandboxView[] } (the caller's own; the operator's: all)
 *   GET    /api/sandboxes/:id                                      → SandboxView
 *   DELETE /api/sandboxes/:id                                      → 204
 *   GET    /api/sandboxes/:id/trace                                → TraceResponse
 *   POST   /api/sandboxes/:id/traffic      { requests }            → TrafficResponse (stops when the caller goes away;
 *                                                                     409 TRAFFIC_RUNNING while another run is under way)
 *   POST   /api/sandboxes/:id/hints                                → HintResponse (the next one; costs points)
 *   POST   /api/sandboxes/:id/diagnosis    { rootCause, evidence: { conn, seq }, incident? } → DiagnosisResponse (with `incident`: that injected fault's)
 *   POST   /api/sandboxes/:id/fix          { action, target?, params? } → SandboxView (same id, next generation)
 *   …/faults: faults.ts
 *   POST   /api/sandboxes/:id/verify                               → VerifyResponse (green completes the lab)
 *   GET    /api/sandboxes/:id/capture.pcapng | keys.log            → downloads
 */
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import { faultList } from './faults.js';
import type { TrafficResponse } from '../protocol.js';
import { learnerOf, requireHost, type LearnerNames } from '../learners.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { booleanField, objectBody, objectField, paramsField, stringField, wholeNumberField, type Body } from './validate.js';

export function sandboxRoutes(registry: SandboxRegistry, names: LearnerNames, limits: { maxRequests: number }): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/sandboxes',
      async handler({ res, body, caller }) {
        requireHost(caller, 'a drill or an interview starts its participants\' labs');
        const input = objectBody(body);
        const lab = stringField(input, 'lab');
        const interview = booleanField(input, 'interview', false);
        const owner = learnerOf(caller);
        const given = learnerField(input);
        if (given) names.set(owner, given);
        const learner = given ?? names.get(owner);
        const how = { extraFaults: faultList(input), interview, owner, ...(learner ? { learner } : {}) };
        // A page pressing Start lab again (a reload, a second tab) goes on with its running lab; a script may run several.
        const { session, resumed } = caller.operator ? { session: await registry.start(lab, how), resumed: false } : await registry.resume(lab, how);
        sendJson(res, resumed ? 200 : 201, session.view(), { location: `/api/sandboxes/${encodeURIComponent(session.id)}` });
      },
    },
    {
      method: 'GET',
      path: '/api/sandboxes',
      handler({ res, caller }) {
        sendJson(res, 200, { sandboxes: registry.list(caller).map((session) => session.view()) });
      },
    },
    {
      method: 'GET',
      path: '/api/sandboxes/:id',
      handler({ res, params, caller }) {
        sendJson(res, 200, registry.get(params.id!, caller).view());
      },
    },
    {
      method: 'DELETE',
      path: '/api/sandboxes/:id',
      async handler({ res, params, caller }) {
        requireHost(caller, 'a drill or an interview stops its participants\' labs');
        await registry.stop(params.id!, caller);
        res.writeHead(204).end();
      },
    },
    {
      method: 'GET',
      path: '/api/sandboxes/:id/trace',
      handler({ res, params, caller }) {
        sendJson(res, 200, registry.get(params.id!, caller).trace());
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/traffic',
      async handler({ res, params, body, caller }) {
        const session = registry.get(params.id!, caller);
        const requests = wholeNumberField(objectBody(body), 'requests', 1, limits.maxRequests, 5);
        const gone = callerGone(res);
        const traffic = await session.runTraffic(requests, gone);
        if (!gone.aborted) sendJson(res, 200, traffic satisfies TrafficResponse);
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/hints',
      handler({ res, params, caller }) {
        sendJson(res, 200, registry.get(params.id!, caller).nextHint());
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/diagnosis',
      handler({ res, params, body, caller }) {
        const session = registry.get(params.id!, caller);
        const input = objectBody(body);
        const rootCause = stringField(input, 'rootCause');
        const evidence = objectField(input, 'evidence');
        const conn = wholeNumberField(evidence, 'conn', 0, Number.MAX_SAFE_INTEGER);
        const seq = wholeNumberField(evidence, 'seq', 0, Number.MAX_SAFE_INTEGER);
        sendJson(res, 200, session.diagnose(rootCause, { conn, seq }, stringField(input, 'incident', true)));
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/fix',
      async handler({ res, params, body, caller }) {
        const session = registry.get(params.id!, caller);
        const input = objectBody(body);
        const action = stringField(input, 'action');
        const target = stringField(input, 'target', true);
        sendJson(res, 200, await session.applyFix({ action, ...(target ? { target } : {}), params: paramsField(input, 'params') }));
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/verify',
      async handler({ res, params, caller }) {
        sendJson(res, 200, await registry.get(params.id!, caller).verify());
      },
    },
    {
      method: 'GET',
      path: '/api/sandboxes/:id/capture.pcapng',
      handler({ res, params, caller }) {
        const session = registry.get(params.id!, caller);
        const { pcapng } = session.capture();
        download(res, `${session.id}.pcapng`, 'application/x-pcapng', Buffer.from(pcapng.buffer, pcapng.byteOffset, pcapng.byteLength));
      },
    },
    {
      method: 'GET',
      path: '/api/sandboxes/:id/keys.log',
      handler({ res, params, caller }) {
        const session = registry.get(params.id!, caller);
        download(res, `${session.id}.keys.log`, 'text/plain; charset=utf-8', Buffer.from(session.capture().keylog));
      },
    },
  ];
}

/**
 * Aborts when the connection closes before the response is sent: the caller gave up, so the
 * work done for it can stop. (`res` 'close', not `req` 'close', which Node emits as soon as the
 * request body has been read.)
 */
function callerGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function download(res: ServerResponse, filename: string, type: string, bytes: Buffer): void {
  res.writeHead(200, {
    'content-type': type,
    'content-length': bytes.length,
    'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  });
  res.end(bytes);
}

/** A name to show on the scoreboard: letters, digits, spaces and . _ ' -, at most 40. */
function learnerField(input: Body): string | undefined {
  const learner = input.learner;
  if (learner === undefined) return undefined;
  if (typeof learner !== 'string' || !/^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,39}$/u.test(learner)) {
    throw new ApiError('BAD_REQUEST', '"learner" must be a name of 1 to 40 letters, digits, spaces or . _ \' - (starting with a letter or digit)');
  }
  return learner;
}
