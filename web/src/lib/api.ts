/**
 * The typed HTTP client for `/api/*`. The token travels in the HttpOnly cookie the server
 * set when the page first loaded (`/?token=…`), so requests carry nothing by hand; a failure
 * becomes an ApiFailure with the server's stable code, which the UI branches on.
 *
 *   component ──▶ api.x() ──fetch /api/…──▶ server ──JSON──▶ typed result | ApiFailure(code)
 */
import type {
  ApiErrorBody,
  CatalogueResponse,
  CertificatesResponse,
  DiagnosisRequest,
  DiagnosisResponse,
  HintResponse,
  LabsResponse,
  LiveFault,
  MeResponse,
  ProgressSummary,
  SandboxView,
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
};
