import { describe, expect, it } from 'vitest';
import { errorHandler } from './errorHandler.js';
import { ApiError, apiErrors, toApiError } from './errors.js';
import type { RequestContext } from './http.js';

function fakeContext() {
  const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    headersSent: false,
    setHeader() {},
    writeHead(status: number, headers: Record<string, unknown>) {
      sent.status = status;
      sent.headers = headers;
      return this;
    },
    end(body: string) {
      sent.body = body;
    },
  };
  return { ctx: { res } as unknown as RequestContext, sent };
}

describe('API errors', () => {
  it('joins the cause onto the fixed message in the wire shape', () => {
    expect(new ApiError('LAB_NOT_FOUND', '"x"').toJSON()).toEqual({ error: { code: 'LAB_NOT_FOUND', message: `${apiErrors.LAB_NOT_FOUND.message}: "x"` } });
  });

  it('gives each code the status of the table', () => {
    expect(new ApiError('SANDBOX_NOT_FOUND').status).toBe(404);
    expect(new ApiError('ALREADY_ANSWERED').status).toBe(409);
    expect(new ApiError('PAYLOAD_TOO_LARGE').status).toBe(413);
  });

  it('turns an untyped error into INTERNAL, logs it, and keeps its message off the wire', async () => {
    const logged: unknown[] = [];
    const { ctx, sent } = fakeContext();
    await errorHandler({ error: (_m, e) => void logged.push(e) })(ctx, () => Promise.reject(new Error('/home/secret/path')));
    expect(sent.status).toBe(500);
    expect(JSON.parse(sent.body!)).toEqual({ error: { code: 'INTERNAL', message: apiErrors.INTERNAL.message } });
    expect(logged).toHaveLength(1);
  });

  it('passes an ApiError through without logging it', () => {
    const logged: unknown[] = [];
    const error = new ApiError('BAD_REQUEST', 'x');
    expect(toApiError(error, { error: (_m, e) => void logged.push(e) })).toBe(error);
    expect(logged).toEqual([]);
  });
});
