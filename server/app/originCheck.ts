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
 */
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';

const safeMethods = new Set(['GET', 'HEAD']);

/** undefined when allowed; otherwise why not. */
export function originProblem(origin: string | undefined, host: string | undefined, method: string): string | undefined {
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
  if (url.protocol !== 'http:' || url.origin !== origin.toLowerCase() || !host || url.host !== host.toLowerCase()) {
    return `Origin "${origin}" is not this server's page (http://${host ?? '?'})`;
  }
  return undefined;
}

export function originCheck(): Middleware {
  return (ctx, next) => {
    const problem = originProblem(header(ctx.req, 'origin'), header(ctx.req, 'host'), ctx.req.method ?? 'GET');
    if (problem) throw new ApiError('ORIGIN_NOT_ALLOWED', problem);
    return next();
  };
}
