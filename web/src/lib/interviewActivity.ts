/**
 * What the candidate looks at in an interview's lab, told to the server for the interviewer's
 * live view (POST /api/sandboxes/:id/activity). Only the interview's own sandbox reports: the
 * candidate's page names it (InterviewCandidate.svelte); any other lab page reports nothing.
 *
 *   LabView (an event selected) · CertificateInspector (a chain from the trace, a card opened) ──note──▶ server
 */
import type { ActivityReport } from '../../../server/app/protocol.ts';
import { api } from './api.ts';

let interviewSandbox: string | null = null;

/** The sandbox the candidate's page shows now (null when it leaves). */
export function followInterviewSandbox(sandbox: string | null): void {
  interviewSandbox = sandbox;
}

/** Tells the server, if `sandbox` is the interview's; a failure costs the candidate nothing. */
export function noteActivity(sandbox: string, report: ActivityReport): void {
  if (sandbox !== interviewSandbox) return;
  api.reportActivity(sandbox, report).catch(() => undefined);
}
