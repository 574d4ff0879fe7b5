import Router from '@koa/router';
import { emptyBodySchema, FORWARD_HEADERS } from '@ssp/shared';
import { parseInput } from '../core/errors';
import { requireStaff } from '../auth/middleware';
import type { Services } from '../services';

/** Status callbacks from external platforms (signed, no login), the target list for desks, and the admin view. */
export function forwardingRoutes({ forwarding }: Services): Router {
  const router = new Router();

  router.post('/forwarding/callback', async (ctx) => {
    ctx.body = await forwarding.handleCallback({
      targetId: ctx.get(FORWARD_HEADERS.target) || undefined,
      timestamp: ctx.get(FORWARD_HEADERS.timestamp) || undefined,
      signature: ctx.get(FORWARD_HEADERS.signature) || undefined,
      rawBody: ctx.state.rawBody as string | undefined,
      body: ctx.request.body,
      log: ctx.state.log,
    });
  });

  router.get('/forwarding/targets', requireStaff('operator', 'dispatcher', 'admin'), (ctx) => {
    ctx.body = forwarding.targetList();
  });

  router.get('/admin/forwarding', requireStaff('admin'), async (ctx) => {
    ctx.body = await forwarding.adminView();
  });

  router.post('/admin/forwarding/retry-failed', requireStaff('admin'), async (ctx) => {
    parseInput(emptyBodySchema, ctx.request.body);
    ctx.body = { requeued: await forwarding.retryFailed() };
  });

  return router;
}
