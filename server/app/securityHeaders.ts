/**
 * Headers on every response. The Content-Security-Policy goes on HTML (staticFiles.ts):
 * scripts and styles from this origin only — no inline script, so an injected string in a
 * lab's text cannot run — and the one WebSocket endpoint.
 */
import type { Middleware } from './http.js';

export function securityHeaders(): Middleware {
  return (ctx, next) => {
    const { res, url } = ctx;
    res.setHeader('x-content-type-options', 'nosniff');
    // The first URL carries the token: never send it on as a Referer.
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    if (url.pathname.startsWith('/api/')) res.setHeader('cache-control', 'no-store');
    return next();
  };
}

/** The CSP for an HTML page served under `host` (a Host header already checked). */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
