import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { StaffRole } from '@ssp/shared';
import { ApiError } from '../core/errors';

/** Who is calling, as the access token says. */
export type Principal = { kind: 'citizen'; userId: string } | { kind: 'staff'; userId: string; role: StaffRole; departmentId?: string };

interface AccessClaims {
  sub: string;
  typ: 'citizen' | 'staff';
  role?: StaffRole;
  dept?: string;
}

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'suishoupai';

/**
 * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to parse it
 * as a PEM public (verify) or private (sign) key and only then takes it as an HMAC secret:
 * that failed parse cost ~0.4 ms on every request with a token; a KeyObject costs ~8 µs.
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export function signAccessToken(secret: string, principal: Principal, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): string {
  const claims: AccessClaims =
    principal.kind === 'citizen'
      ? { sub: principal.userId, typ: 'citizen' }
      : { sub: principal.userId, typ: 'staff', role: principal.role, dept: principal.departmentId };
  return jwt.sign(claims, keyOf(secret), { algorithm: 'HS256', expiresIn: ttlSeconds, issuer: ISSUER });
}

/**
 * Tokens already verified, so a caller's every request does not redo the HMAC and JSON
 * parse (~50 µs): token → its principal and exp. Access tokens are stateless (nothing
 * revokes one before its exp), so a cached answer is the one verification would give
 * until then; past exp the token is verified again and refused as expired. Only tokens
 * with an exp and no nbf are kept; at most VERIFIED_MAX, the oldest dropped first.
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<string, { secret: string; principal: Principal; exp: number }>();

export function verifyAccessToken(secret: string, token: string): Principal {
  const hit = verified.get(token);
  // The same clock and comparison as jsonwebtoken's expiry check.
  if (hit && hit.secret === secret && Math.floor(Date.now() / 1000) < hit.exp) return { ...hit.principal };
  let claims: AccessClaims & { exp?: number; nbf?: number };
  try {
    claims = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], issuer: ISSUER }) as AccessClaims;
  } catch (err) {
    if ((err as Error).name === 'TokenExpiredError') throw new ApiError(401, 'TOKEN_EXPIRED');
    throw new ApiError(401, 'UNAUTHENTICATED', '登录凭证无效，请重新登录');
  }
  const principal = principalOf(claims);
  if (typeof claims.exp === 'number' && claims.nbf === undefined) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { secret, principal, exp: claims.exp });
  }
  return { ...principal };
}

function principalOf(claims: AccessClaims): Principal {
  if (claims.typ === 'citizen' && typeof claims.sub === 'string') return { kind: 'citizen', userId: claims.sub };
  if (claims.typ === 'staff' && typeof claims.sub === 'string' && claims.role) {
    return { kind: 'staff', userId: claims.sub, role: claims.role, departmentId: claims.dept };
  }
  throw new ApiError(401, 'UNAUTHENTICATED', '登录凭证无效，请重新登录');
}

/** How many verified tokens are kept (tests). */
export function verifiedTokenCount(): number {
  return verified.size;
}
