import Router from '@koa/router';
import type { Health, Readiness } from '@ssp/shared';
import { pingDatabase } from '../db';
import { ApiError } from '../core/errors';
import type { AppDeps } from '../app';

const startedAt = Date.now();

export function healthRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/healthz', (ctx) => {
    const body: Health = { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), version: deps.version };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (!(await pingDatabase(deps.db))) {
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', '数据库不可用', [{ field: 'database', issue: 'down' }]);
    }
    const body: Readiness = { status: 'ready', database: 'up' };
    ctx.body = body;
  });

  return router;
}
