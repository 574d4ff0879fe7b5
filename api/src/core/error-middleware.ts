import type { Middleware } from 'koa';
import { friendlyMessage } from '@ssp/shared';
import { ApiError } from './errors';
import { isDuplicateKeyError } from '../db';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

const DATABASE_DOWN_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * A connection dropped under a socket write. The driver passes these on raw when a large
 * write (a grouped insert) waits for the socket to drain and the server goes away meanwhile.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT']);

function isDatabaseDown(err: unknown): boolean {
  const {
    name = '',
    message = '',
    code,
    syscall,
    errorResponse,
  } = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: unknown;
    syscall?: unknown;
    errorResponse?: unknown;
  };
  if (typeof syscall === 'string' && typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  // A bulk write's error around the driver error that stopped it (a lost connection).
  if (errorResponse instanceof Error) return isDatabaseDown(errorResponse);
  return DATABASE_DOWN_ERRORS.has(name) || /Client must be connected|connection .* closed|buffering timed out/i.test(message);
}

/** Translates any thrown error into the one error envelope, the status it deserves, and a log line. */
function toApiError(err: unknown): { apiError: ApiError; unexpected: boolean } {
  if (err instanceof ApiError) return { apiError: err, unexpected: false };
  if (isDatabaseDown(err)) {
    return {
      apiError: new ApiError(503, 'SERVICE_UNAVAILABLE', undefined, undefined, { 'Retry-After': '5' }),
      unexpected: false,
    };
  }
  if (isDuplicateKeyError(err)) return { apiError: new ApiError(409, 'CONFLICT'), unexpected: false };

  const httpErr = err as HttpLikeError;
  const status = httpErr?.status ?? httpErr?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (httpErr.type === 'entity.parse.failed' || httpErr.type === 'malformed.json') {
      return { apiError: new ApiError(400, 'MALFORMED_JSON'), unexpected: false };
    }
    if (status === 413) return { apiError: new ApiError(413, 'PAYLOAD_TOO_LARGE'), unexpected: false };
    if (status === 415) return { apiError: new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE'), unexpected: false };
    if (status === 404) return { apiError: new ApiError(404, 'NOT_FOUND'), unexpected: false };
    if (status === 405) return { apiError: new ApiError(405, 'METHOD_NOT_ALLOWED', undefined, undefined, httpErr.headers), unexpected: false };
    if (status === 401) return { apiError: new ApiError(401, 'UNAUTHENTICATED'), unexpected: false };
    if (status === 403) return { apiError: new ApiError(403, 'FORBIDDEN'), unexpected: false };
    return { apiError: new ApiError(status, 'BAD_REQUEST', friendlyMessage('VALIDATION_FAILED')), unexpected: false };
  }
  return { apiError: new ApiError(500, 'INTERNAL'), unexpected: true };
}

/**
 * The outermost API middleware: every failure, and every route nobody answered,
 * leaves as `{ error: { code, message, details } }`. 5xx bodies carry no internals.
 */
export function errorMiddleware(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new ApiError(404, 'NOT_FOUND');
        // The router answers these itself (with Allow) but without a body.
        if (ctx.status === 405) throw new ApiError(405, 'METHOD_NOT_ALLOWED');
        if (ctx.status === 501) throw new ApiError(501, 'METHOD_NOT_ALLOWED', '不支持该请求方法');
      }
    } catch (err) {
      const { apiError, unexpected } = toApiError(err);
      const log = ctx.state.log ?? console;
      if (unexpected) log.error({ err }, 'unhandled error');
      else if (apiError.status >= 500) log.warn({ code: apiError.code, cause: (err as Error)?.message }, 'service unavailable');
      ctx.status = apiError.status;
      if (apiError.headers) ctx.set(apiError.headers);
      ctx.body = {
        error: {
          code: apiError.code,
          message: apiError.message,
          ...(apiError.details?.length ? { details: apiError.details } : {}),
        },
      };
    }
  };
}
