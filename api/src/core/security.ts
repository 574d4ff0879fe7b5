import type { Middleware } from 'koa';

/** API answers are data: they may load nothing (the docs page only its inline styles) and be framed by no one. */
const API_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
/** The H5 app under /app/ loads its own scripts; it only must not be framed. */
const APP_CSP = "frame-ancestors 'none'";
/**
 * The staff console under /console/: its own scripts only, Ant Design's runtime styles,
 * calls to this API only; images also from map tile servers (any host: the tile URL is
 * configurable) and previews of photos being uploaded (blob:, data:).
 */
const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; font-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

function contentSecurityPolicy(path: string): string {
  if (path.startsWith('/app/')) return APP_CSP;
  if (path === '/console' || path.startsWith('/console/')) return CONSOLE_CSP;
  return API_CSP;
}

/** Conservative security headers on every response. */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-site',
      // Browsers ignore it over plain HTTP (local use); behind the HTTPS proxy it pins HTTPS.
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'Content-Security-Policy': contentSecurityPolicy(ctx.path),
    });
    await next();
    // An answer to a signed-in caller is theirs alone: no browser or shared cache may keep it.
    if (ctx.get('authorization') && !ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
  };
}

/** CORS for an allowlist of origins only; everyone else gets no CORS headers. */
export function cors(allowedOrigins: string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    if (!origin || !allowed.has(origin)) return next();
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, ETag');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-Id, Idempotency-Key');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    return next();
  };
}
