/**
 * The smallest middleware chain that does the job: each part is `(ctx, next)`, run in the
 * order index.ts lists them (after connect/vite). A part answers, throws an ApiError, or
 * calls next().
 *
 *   request ──errors──▶ headers ──Host──▶ Origin ──token──▶ learner ──▶ JSON body ──▶ API | static files
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './errors.js';
import type { Caller } from './learners.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Parsed JSON body of a POST (jsonBody.ts); `{}` when it had none. */
  body: unknown;
  /** Path parameters a route matched (`:id`). */
  params: Record<string, string>;
  /** Who asks (learners.ts): set after the token check, `nobody` before it. */
  caller: Caller;
}

export type Next = () => Promise<void>;
export type Middleware = (ctx: RequestContext, next: Next) => Promise<void> | void;

export function compose(parts: readonly Middleware[]): (ctx: RequestContext) => Promise<void> {
  return (ctx) => {
    const run = async (i: number): Promise<void> => {
      const part = parts[i];
      if (part) await part(ctx, () => run(i + 1));
    };
    return run(0);
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendApiError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, error.toJSON(), { 'cache-control': 'no-store' });
}

/** A header's single value (Node joins most repeated headers; some arrive as arrays). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
