import type { Middleware } from 'koa';
import { ApiError } from '../core/errors';
import { verifyAccessToken } from './tokens';

/**
 * Reads an optional bearer token into ctx.state.principal; a bad token is a 401 even on
 * public routes. Who may call what is the contract's access rule (core/operations.ts).
 */
export function authenticate(jwtSecret: string): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new ApiError(401, 'UNAUTHENTICATED', '登录凭证格式错误');
      ctx.state.principal = verifyAccessToken(jwtSecret, match[1]!);
    }
    await next();
  };
}
