/**
 * How a severity is said besides colour (an icon and a word), for every place that shows
 * one: a failure is never only red.
 */
import type { TraceEvent } from '../../../server/app/protocol.ts';

export interface SeverityMark {
  icon: string;
  /** Read by screen readers before the event's name, and shown where there is room. */
  word: string;
  /** The CSS class: `fail` or `warn` (app.css's palette). */
  tone: 'fail' | 'warn';
}

const marks: Record<TraceEvent['severity'], SeverityMark | null> = {
  error: { icon: '✗', word: 'failure', tone: 'fail' },
  warning: { icon: '⚠', word: 'warning', tone: 'warn' },
  info: null,
};

export function severityMark(severity: TraceEvent['severity']): SeverityMark | null {
  return marks[severity];
}
