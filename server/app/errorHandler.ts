/** The first part of the chain: whatever a later part throws becomes the error wire shape. */
import { toApiError, type ErrorLogger } from './errors.js';
import { sendApiError, type Middleware } from './http.js';

export function errorHandler(logger: ErrorLogger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const error = toApiError(thrown, logger);
      // The rest of an over-long body is never read: close the connection after the answer.
      if (error.code === 'PAYLOAD_TOO_LARGE') ctx.res.setHeader('connection', 'close');
      sendApiError(ctx.res, error);
    }
  };
}
