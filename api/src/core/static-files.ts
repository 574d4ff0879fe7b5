import type { ServerResponse } from 'node:http';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { send } from '@koa/send';
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

const INDEX = 'index.html';
/** Build output named by its content (`app.67bee5a3.css`): a new build gets a new name, so caches may keep it for good. */
const CONTENT_HASHED = /\.[0-9a-f]{8,}\./;

function cacheControlFor(file: string, hashedDir: string | undefined): string {
  const name = path.basename(file);
  // The page names the current assets: always asked again (a 304 while unchanged), so a deploy shows at once.
  if (name === INDEX) return 'no-cache';
  if (CONTENT_HASHED.test(name)) return 'public, max-age=31536000, immutable';
  if (hashedDir && file.startsWith(hashedDir + path.sep)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=604800';
}

/** Validators from the file's size and time (as `send` and `serve-static` make them): weak, cheap, changed by any rewrite. */
function fileHeaders(hashedDir?: string) {
  return (res: ServerResponse, file: string, stats: Stats): void => {
    res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', cacheControlFor(file, hashedDir));
    res.setHeader('ETag', `W/"${stats.size.toString(16)}-${stats.mtime.getTime().toString(16)}"`);
  };
}

export interface StaticSiteOptions {
  /**
   * A folder of the build whose every file has its content hash in its name (Vite's
   * `assets/`, named `index-BxYz12Ab.js`: base64url hashes the hex pattern cannot tell from words).
   */
  hashedDir?: string;
}

/**
 * Serves a built single-page site from `rootDir` under `prefix` (the H5 app at /app/; a
 * staff console can be a second mount): `prefix` redirects to `prefix/`, which is
 * index.html (hash routers, so every page is that one file). A repeat request gets 304
 * (ETag, Last-Modified); compression is the app-wide middleware's. Anything not a file
 * inside the root — a missing file, a directory, a dotfile, `..` or an undecodable path —
 * is left to the routes after this one (which answer 404), as it always was.
 */
export function serveStaticSite(prefix: string, rootDir: string, options: StaticSiteOptions = {}): Middleware {
  const root = path.resolve(rootDir);
  const setFileHeaders = fileHeaders(options.hashedDir ? path.join(root, options.hashedDir) : undefined);
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === prefix) return ctx.redirect(`${prefix}/`);
    if (!ctx.path.startsWith(`${prefix}/`)) return next();

    const relative = ctx.path.slice(prefix.length + 1) || INDEX;
    let sent: string | undefined;
    try {
      // `send` decodes the path, refuses one leaving the root (resolve-path) and hidden files.
      sent = await send(ctx, relative, { root, format: false, hidden: false, gzip: false, brotli: false, setHeaders: setFileHeaders });
    } catch {
      sent = undefined;
    }
    if (!sent) return next();
    ctx.status = 200;
    if (ctx.fresh) ctx.status = 304;
  };
}

/**
 * A single-page site with a history router (the staff console at /console/): its files as
 * serveStaticSite serves them, and every other page path under `prefix` (one without a file
 * extension, asked for by a browser wanting HTML) answered with index.html, so a reload or a
 * bookmarked `/console/cases/…` opens the app, which then shows the page.
 */
export function serveSinglePageApp(prefix: string, rootDir: string, options: StaticSiteOptions = {}): Middleware {
  const site = serveStaticSite(prefix, rootDir, options);
  const root = path.resolve(rootDir);
  const setFileHeaders = fileHeaders();
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    // Every API request passes here: outside the prefix the site has nothing to do.
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    let passed = false;
    await site(ctx, async () => {
      passed = true;
    });
    if (!passed) return;
    const page = ctx.path.slice(prefix.length + 1);
    const isPagePath = ctx.path.startsWith(`${prefix}/`) && !path.extname(page) && !page.split('/').some((part) => part.startsWith('.'));
    if (!isPagePath || !ctx.accepts('html')) return next();
    let sent: string | undefined;
    try {
      sent = await send(ctx, INDEX, { root, format: false, hidden: false, gzip: false, brotli: false, setHeaders: setFileHeaders });
    } catch {
      sent = undefined;
    }
    if (!sent) return next();
    ctx.status = 200;
    if (ctx.fresh) ctx.status = 304;
  };
}

/** The H5 app under `prefix`, and the bare host sent to it. */
export function serveH5(prefix: string, rootDir: string): Middleware {
  const site = serveStaticSite(prefix, rootDir);
  return async (ctx, next) => {
    if (ctx.path === '/' && (ctx.method === 'GET' || ctx.method === 'HEAD')) return ctx.redirect(`${prefix}/`);
    return site(ctx, next);
  };
}
