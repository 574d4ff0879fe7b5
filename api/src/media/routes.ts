import type { Context } from 'koa';
import type { Principal } from '../auth/tokens';
import { ApiError, notFound } from '../core/errors';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';
import { ownerOf, type ImageVariant } from './service';

/** Stored images never change under an id (content-addressed blobs), so caches may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Photo uploads (citizens and staff) and the capability URLs that serve them. */
export function mediaHandlers(services: Services): Handlers<OperationsOfTag<'media'>> {
  // Each upload is stored and decoded: a signed-in user may send only so many a minute.
  const limitUploads = rateLimit(services.rateLimits, {
    name: 'media-upload',
    limit: services.ctx.config.rateLimits.mediaUploadsPerUser,
    key: (ctx) => {
      const owner = ownerOf(ctx.state.caller as Principal);
      return `${owner.kind}:${owner.id}`;
    },
  });

  // Capability URLs: no auth, so the mini-program's <Image> can load them; the id is unguessable.
  const serve =
    (variant: ImageVariant) =>
    async ({ params, query }: { params: { id: string }; query: { review?: string } }, ctx: Context) => {
      const image = await services.media.readImage(params.id, variant, query.review);
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

  return {
    uploadPhotos: {
      use: [limitUploads],
      handle: async ({ caller }, ctx) => {
        if (!ctx.is('multipart/form-data')) {
          throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', '请使用 multipart/form-data 上传照片');
        }
        const owner = ownerOf(caller);
        const result = await services.media.upload(ctx.req, owner);
        // WeChat's image check of what citizens upload; the verdict is pushed to /wechat/push.
        if (owner.kind === 'citizen') await services.moderation.checkPhotos(owner.id, await services.media.getPhotos(result.photos.map((p) => p.id)));
        return result;
      },
    },
    wechatPushVerify: ({ query }, ctx) => {
      services.moderation.verifyPush(query);
      ctx.type = 'text/plain';
      ctx.body = query.echostr;
    },
    wechatPush: async ({ query }, ctx) => {
      services.moderation.verifyPush(query);
      await services.moderation.onMediaVerdict(ctx.request.body as Parameters<typeof services.moderation.onMediaVerdict>[0]);
      // WeChat expects "success" (anything else is retried).
      ctx.type = 'text/plain';
      ctx.body = 'success';
    },
    getPhoto: serve('display'),
    getPhotoThumb: serve('thumb'),
  };
}
