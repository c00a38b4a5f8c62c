/**
 * Request bodies: JSON only, capped. A POST must say `Content-Type: application/json` when it
 * has a body — which also keeps out HTML forms, the one cross-site POST a browser sends
 * without asking (CORS "simple requests" allow only form and text types).
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import { header, type Middleware } from './http.js';

const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonBody(maxBytes: number): Middleware {
  return async (ctx, next) => {
    const { req } = ctx;
    ctx.body = {};
    if (!bodyMethods.has(req.method ?? 'GET')) return next();
    const declared = header(req, 'content-length');
    if (declared !== undefined && Number(declared) > maxBytes) {
      throw new ApiError('PAYLOAD_TOO_LARGE', `${declared} bytes; the limit is ${maxBytes}`);
    }
    const text = await readCapped(req, maxBytes);
    if (text.length === 0) return next();
    const type = header(req, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `got "${type || 'no Content-Type'}"`);
    try {
      ctx.body = JSON.parse(text);
    } catch (error) {
      throw new ApiError('BAD_REQUEST', `the body is not JSON (${(error as Error).message})`);
    }
    return next();
  };
}

/** Reads the body up to `maxBytes`; past it, stops reading (not destroying: the 413 must still go out). */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        reject(new ApiError('PAYLOAD_TOO_LARGE', `more than ${maxBytes} bytes`));
      } else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new ApiError('BAD_REQUEST', `the body could not be read (${error.message})`));
    };
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
