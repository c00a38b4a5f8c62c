/**
 * Waits on a sandbox's own trace pushes, not a clock: the first event that satisfies `match`,
 * from what the trace holds now or from the next connection built. A loaded machine only makes
 * it come later (the test's own timeout bounds the wait).
 *
 *   LabSession 'message' (trace: one connection, whole) ──match──▶ the event
 */
import type { LabSession } from '../../server/app/labSession.js';
import type { ServerMessage, TraceEvent } from '../../server/app/protocol.js';

export function traceEvent(session: LabSession, match: (event: TraceEvent) => boolean): Promise<TraceEvent> {
  return new Promise((resolve) => {
    const onMessage = (message: ServerMessage): void => {
      const found = message.type === 'trace' ? message.events.find(match) : undefined;
      if (!found) return;
      session.events.off('message', onMessage);
      resolve(found);
    };
    // Listening first: a connection built between the look and the listening is not missed.
    session.events.on('message', onMessage);
    const held = session.trace().events.find(match);
    if (held) {
      session.events.off('message', onMessage);
      resolve(held);
    }
  });
}
