/**
 * The page's place, in the URL's hash so reloads and the back button work without any
 * server routes: `#/` is the catalogue, `#/lab/<id>` a lab, `#/scoreboard` a drill's scoreboard.
 *
 *   location.hash ──hashchange──▶ route.current ──▶ App.svelte picks the page
 */
export type Route =
  | { page: 'catalogue' }
  | { page: 'scoreboard' }
  | { page: 'lab'; lab: string }
  | DrillRoute
  | InterviewRoute;

/**
 * Drills: `/join/<code>` (a path: the link a learner is given, served without the run token)
 * the join form; `#/drill` the learner's room; `#/rooms` the facilitator's rooms and a new one;
 * `#/room/<id>` its console; `#/room/<id>/postmortem` its printable postmortem.
 */
export type DrillRoute =
  | { page: 'join'; code: string }
  | { page: 'drill' }
  | { page: 'rooms' }
  | { page: 'room'; room: string }
  | { page: 'postmortem'; room: string };

function parseDrill(hash: string): DrillRoute | undefined {
  const join = /^\/join\/([A-Za-z0-9_-]+)\/?$/.exec(location.pathname);
  if (join) return { page: 'join', code: join[1]! };
  if (hash === '#/drill') return { page: 'drill' };
  if (hash === '#/rooms') return { page: 'rooms' };
  const room = /^#\/room\/([A-Za-z0-9_-]+)(\/postmortem)?$/.exec(hash);
  if (room) return room[2] ? { page: 'postmortem', room: room[1]! } : { page: 'room', room: room[1]! };
  return undefined;
}

/**
 * Interviews: `#/interviews` the host's interviews and a new one; `#/interview` the candidate's
 * current lab; `#/interview/<id>/watch` the interviewer's live view; `#/interview/<id>/report` its
 * printable report.
 */
export type InterviewRoute = { page: 'interviews' } | { page: 'interview' } | { page: 'interview-watch'; interview: string } | { page: 'interview-report'; interview: string };

function parseInterview(hash: string): InterviewRoute | undefined {
  if (hash === '#/interviews') return { page: 'interviews' };
  if (hash === '#/interview') return { page: 'interview' };
  const match = /^#\/interview\/([A-Za-z0-9_-]+)\/(watch|report)$/.exec(hash);
  if (!match) return undefined;
  return match[2] === 'watch' ? { page: 'interview-watch', interview: match[1]! } : { page: 'interview-report', interview: match[1]! };
}

function parse(hash: string): Route {
  const drill = parseDrill(hash);
  if (drill) return drill;
  const interview = parseInterview(hash);
  if (interview) return interview;
  if (hash === '#/scoreboard') return { page: 'scoreboard' };
  const match = /^#\/lab\/([A-Za-z0-9._-]+)$/.exec(hash);
  return match ? { page: 'lab', lab: match[1]! } : { page: 'catalogue' };
}

class RouteState {
  current: Route = $state(parse(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.current = parse(location.hash)));
  }

  go(route: Route): void {
    location.hash = route.page === 'lab' ? `#/lab/${route.lab}` : route.page === 'scoreboard' ? '#/scoreboard' : '#/';
  }
}

export const route = new RouteState();
