/**
 * The live channel's side of an interview (wsHub.ts `interview-subscribe`): its host or
 * interviewer gets the view now and again after each change, coalesced per tick (a burst of
 * typed lines is one push, not one each).
 *
 *   Interviews 'change' (that interview) ──next tick──▶ push(InterviewView)
 */
import type { Caller } from '../learners.js';
import type { InterviewFollower } from '../wsHub.js';
import type { Interview } from './interview.js';
import type { Interviews } from './interviews.js';

export function interviewFollower(interviews: Interviews): InterviewFollower {
  return {
    follow(id: string, caller: Caller, push) {
      const interview = interviews.forInterviewer(id, caller);
      let queued = false;
      const listener = (changed: Interview): void => {
        if (changed !== interview || queued) return;
        queued = true;
        setImmediate(() => {
          queued = false;
          push(interviews.view(interview));
        });
      };
      interviews.changes.on('change', listener);
      return { view: interviews.view(interview), stop: () => void interviews.changes.off('change', listener) };
    },
  };
}
