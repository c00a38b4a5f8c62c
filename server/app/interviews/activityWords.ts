/**
 * An activity entry in words, as the interviewer reads it: the live view and the report say
 * the same line (each entry carries it as `text`).
 */
import type { ActivityDetail } from './interviewProtocol.js';

/** One line for an activity entry, as the interviewer reads it (the live view says the same). */
export function describeEntry(entry: ActivityDetail & { lab: string }): string {
  switch (entry.kind) {
    case 'lab-started':
      return `lab ${entry.lab} started (${entry.variant})`;
    case 'event-opened':
      return `opened trace event ${entry.conn}.${entry.seq}: ${entry.label}`;
    case 'certificate-inspected':
      return `inspected certificate ${entry.subject} (${entry.source === 'wire' ? 'from the trace' : 'from the files'})`;
    case 'command':
      return `typed \`${entry.line.replace(/`/g, "'")}\``;
    case 'hint':
      return `took hint ${entry.index}`;
    case 'diagnosis':
      return `diagnosed ${entry.title} — ${entry.correct ? 'right' : 'wrong'}`;
    case 'fix':
      return `applied fix ${entry.action}${entry.target ? ` on ${entry.target}` : ''}${entry.wrong ? ' (a wrong fix)' : ''}`;
    case 'verify':
      return `verified: ${entry.green ? 'green' : 'not green'}`;
    case 'lab-ended':
      return `lab ended (${entry.reason})`;
  }
}
