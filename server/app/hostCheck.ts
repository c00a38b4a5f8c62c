/**
 * DNS rebinding guard: a page on evil.example whose name is made to resolve to 127.0.0.1
 * still sends `Host: evil.example`, so only loopback names (and names the user configured)
 * are served. After vite's `server/middlewares/hostCheck.ts`. The name must equal an allowed
 * one exactly: `localhost.evil.example` and `127.0.0.1.nip.io` are other names.
 */
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

/** The names a Host header may carry: loopback, the bind address, and the extra ones. */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): ReadonlySet<string> {
  const bind = bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
  // Binding the wildcard says nothing about the name the page is reached by.
  const wildcard = bind === '0.0.0.0' || bind === '[::]';
  return new Set([...loopbackNames, ...(wildcard ? [] : [bind]), ...extra].map((name) => name.toLowerCase()));
}

/** `name[:port]` or `[v6]:port` (RFC 9110 §7.2 uri-host [":" port]); anything else is refused. */
const hostPattern = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!hostHeader) return false;
  const match = hostPattern.exec(hostHeader.trim());
  if (!match) return false;
  return allowed.has(match[1]!.toLowerCase());
}

export function hostCheck(allowed: ReadonlySet<string>): Middleware {
  return (ctx, next) => {
    const host = header(ctx.req, 'host');
    if (!isAllowedHost(host, allowed)) throw new ApiError('HOST_NOT_ALLOWED', `Host "${host ?? ''}"`);
    return next();
  };
}
