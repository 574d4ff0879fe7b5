import type { Context, Middleware, Next } from 'koa';
import type { StaffRole } from '@ssp/shared';
import { ApiError } from '../core/errors';
import { verifyAccessToken, type Principal } from './tokens';

/** Reads an optional bearer token into ctx.state.principal; a bad token is a 401 even on public routes. */
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

export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (!principal) throw new ApiError(401, 'UNAUTHENTICATED');
  return principal;
}

export function citizenId(ctx: Context): string {
  const principal = principalOf(ctx);
  if (principal.kind !== 'citizen') throw new ApiError(403, 'FORBIDDEN', '仅限市民使用');
  return principal.userId;
}

/** Route guard: citizens only. */
export const requireCitizen: Middleware = async (ctx: Context, next: Next) => {
  citizenId(ctx);
  await next();
};

/** Route guard: staff with one of the roles (admin is not implied; list it where it may act). */
export function requireStaff(...roles: StaffRole[]): Middleware {
  return async (ctx, next) => {
    const principal = principalOf(ctx);
    if (principal.kind !== 'staff' || !roles.includes(principal.role)) {
      throw new ApiError(403, 'FORBIDDEN');
    }
    await next();
  };
}
