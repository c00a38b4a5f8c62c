/**
 * The built web app (dist/web): files by path, index.html for everything else (the app
 * routes itself), the CSP on HTML. Switched off (no build), it is a no-op handler of the
 * same type that serves a placeholder page, so the API works without a web build.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';
import { contentSecurityPolicy } from './securityHeaders.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mtls-lab</title></head>
<body><h1>mtls-lab</h1><p>The web app is not built. Run <code>npm run build</code>; the JSON API is at <code>/api/labs</code>.</p></body></html>
`;

function htmlHeaders(host: string): Record<string, string> {
  return { 'content-type': contentTypes['.html']!, 'content-security-policy': contentSecurityPolicy(host), 'cache-control': 'no-store' };
}

export function staticFiles(webRoot: string | undefined): Middleware {
  if (webRoot === undefined) {
    return (ctx) => {
      if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw new ApiError('METHOD_NOT_ALLOWED');
      ctx.res.writeHead(200, htmlHeaders(header(ctx.req, 'host') ?? ''));
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : placeholder);
    };
  }
  const root = path.resolve(webRoot);
  return async (ctx) => {
    const { req, res, url } = ctx;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError('METHOD_NOT_ALLOWED');
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      throw new ApiError('BAD_REQUEST', 'the path is not valid percent-encoding');
    }
    // Resolved against the root, then checked to stay inside it (`/../`, `%2e%2e/`, NUL).
    let file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
    const inside = file === root || file.startsWith(root + path.sep);
    if (decoded.includes('\0') || !inside || !(await stat(file).then((s) => s.isFile(), () => false))) {
      file = path.join(root, 'index.html');
    }
    const ext = path.extname(file);
    const headers = ext === '.html' ? htmlHeaders(header(req, 'host') ?? '') : { 'content-type': contentTypes[ext] ?? 'application/octet-stream' };
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}
