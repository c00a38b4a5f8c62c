/**
 * The typed HTTP client for `/api/*`. The token travels in the HttpOnly cookie the server
 * set when the page first loaded (`/?token=…`), so requests carry nothing by hand; a failure
 * becomes an ApiFailure with the server's stable code, which the UI branches on.
 *
 *   component ──▶ api.x() ──fetch /api/…──▶ server ──JSON──▶ typed result | ApiFailure(code)
 */
import type {
  ActivityReport,
  ApiErrorBody,
  CandidateInterview,
  CatalogueResponse,
  CertificatesResponse,
  DiagnosisRequest,
  DiagnosisResponse,
  HintResponse,
  Incident,
  InterviewCreated,
  InterviewReport,
  InterviewView,
  LabsResponse,
  LiveFault,
  MeResponse,
  Postmortem,
  ProgressSummary,
  RoomConsole,
  RoomLearnerView,
  RoomMode,
  RoomScenario,
  RoomSummary,
  SandboxView,
  TimelineStep,
  TraceResponse,
  TrafficResponse,
  VerifyResponse,
  WireFaultInput,
  WireFaultSpec,
} from '../../../server/app/protocol.ts';
import type { FaultSpec, FixActionSpec } from '../../../server/lab/schema.ts';

export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a failed call says on the page: the API's stable code and its words, or the error's own message. */
export function failureText(error: unknown): string {
  return error instanceof ApiFailure ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiFailure(res.status, 'BAD_RESPONSE', `HTTP ${res.status}: the server's answer is not JSON`);
  }
  if (!res.ok) {
    const error = (value as Partial<ApiErrorBody>).error;
    throw new ApiFailure(res.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `HTTP ${res.status}`);
  }
  return value as T;
}

const sandbox = (id: string, rest = ''): string => `/api/sandboxes/${encodeURIComponent(id)}${rest}`;
const room = (id: string, rest = ''): string => `/api/rooms/${encodeURIComponent(id)}${rest}`;
const interview = (id: string, rest = ''): string => `/api/interviews/${encodeURIComponent(id)}${rest}`;

/** POST /api/interviews: the labs picked, or a random set of one level. */
export type InterviewRequest = ({ labs: string[] } | { level: string; count: number }) & { minutes: number; hints: boolean };

/** What a facilitator does to a room's clock. */
export type RoomControl = 'start' | 'pause' | 'resume' | 'end';

/** A timeline step as the facilitator writes it: the server numbers the steps (`s1`, `s2` …, in order) and records their firing. */
export type TimelineStepInput = Omit<TimelineStep, 'id' | 'firedMs' | 'firedIncident' | 'error'>;

/** POST /api/rooms */
export interface RoomRequest {
  title?: string;
  scenario: RoomScenario;
  minutes: number;
  mode: RoomMode;
  terminal: boolean;
  timeline?: TimelineStepInput[];
}

/** POST /api/rooms/:id/faults: a fault for every learner of the room, or for one (a participant id). */
export type RoomFaultRequest = FaultSpec & { who: string };

/** POST /api/join: who this browser now is (its participant token came as an HttpOnly cookie). */
export interface JoinResponse {
  id: string;
  role: 'learner' | 'candidate' | 'interviewer';
  scope: string;
  name: string;
}

export const api = {
  labs: () => call<LabsResponse>('GET', '/api/labs'),
  catalogue: () => call<CatalogueResponse>('GET', '/api/catalogue'),
  resetProgress: () => call<ProgressSummary>('DELETE', '/api/progress'),
  /** This browser's learner (the server's cookie) and their sandboxes. */
  me: () => call<MeResponse>('GET', '/api/me'),
  /** A fresh sandbox, or the learner's running one of this lab (the server resumes it). */
  start: (lab: string, interview: boolean, learner?: string) => call<SandboxView>('POST', '/api/sandboxes', { lab, interview, ...(learner ? { learner } : {}) }),
  sandbox: (id: string) => call<SandboxView>('GET', sandbox(id)),
  stop: (id: string) => call<void>('DELETE', sandbox(id)),
  trace: (id: string) => call<TraceResponse>('GET', sandbox(id, '/trace')),
  certificates: (id: string) => call<CertificatesResponse>('GET', sandbox(id, '/certificates')),
  traffic: (id: string, requests: number) => call<TrafficResponse>('POST', sandbox(id, '/traffic'), { requests }),
  hint: (id: string) => call<HintResponse>('POST', sandbox(id, '/hints')),
  diagnose: (id: string, request: DiagnosisRequest) => call<DiagnosisResponse>('POST', sandbox(id, '/diagnosis'), request),
  fix: (id: string, fix: FixActionSpec) => call<SandboxView>('POST', sandbox(id, '/fix'), fix),
  verify: (id: string) => call<VerifyResponse>('POST', sandbox(id, '/verify')),
  faults: (id: string) => call<{ faults: LiveFault[] }>('GET', sandbox(id, '/faults')),
  injectFault: (id: string, fault: FaultSpec, ttl?: number | string) => call<LiveFault>('POST', sandbox(id, '/faults'), { ...fault, ...(ttl === undefined ? {} : { ttl }) }),
  clearFault: (id: string, faultId: number) => call<void>('DELETE', sandbox(id, `/faults/${faultId}`)),
  wireFaults: (id: string) => call<{ faults: WireFaultSpec[] }>('GET', sandbox(id, '/wire-faults')),
  /** Replaces every wire fault of the sandbox. */
  setWireFaults: (id: string, faults: WireFaultInput[]) => call<{ faults: WireFaultSpec[] }>('PUT', sandbox(id, '/wire-faults'), { faults }),
  captureUrl: (id: string) => sandbox(id, '/capture.pcapng'),
  keylogUrl: (id: string) => sandbox(id, '/keys.log'),
  /** Joins a room or an interview by its code: the answer's Set-Cookie makes this browser its participant. */
  join: (code: string, name: string) => call<JoinResponse>('POST', '/api/join', { code, name }),
  /** What a join code invites to, before joining (a wrong code is INVITE_NOT_FOUND). */
  invitation: (code: string) => call<Pick<JoinResponse, 'role'>>('GET', `/api/join/${encodeURIComponent(code)}`),
  rooms: () => call<{ rooms: RoomSummary[] }>('GET', '/api/rooms'),
  createRoom: (request: RoomRequest) => call<RoomConsole>('POST', '/api/rooms', request),
  room: (id: string) => call<RoomConsole>('GET', room(id)),
  /** The room this browser's participant joined, as a learner sees it. */
  myRoom: () => call<RoomLearnerView>('GET', '/api/room'),
  controlRoom: (id: string, control: RoomControl) => call<RoomConsole>('POST', room(id, `/${control}`)),
  injectRoomFault: (id: string, fault: RoomFaultRequest) => call<Incident>('POST', room(id, '/faults'), fault),
  clearRoomFault: (id: string, incident: string) => call<Incident>('DELETE', room(id, `/faults/${encodeURIComponent(incident)}`)),
  allowRoomTerminal: (id: string, allowed: boolean) => call<RoomConsole>('POST', room(id, '/terminal'), { allowed }),
  postmortem: (id: string) => call<Postmortem>('GET', room(id, '/postmortem')),
  postmortemUrl: (id: string) => room(id, '/postmortem.md'),
  createInterview: (request: InterviewRequest) => call<InterviewCreated>('POST', '/api/interviews', request),
  interviews: () => call<{ interviews: InterviewView[] }>('GET', '/api/interviews'),
  interview: (id: string) => call<InterviewView>('GET', interview(id)),
  endInterview: (id: string) => call<InterviewView>('POST', interview(id, '/end')),
  interviewReport: (id: string) => call<InterviewReport>('GET', interview(id, '/report')),
  interviewReportUrl: (id: string) => interview(id, '/report.md'),
  /** The interview this browser's participant joined as its candidate: their current lab and the clock. */
  myInterview: () => call<CandidateInterview>('GET', '/api/interview'),
  nextInterviewLab: () => call<CandidateInterview>('POST', '/api/interview/next'),
  /** What the candidate looked at in an interview's lab (the interviewer sees it live). */
  reportActivity: (id: string, report: ActivityReport) => call<void>('POST', sandbox(id, '/activity'), report),
};
