import Router from '@koa/router';
import type { Context } from 'koa';
import { caseQueueQuerySchema, staffActionSchema } from '@ssp/shared';
import { principalOf, requireStaff } from '../auth/middleware';
import type { Principal } from '../auth/tokens';
import { parseInput } from '../core/errors';
import type { Services } from '../services';

const caseStaff = requireStaff('operator', 'dispatcher', 'department', 'supervisor');

function staffPrincipal(ctx: Context) {
  return principalOf(ctx) as Extract<Principal, { kind: 'staff' }>;
}

/** The dispatch desk and department workbench: queues, case detail and actions. */
export function caseRoutes({ cases }: Services): Router {
  const router = new Router();

  router.get('/staff/cases', caseStaff, async (ctx) => {
    ctx.body = await cases.queue(staffPrincipal(ctx), parseInput(caseQueueQuerySchema, ctx.query));
  });

  router.get('/staff/cases/:id', caseStaff, async (ctx) => {
    ctx.body = await cases.detail(staffPrincipal(ctx), ctx.params.id!);
  });

  router.post('/staff/cases/:id/actions', caseStaff, async (ctx) => {
    ctx.body = await cases.act(staffPrincipal(ctx), ctx.params.id!, parseInput(staffActionSchema, ctx.request.body));
  });

  return router;
}
