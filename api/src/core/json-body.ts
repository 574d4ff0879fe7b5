import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { ApiError, UNREAD_BODY } from './errors';

/** A refusal before the body was read closes the connection rather than drain an unbounded rest. */
const CLOSE = { Connection: 'close' };

/**
 * Parses JSON request bodies into ctx.request.body with a size limit. The text must be
 * valid UTF-8 (a leading BOM is dropped); JSON.parse semantics otherwise, so of duplicate
 * keys the last wins, and numbers beyond double range become Infinity (which no schema
 * takes). A non-empty body of another type is left unread and marked UNREAD_BODY:
 * parseInput answers it with 415, while routes that read such bodies themselves
 * (multipart uploads, Open311 forms, signed callbacks) do so. No body at all (e.g.
 * POST …/withdraw, or an empty body sent as JSON) stays undefined.
 */
export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    if (!ctx.is('application/json', '+json')) {
      if ((ctx.request.length ?? 0) > 0 || ctx.get('transfer-encoding') !== '') ctx.request.body = UNREAD_BODY;
      return next();
    }
    const length = ctx.request.length;
    if (length !== undefined && length > limitBytes) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', undefined, undefined, CLOSE);
    let bytes: Buffer;
    try {
      bytes = await getRawBody(ctx.req, { limit: limitBytes, length });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') throw new ApiError(413, 'PAYLOAD_TOO_LARGE', undefined, undefined, CLOSE);
      throw new ApiError(400, 'MALFORMED_JSON', '请求体读取失败');
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ApiError(400, 'MALFORMED_JSON', '请求内容不是有效的 UTF-8 文本');
    }
    // The exact text, for routes that verify a signature over it (forwarding callbacks).
    ctx.state.rawBody = text;
    // Only a truly empty body is "no body"; whitespace alone is not JSON.
    if (text === '') {
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
