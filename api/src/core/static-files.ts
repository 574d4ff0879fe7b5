import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the built H5 app under `prefix` (hash router, so every page is index.html).
 * Hashed assets are cached long; index.html never, so a deploy shows at once.
 */
export function serveH5(prefix: string, rootDir: string): Middleware {
  const root = path.resolve(rootDir);
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' ) return ctx.redirect(`${prefix}/`);
    if (ctx.path === prefix) return ctx.redirect(`${prefix}/`);
    if (!ctx.path.startsWith(`${prefix}/`)) return next();

    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path.slice(prefix.length + 1)) || 'index.html';
    } catch {
      return next();
    }
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep)) return next();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return next();

    ctx.type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    ctx.length = info.size;
    ctx.lastModified = info.mtime;
    ctx.set('Cache-Control', relative === 'index.html' ? 'no-cache' : 'public, max-age=604800');
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
  };
}
