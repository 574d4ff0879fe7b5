import jwt from 'jsonwebtoken';
import type { StaffRole } from '@ssp/shared';
import { ApiError } from '../core/errors';

/** Who is calling, as the access token says. */
export type Principal =
  | { kind: 'citizen'; userId: string }
  | { kind: 'staff'; userId: string; role: StaffRole; departmentId?: string };

interface AccessClaims {
  sub: string;
  typ: 'citizen' | 'staff';
  role?: StaffRole;
  dept?: string;
}

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'suishoupai';

export function signAccessToken(secret: string, principal: Principal, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): string {
  const claims: AccessClaims =
    principal.kind === 'citizen'
      ? { sub: principal.userId, typ: 'citizen' }
      : { sub: principal.userId, typ: 'staff', role: principal.role, dept: principal.departmentId };
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: ttlSeconds, issuer: ISSUER });
}

export function verifyAccessToken(secret: string, token: string): Principal {
  let claims: AccessClaims;
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: ISSUER }) as AccessClaims;
  } catch (err) {
    if ((err as Error).name === 'TokenExpiredError') throw new ApiError(401, 'TOKEN_EXPIRED');
    throw new ApiError(401, 'UNAUTHENTICATED', '登录凭证无效，请重新登录');
  }
  if (claims.typ === 'citizen' && typeof claims.sub === 'string') return { kind: 'citizen', userId: claims.sub };
  if (claims.typ === 'staff' && typeof claims.sub === 'string' && claims.role) {
    return { kind: 'staff', userId: claims.sub, role: claims.role, departmentId: claims.dept };
  }
  throw new ApiError(401, 'UNAUTHENTICATED', '登录凭证无效，请重新登录');
}
