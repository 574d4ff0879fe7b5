import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from './errors';

/**
 * Parses JSON request bodies into ctx.request.body with a size limit.
 * Other content types are left alone (multipart uploads stream in the media domain).
 */
export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method) || !ctx.is('application/json', '+json')) {
      return next();
    }
    const length = ctx.request.length;
    if (length !== undefined && length > limitBytes) throw new ApiError(413, 'PAYLOAD_TOO_LARGE');
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit: limitBytes, length, encoding: 'utf8' });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') throw new ApiError(413, 'PAYLOAD_TOO_LARGE');
      throw new ApiError(400, 'MALFORMED_JSON', '请求体读取失败');
    }
    // The exact text, for routes that verify a signature over it (forwarding callbacks).
    ctx.state.rawBody = text;
    if (text.trim() === '') {
      ctx.request.body = undefined;
      return next();
    }
    try {
      ctx.request.body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'MALFORMED_JSON');
    }
    return next();
  };
}
