/**
 * The API's errors: a closed table of stable codes, each with its HTTP status and a fixed
 * message. The wire shape is `{ error: { code, message } }`, the cause joined onto the fixed
 * message. After toxiproxy's `api.go` (`ErrProxyNotFound`) and ws's `WS_ERR_*` codes: a
 * client (the web app, a test, a script) branches on the code, never on the words.
 */
export const apiErrors = {
  BAD_REQUEST: { status: 400, message: 'the request is not valid' },
  UNKNOWN_FAULT: { status: 400, message: 'no such fault in the catalogue' },
  UNKNOWN_FIX: { status: 400, message: 'no such fix action in the catalogue' },
  FIX_NOT_APPLICABLE: { status: 400, message: 'the fix action does not apply to this lab' },
  BAD_PARAMS: { status: 400, message: 'the params do not fit the fault or fix action' },
  TOKEN_REQUIRED: { status: 401, message: 'open the URL printed by `mtls-lab serve` (it carries the token), or send Authorization: Bearer <token>' },
  HOST_NOT_ALLOWED: { status: 403, message: 'this server answers only to the addresses it printed at start, localhost, and names given with --allowed-hosts (DNS rebinding guard)' },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'requests that change state, and WebSocket upgrades, must come from this server\'s own page' },
  HOST_ONLY: { status: 403, message: 'only the host of this server (who holds its token: a drill\'s facilitator, an interviewer) may do this' },
  TERMINAL_NOT_ALLOWED: { status: 403, message: 'the facilitator has not opened the terminal to participants' },
  TERMINAL_DISABLED: { status: 403, message: 'the terminal is off: this server listens beyond loopback; restart it with --terminal on to allow a shell for anyone holding the token' },
  LAB_NOT_FOUND: { status: 404, message: 'no such lab' },
  SANDBOX_NOT_FOUND: { status: 404, message: 'no such sandbox (stopped, or never started)' },
  TRACE_EVENT_NOT_FOUND: { status: 404, message: 'no such event in this sandbox\'s trace' },
  FAULT_NOT_FOUND: { status: 404, message: 'no such fault in effect on this sandbox' },
  INVITE_NOT_FOUND: { status: 404, message: 'this join code or link invites nobody (mistyped, already used, or its drill or interview has ended)' },
  ROOM_NOT_FOUND: { status: 404, message: 'no such room (or not yours to see)' },
  INCIDENT_NOT_FOUND: { status: 404, message: 'no such incident' },
  INTERVIEW_NOT_FOUND: { status: 404, message: 'no such interview (or not yours to see)' },
  NOT_FOUND: { status: 404, message: 'no such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'this endpoint does not take that method' },
  ALREADY_ANSWERED: { status: 409, message: 'this sandbox\'s diagnosis is already graded correct' },
  NOT_DIAGNOSED: { status: 409, message: 'diagnose the failure first: fixes and verify unlock after a correct diagnosis' },
  NO_MORE_HINTS: { status: 409, message: 'every hint of this lab is already shown' },
  HINTS_DISABLED: { status: 409, message: 'this sandbox runs in interview mode: no hints' },
  SANDBOX_NOT_RUNNING: { status: 409, message: 'the sandbox is not running' },
  TRAFFIC_RUNNING: { status: 409, message: 'this sandbox is already running traffic; one run at a time' },
  ROOM_ENDED: { status: 409, message: 'this room has ended; its postmortem is kept' },
  INVITE_FULL: { status: 409, message: 'this drill has taken every learner it has a place for; ask the facilitator' },
  ROOM_NOT_STARTED: { status: 409, message: 'start the room first: no learner has a sandbox yet' },
  INTERVIEW_ENDED: { status: 409, message: 'this interview is not running (not started yet, or over); its report is kept' },
  NOT_AN_INTERVIEW: { status: 409, message: 'this sandbox is not an interview\'s: activity is recorded only for an interview\'s labs' },
  TERMINAL_NOT_OPEN: { status: 409, message: 'this tab has no terminal open on that sandbox; send terminal-open first' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send the body as JSON (Content-Type: application/json)' },
  TOO_MANY_ATTEMPTS: { status: 429, message: 'too many wrong join codes from this address; wait a minute and check the code' },
  TOO_MANY_SANDBOXES: { status: 429, message: 'too many sandboxes are running; stop one first' },
  TOO_MANY_SANDBOXES_FOR_LEARNER: { status: 429, message: 'you already run as many labs as one learner may at once; stop one of yours first' },
  INTERNAL: { status: 500, message: 'internal error; the server logged the details' },
  SANDBOX_START_FAILED: { status: 500, message: 'the sandbox could not start' },
  CHANGE_FAILED: { status: 500, message: 'the running sandbox could not take the change' },
  CAPTURE_UNAVAILABLE: { status: 501, message: 'capture export is not available in this build' },
  TERMINAL_NO_JAIL: { status: 503, message: 'the terminal is off: this machine cannot build the jail its shell runs in' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof apiErrors;

/** The body of every error response and every failed WebSocket reply. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  /** What went wrong in this instance, joined onto the fixed message on the wire. */
  readonly detail: string | undefined;

  constructor(code: ApiErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = apiErrors[code];
    super(detail ? `${entry.message}: ${detail}` : entry.message, options);
    this.code = code;
    this.status = entry.status;
    this.detail = detail;
  }

  toJSON(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export interface ErrorLogger {
  error(message: string, error?: unknown): void;
}

/**
 * Any thrown value as an ApiError: an ApiError as it is; anything else becomes INTERNAL and
 * is logged — its message may hold paths or internals, so only the code reaches the client.
 */
export function toApiError(error: unknown, logger: ErrorLogger): ApiError {
  if (error instanceof ApiError) return error;
  logger.error('unexpected error in the API', error);
  return new ApiError('INTERNAL');
}
