/**
 * A drill's learners as their browsers act: joined by code without the run's token, then
 * holding only their participant cookie — for the HTTP API and the WebSocket alike.
 */
import { expect } from 'vitest';
import { connectWs, type LabSocket, type Response, type TestApp } from './appHarness.js';

export interface Joined {
  /** The participant id: what the console names them by. */
  id: string;
  name: string;
  /** `mtls_lab_participant_<port>=…`, as the browser sends it back. */
  cookie: string;
}

export async function joinRoom(t: TestApp, code: string, name: string): Promise<Joined> {
  const joined = await t.request('/api/join', { method: 'POST', headers: { origin: t.origin }, body: { code, name } });
  expect(joined.status).toBe(201);
  return { id: joined.json.id, name, cookie: (joined.headers['set-cookie']?.[0] ?? '').split(';')[0]! };
}

/** A request of the learner's page: own Origin, their cookie, nothing else. */
export function asLearner(t: TestApp, learner: Joined, method: string, target: string, body?: unknown): Promise<Response> {
  return t.request(target, { method, headers: { origin: t.origin, cookie: learner.cookie }, ...(body === undefined ? {} : { body }) });
}

export async function learnerSocket(t: TestApp, learner: Joined): Promise<LabSocket> {
  const outcome = await connectWs(t.port, { origin: t.origin, cookie: learner.cookie });
  if (!outcome.open) throw new Error(`WebSocket refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}

/** The host's page socket: the run's token in its cookie. */
export async function hostSocket(t: TestApp): Promise<LabSocket> {
  const outcome = await connectWs(t.port, { origin: t.origin, cookie: `mtls_lab_token_${t.port}=${t.token}` });
  if (!outcome.open) throw new Error(`WebSocket refused: ${outcome.status} ${outcome.body}`);
  return outcome.client;
}
