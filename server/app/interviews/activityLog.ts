/**
 * An interview's activity, in order: what the candidate opened, inspected, typed and answered,
 * and when, against the interview's own clock. Bounded: past `maxEntries` the oldest of what
 * the candidate looked at or typed goes first — the answers and the labs' starts and ends, which
 * the report grades, are kept — so a pasted script or a page reporting in a loop cannot fill the
 * server.
 *
 *   page (events, certificates) · terminal (lines) · LabSession 'answer' ──record──▶ ActivityLog ──'entry'──▶ the interviewer
 */
import { EventEmitter } from 'node:events';
import { describeEntry } from './activityWords.js';
import type { ActivityDetail, ActivityEntry } from './interviewProtocol.js';

export const maxEntries = 2000;

/** What the candidate looked at or typed: dropped first when the log is full. */
const lookedOrTyped = new Set<ActivityEntry['kind']>(['command', 'event-opened', 'certificate-inspected']);

export class ActivityLog {
  /** 'entry' (ActivityEntry) after each one recorded. */
  readonly changes = new EventEmitter();
  readonly #entries: ActivityEntry[] = [];
  readonly #startedAt: () => number | null;
  #next = 1;

  /** `startedAt`: when the interview's clock started (null before: nothing is recorded then). */
  constructor(startedAt: () => number | null) {
    this.#startedAt = startedAt;
    this.changes.setMaxListeners(0);
  }

  record(step: number, lab: string, detail: ActivityDetail, now = Date.now()): ActivityEntry | undefined {
    const start = this.#startedAt();
    if (start === null) return undefined;
    const entry = { n: this.#next++, at: new Date(now).toISOString(), sinceStartMs: Math.max(0, now - start), step, lab, text: describeEntry({ ...detail, lab }), ...detail } as ActivityEntry;
    this.#entries.push(entry);
    if (this.#entries.length > maxEntries) {
      const oldest = this.#entries.findIndex((each) => lookedOrTyped.has(each.kind));
      this.#entries.splice(Math.max(0, oldest), 1);
    }
    this.changes.emit('entry', entry);
    return entry;
  }

  entries(): ActivityEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  /** The entries of one lab of the interview. */
  ofStep(step: number): ActivityEntry[] {
    return this.#entries.filter((entry) => entry.step === step);
  }
}

/** The first entry of `kind` in `entries`, typed by it. */
export function firstOf<K extends ActivityEntry['kind']>(entries: readonly ActivityEntry[], kind: K): Extract<ActivityEntry, { kind: K }> | undefined {
  return entries.find((entry): entry is Extract<ActivityEntry, { kind: K }> => entry.kind === kind);
}

export function allOf<K extends ActivityEntry['kind']>(entries: readonly ActivityEntry[], kind: K): Array<Extract<ActivityEntry, { kind: K }>> {
  return entries.filter((entry): entry is Extract<ActivityEntry, { kind: K }> => entry.kind === kind);
}

/** From the lab's start to its first diagnosis (right or wrong): how long before the candidate committed to a cause. */
export function timeToFirstHypothesisMs(entries: readonly ActivityEntry[]): number | null {
  const started = firstOf(entries, 'lab-started');
  const first = firstOf(entries, 'diagnosis');
  return started && first ? first.sinceStartMs - started.sinceStartMs : null;
}
