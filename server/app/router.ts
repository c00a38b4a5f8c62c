/**
 * Routes by method and path pattern (`/api/sandboxes/:id`); `:name` matches one segment.
 * A path that matches with another method is METHOD_NOT_ALLOWED; an unmatched `/api/` path
 * is NOT_FOUND; anything else goes on to the static files.
 */
import { ApiError } from './errors.js';
import type { Middleware, RequestContext } from './http.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export function router(prefix: string, routes: readonly Route[]): Middleware {
  const compiled = routes.map(compile);
  return async (ctx, next) => {
    const path = ctx.url.pathname;
    if (!path.startsWith(prefix)) return next();
    let pathMatched = false;
    for (const route of compiled) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathMatched = true;
      const method = ctx.req.method === 'HEAD' ? 'GET' : ctx.req.method;
      if (route.method !== method) continue;
      ctx.params = Object.fromEntries(route.names.map((name, i) => [name, decodeSegment(match[i + 1]!)]));
      await route.handler(ctx);
      return;
    }
    throw new ApiError(pathMatched ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', `${ctx.req.method} ${path}`);
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('BAD_REQUEST', `"${segment}" is not valid percent-encoding`);
  }
}
