import Router from '@koa/router';
import type { Context } from 'koa';
import { principalOf } from '../auth/middleware';
import { ApiError, notFound } from '../core/errors';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';
import { ownerOf, type ImageVariant } from './service';

/** Stored images never change under an id (content-addressed blobs), so caches may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function mediaRoutes(services: Services): Router {
  const router = new Router();
  // Each upload is stored and decoded: a signed-in user may send only so many a minute.
  const uploads = rateLimit(services.rateLimits, {
    name: 'media-upload',
    limit: services.ctx.config.rateLimits.mediaUploadsPerUser,
    key: (ctx) => {
      const owner = ownerOf(principalOf(ctx));
      return `${owner.kind}:${owner.id}`;
    },
  });

  router.post('/media', uploads, async (ctx) => {
    const owner = ownerOf(principalOf(ctx));
    if (!ctx.is('multipart/form-data')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', '请使用 multipart/form-data 上传照片');
    }
    ctx.body = await services.media.upload(ctx.req, owner);
    ctx.status = 201;
  });

  // Capability URLs: no auth, so the mini-program's <Image> can load them; the id is unguessable.
  const serve = (variant: ImageVariant) => async (ctx: Context) => {
    const image = await services.media.readImage(String(ctx.params.id), variant);
    if (!image) throw notFound('照片不存在');
    ctx.status = 200;
    ctx.type = 'image/jpeg';
    ctx.etag = image.etag;
    ctx.set('Cache-Control', IMMUTABLE);
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = image.data;
  };
  router.get('/media/:id', serve('display'));
  router.get('/media/:id/thumb', serve('thumb'));

  return router;
}
