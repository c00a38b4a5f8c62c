/**
 * The page's place, in the URL's hash so reloads and the back button work without any
 * server routes: `#/` is the catalogue, `#/lab/<id>` a lab, `#/scoreboard` a drill's scoreboard.
 *
 *   location.hash ──hashchange──▶ route.current ──▶ App.svelte picks the page
 */
export type Route = { page: 'catalogue' } | { page: 'scoreboard' } | { page: 'lab'; lab: string };

function parse(hash: string): Route {
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
