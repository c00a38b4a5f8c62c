/**
 * Every request needs the run's token. A navigation to `/?token=…` with the right token
 * swaps it for the cookie and redirects to the same URL without it (so it leaves the
 * address bar and the history); a wrong one is refused like a missing one.
 *
 * The redirect goes to a path of this server only (issue 9). A Location that starts with `//`
 * is a network-path reference to another host (RFC 3986 §4.2), and so is one starting `/\`
 * in a browser (the WHATWG URL parser reads `\` as `/` in http URLs): `/.//evil.example/`
 * normalises to the path `//evil.example/`, and as a Location it would send whoever opened
 * the link to evil.example — an open redirect. Leading slashes and backslashes collapse to one.
 *
 * A participant token (credentials.ts) passes too. Only the way in is open without one: a join
 * link's page (`/join/<code>`), the built app's files it loads, and the join itself.
 */
import { ApiError } from './errors.js';
import type { Middleware } from './http.js';
import { credentialsOf, type CredentialSource } from './credentials.js';
import { tokenCookie, tokenMatches } from './token.js';

export function tokenAuth(source: CredentialSource): Middleware {
  const { token, tokenCookie: cookieName } = source;
  return (ctx, next) => {
    const { req, res, url } = ctx;
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && (req.method === 'GET' || req.method === 'HEAD') && !url.pathname.startsWith('/api/')) {
      if (!tokenMatches(token, fromQuery)) throw new ApiError('TOKEN_REQUIRED', 'the token in the URL is not this run\'s');
      url.searchParams.delete('token');
      res.writeHead(302, {
        location: localPath(url.pathname) + url.search,
        'set-cookie': tokenCookie(cookieName(), token),
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    const credentials = credentialsOf(req, source);
    if (credentials) ctx.caller = { ...credentials, learner: null };
    else if (!isWayIn(req.method, url.pathname)) throw new ApiError('TOKEN_REQUIRED');
    return next();
  };
}

/** The join page, the app's built files (public code, no data), and the join API. */
function isWayIn(method: string | undefined, pathname: string): boolean {
  if (method === 'GET' || method === 'HEAD') return /^\/join\/[^/]+$/.test(pathname) || pathname.startsWith('/assets/') || pathname.startsWith('/api/join/');
  return method === 'POST' && pathname === '/api/join';
}

/** `pathname` as a path of this server: one leading `/`, never `//` or `/\`. */
export function localPath(pathname: string): string {
  return '/' + pathname.replace(/^[/\\]+/, '');
}
