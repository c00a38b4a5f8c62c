/**
 * The local web server, composed in order: Host check → token → JSON API → static files.
 *
 *   browser ──Host/token checks──▶ /api/* (labs) | the built web app (dist/web)
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isAllowedHost } from './hostCheck.js';
import { serveStatic } from './staticFiles.js';
import { cookieValue, tokenCookie, tokenMatches } from './token.js';

export interface AppOptions {
  host: string;
  port: number;
  token: string;
  webRoot: string;
  /** The catalogue as the browser may see it (no answers). */
  listLabs(): Promise<unknown[]>;
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

export function createAppServer(options: AppOptions): http.Server {
  if (!existsSync(path.join(options.webRoot, 'index.html'))) {
    throw new TypeError(`the web app is not built at ${options.webRoot}; run \`npm run build\``);
  }
  return http.createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, options.host)) {
      return sendError(res, 403, 'HOST_NOT_ALLOWED', 'this server answers only to localhost names');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (tokenMatches(options.token, queryToken)) {
      url.searchParams.delete('token');
      res.writeHead(302, {
        location: url.pathname + url.search,
        'set-cookie': `${tokenCookie}=${options.token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return res.end();
    }
    if (!tokenMatches(options.token, cookieValue(req.headers.cookie, tokenCookie))) {
      return sendError(res, 401, 'TOKEN_REQUIRED', 'open the URL printed by `mtls-lab serve` (it carries the token)');
    }
    if (url.pathname === '/api/labs') {
      return void options.listLabs().then(
        (labs) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(labs));
        },
        (error: unknown) => sendError(res, 500, 'INTERNAL', String(error)),
      );
    }
    void serveStatic(options.webRoot, url.pathname, res);
  });
}
