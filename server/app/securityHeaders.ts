/**
 * Headers on every response. The Content-Security-Policy goes on HTML (staticFiles.ts):
 * scripts from this origin only — no inline script, so an injected string in a lab's text
 * cannot run — styles from this origin plus inline ones (for the terminal, below), and the
 * one WebSocket endpoint.
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
    // xterm's DOM renderer (the browser terminal) writes its theme and cell metrics into <style>
    // elements and 24-bit colours into style attributes, with no nonce hook; without
    // 'unsafe-inline' the terminal draws in the wrong font and without colour. Styles run no
    // script; script-src stays 'self'.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
