import zlib from 'node:zlib';
import compressible from 'compressible';
import compress from 'koa-compress';
import type { Context, Middleware } from 'koa';

/** Below this a body goes as it is (it fits one packet either way). */
const MIN_BYTES = 1024;
/** Up to this a body is compressed in one synchronous call (~40 µs for 2 KB, ~1 ms for 64 KB). */
const MAX_SYNC_BYTES = 64 * 1024;
const BROTLI = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };
const NO_BODY_STATUSES = new Set([204, 205, 304]);

type Coding = 'br' | 'gzip';

/**
 * Response compression, gzip or brotli as the client accepts, for text above 1 KB. Most
 * answers are JSON of a few KB (a case, a page of a list): those are compressed in one
 * synchronous call, because koa-compress's zlib streams add 1–3 ms to each answer (a trip
 * through libuv's thread pool and chunked writes). Streams and larger bodies (files,
 * exports) still go through koa-compress, which does not block the event loop on them.
 */
export function compression(): Middleware {
  const streaming = compress({ threshold: MIN_BYTES, deflate: false, zstd: false });
  return (ctx, next) =>
    streaming(ctx, async () => {
      await next();
      compressSmallBody(ctx);
    });
}

function compressSmallBody(ctx: Context): void {
  const body = ctx.body;
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size < MIN_BYTES || size > MAX_SYNC_BYTES) return;
  if (ctx.method === 'HEAD' || NO_BODY_STATUSES.has(ctx.status) || ctx.status === 206) return;
  if (ctx.response.get('Content-Encoding') || !compressible(ctx.response.type)) return;
  if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(ctx.response.get('Cache-Control'))) return;
  const coding = acceptedCoding(ctx.get('accept-encoding'));
  if (!coding) return;
  // Koa keeps the Content-Type already set and sets the new Content-Length.
  ctx.body = coding === 'br' ? zlib.brotliCompressSync(body, BROTLI) : zlib.gzipSync(body);
  ctx.set('Content-Encoding', coding);
}

/**
 * The coding the client accepts with the highest weight, brotli before gzip on a tie;
 * null for none (a missing header means identity, as koa-compress treats it).
 */
export function acceptedCoding(header: string | undefined): Coding | null {
  if (!header) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.toLowerCase().split(';');
    const name = rawName!.trim();
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: Coding) => weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  if (br <= 0 && gzip <= 0) return null;
  return br >= gzip ? 'br' : 'gzip';
}
