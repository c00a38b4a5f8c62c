/**
 * Interviews (interviews/): the host creates one and hands out two links; the candidate works
 * the labs the interview starts for them; the interviewer watches and reads the report. The
 * candidate's credential reaches only `/api/interview` (their own view) and the activity of
 * their own sandbox: every interviewer route answers it INTERVIEW_NOT_FOUND, as for no
 * interview at all, so the model answers never reach it.
 *
 *   POST /api/interviews { labs? | level + count?, minutes, hints, seed? } → 201 InterviewCreated   (host)
 *   GET  /api/interviews                                  → { interviews: InterviewView[] }          (host)
 *   GET  /api/interviews/:id                              → InterviewView                            (host, its interviewer)
 *   POST /api/interviews/:id/end                          → InterviewView                            (host, its interviewer)
 *   GET  /api/interviews/:id/report | report.md           → InterviewReport | Markdown download     (host, its interviewer)
 *   GET  /api/interviews/:id/questions                    → { questions }                            (host, its interviewer)
 *   GET  /api/interview                                   → CandidateInterview                       (its candidate)
 *   POST /api/interview/next                              → CandidateInterview: the next lab         (its candidate)
 *   POST /api/sandboxes/:id/activity { kind, … }          → 204                                      (the sandbox's owner; an interview's lab)
 */
import { ApiError } from '../errors.js';
import { sendJson } from '../http.js';
import type { ActivityReport, CandidateInterview, InterviewCreated } from '../interviews/interviewProtocol.js';
import { maxInterviewLabs, type PlanRequest } from '../interviews/interviewPlan.js';
import type { Interviews } from '../interviews/interviews.js';
import { buildReport, questionsOf } from '../interviews/report.js';
import { reportMarkdown } from '../interviews/reportMarkdown.js';
import { requireHost } from '../learners.js';
import type { Route } from '../router.js';
import type { SandboxRegistry } from '../sandboxRegistry.js';
import { levels, type LabSpec } from '../../lab/schema.js';
import { booleanField, objectBody, stringField, wholeNumberField, type Body } from './validate.js';

/** A day: an interview is a sitting, not a standing sandbox. */
const maxInterviewMinutes = 24 * 60;

export function interviewRoutes(interviews: Interviews, registry: SandboxRegistry): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/interviews',
      async handler({ res, body, caller }) {
        requireHost(caller, 'create an interview');
        const input = objectBody(body);
        const minutes = wholeNumberField(input, 'minutes', 1, maxInterviewMinutes);
        const hints = booleanField(input, 'hints', false);
        const seed = input.seed === undefined ? undefined : wholeNumberField(input, 'seed', 0, 2 ** 31 - 1);
        const created: InterviewCreated = await interviews.create(planRequest(input), { minutes, hints, ...(seed === undefined ? {} : { seed }) });
        sendJson(res, 201, created, { location: `/api/interviews/${created.id}`, 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: '/api/interviews',
      handler({ res, caller }) {
        requireHost(caller, 'list interviews');
        sendJson(res, 200, { interviews: interviews.list() });
      },
    },
    {
      method: 'GET',
      path: '/api/interviews/:id',
      handler({ res, params, caller }) {
        sendJson(res, 200, interviews.view(interviews.forInterviewer(params.id!, caller)), { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'POST',
      path: '/api/interviews/:id/end',
      async handler({ res, params, caller }) {
        const interview = interviews.forInterviewer(params.id!, caller);
        await interview.end('ended');
        sendJson(res, 200, interviews.view(interview));
      },
    },
    {
      method: 'GET',
      path: '/api/interviews/:id/report',
      handler({ res, params, caller }) {
        sendJson(res, 200, buildReport(interviews.view(interviews.forInterviewer(params.id!, caller))), { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: '/api/interviews/:id/report.md',
      handler({ res, params, caller }) {
        const interview = interviews.forInterviewer(params.id!, caller);
        const text = Buffer.from(reportMarkdown(buildReport(interviews.view(interview))));
        res.writeHead(200, {
          'content-type': 'text/markdown; charset=utf-8',
          'content-length': text.length,
          'content-disposition': `attachment; filename="interview-${interview.id}.md"`,
          'cache-control': 'no-store',
        });
        res.end(text);
      },
    },
    {
      method: 'GET',
      path: '/api/interviews/:id/questions',
      handler({ res, params, caller }) {
        const questions = questionsOf(interviews.view(interviews.forInterviewer(params.id!, caller)));
        sendJson(res, 200, { questions }, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: '/api/interview',
      async handler({ res, caller }) {
        const interview = interviews.forCandidate(caller);
        await interview.settled();
        sendJson(res, 200, interview.candidateView() satisfies CandidateInterview, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'POST',
      path: '/api/interview/next',
      async handler({ res, caller }) {
        sendJson(res, 200, await interviews.forCandidate(caller).next());
      },
    },
    {
      method: 'POST',
      path: '/api/sandboxes/:id/activity',
      handler({ res, params, body, caller }) {
        const session = registry.get(params.id!, caller);
        const interview = interviews.ofSandbox(session.id);
        if (!interview) throw new ApiError('NOT_AN_INTERVIEW', `sandbox "${session.id}"`);
        interview.report(session.id, activityReport(objectBody(body)));
        res.writeHead(204).end();
      },
    },
  ];
}

function planRequest(input: Body): PlanRequest {
  if (input.labs !== undefined) {
    const labs = input.labs;
    if (!Array.isArray(labs) || labs.length === 0 || labs.length > maxInterviewLabs || !labs.every((lab) => typeof lab === 'string' && lab.length > 0 && lab.length <= 100)) {
      throw new ApiError('BAD_REQUEST', `"labs" must be a list of 1 to ${maxInterviewLabs} lab ids`);
    }
    if (input.level !== undefined || input.count !== undefined) throw new ApiError('BAD_REQUEST', 'give "labs", or "level" and "count" for a random set — not both');
    return { labs: labs as string[] };
  }
  const level = input.level;
  if (typeof level !== 'string' || !(levels as readonly string[]).includes(level)) {
    throw new ApiError('BAD_REQUEST', `give "labs" (lab ids), or "level" (${levels.join(', ')}) for a random set`);
  }
  return { level: level as LabSpec['level'], count: wholeNumberField(input, 'count', 1, maxInterviewLabs, 2) };
}

/** The page's report of what the candidate looked at: bounded strings, whole numbers. */
function activityReport(input: Body): ActivityReport {
  const kind = input.kind;
  if (kind === 'event-opened') {
    return { kind, conn: wholeNumberField(input, 'conn', 0, Number.MAX_SAFE_INTEGER), seq: wholeNumberField(input, 'seq', 0, Number.MAX_SAFE_INTEGER) };
  }
  if (kind === 'certificate-inspected') {
    const source = input.source;
    if (source !== 'wire' && source !== 'files') throw new ApiError('BAD_REQUEST', '"source" must be "wire" or "files"');
    return { kind, subject: stringField(input, 'subject'), source };
  }
  throw new ApiError('BAD_REQUEST', `"kind" must be "event-opened" or "certificate-inspected", got ${JSON.stringify(kind)?.slice(0, 60)}`);
}
