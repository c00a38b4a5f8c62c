/**
 * Cross-site request forgery and cross-site WebSocket hijacking guard. A browser names the
 * page that sent a request in `Origin` (RFC 6454 §7); a page of this server has the same
 * scheme, host and port as the request's Host. So:
 *
 *   - a state-changing request (POST, PUT, PATCH, DELETE) must carry our own Origin;
 *   - any request that carries an Origin must carry ours (a valid token does not excuse a
 *     foreign page: the cookie rides along with its requests);
 *   - `Origin: null` (sandboxed iframes, file: pages, some redirects) is never ours;
 *   - no Origin at all is a non-browser client (curl, a test, ws), allowed only for GET and
 *     the WebSocket upgrade, which browsers always send with an Origin.
 *
 * "Ours" is judged as the Host check judges a Host (hostCheck.ts): the origin's name must be
 * an allowed one and the same as the Host's, and its port the Host's, a missing port being
 * http's 80 on both sides (a proxy may forward `Host: lab.example:80` for the page
 * `http://lab.example`).
 */
import { ApiError } from './errors.js';
import { parseHost } from './hostCheck.js';
import { header, type Middleware } from './http.js';

const safeMethods = new Set(['GET', 'HEAD']);

/** undefined when allowed; otherwise why not. */
export function originProblem(origin: string | undefined, host: string | undefined, method: string, allowed: ReadonlySet<string>): string | undefined {
  if (origin === undefined) {
    return safeMethods.has(method) ? undefined : `${method} without an Origin header`;
  }
  if (origin === 'null') return 'Origin "null"';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `Origin "${origin}" is not a URL`;
  }
  const ours = parseHost(host);
  const theirs = url.protocol === 'http:' && url.origin === origin.toLowerCase() ? parseHost(url.host) : undefined;
  if (!ours || !theirs || !allowed.has(theirs.name) || theirs.name !== ours.name || (theirs.port ?? 80) !== (ours.port ?? 80)) {
    return `Origin "${origin}" is not this server's page (http://${host ?? '?'})`;
  }
  return undefined;
}

/** `allowed` as hostCheck takes it. */
export function originCheck(allowed: () => ReadonlySet<string>): Middleware {
  return (ctx, next) => {
    const problem = originProblem(header(ctx.req, 'origin'), header(ctx.req, 'host'), ctx.req.method ?? 'GET', allowed());
    if (problem) throw new ApiError('ORIGIN_NOT_ALLOWED', problem);
    return next();
  };
}
