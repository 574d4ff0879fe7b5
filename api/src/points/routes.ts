import Router from '@koa/router';
import type { Context } from 'koa';
import {
  claimExportQuerySchema,
  claimListQuerySchema,
  createClaimSchema,
  failClaimSchema,
  fulfilClaimSchema,
  leaderboardQuerySchema,
  pointsAdjustmentSchema,
  pointsHistoryQuerySchema,
  pointsPreferencesSchema,
  rewardIdSchema,
  rewardInputSchema,
} from '@ssp/shared';
import { z } from 'zod';
import { citizenId, principalOf, requireCitizen, requireStaff } from '../auth/middleware';
import type { Principal } from '../auth/tokens';
import { parseInput } from '../core/errors';
import type { Services } from '../services';

const claimStaff = requireStaff('admin', 'publicity');
const adminOnly = requireStaff('admin');
const myClaimsQuerySchema = claimListQuerySchema.omit({ status: true });

/** The signed-in citizen, if any (public pages show the caller's own rank). */
function optionalCitizen(ctx: Context): string | null {
  const principal = ctx.state.principal as Principal | undefined;
  return principal?.kind === 'citizen' ? principal.userId : null;
}

export function pointsRoutes({ points }: Services): Router {
  const router = new Router();
  const rewards = points.rewards;

  // ---- citizens

  router.get('/me/points', requireCitizen, async (ctx) => {
    ctx.body = await points.myPoints(citizenId(ctx));
  });

  router.get('/me/points/history', requireCitizen, async (ctx) => {
    ctx.body = await points.history(citizenId(ctx), parseInput(pointsHistoryQuerySchema, ctx.query));
  });

  router.put('/me/points/preferences', requireCitizen, async (ctx) => {
    const { anonymous } = parseInput(pointsPreferencesSchema, ctx.request.body);
    ctx.body = await points.setPreferences(citizenId(ctx), anonymous);
  });

  router.get('/rewards', async (ctx) => {
    ctx.body = { items: await rewards.listActive() };
  });

  router.post('/rewards/:id/claims', requireCitizen, async (ctx) => {
    const rewardId = parseInput(rewardIdSchema, ctx.params.id, 'id');
    const { clientRequestId } = parseInput(createClaimSchema, ctx.request.body ?? {});
    const { created, claim } = await rewards.claim(citizenId(ctx), rewardId, clientRequestId);
    ctx.status = created ? 201 : 200;
    ctx.body = claim;
  });

  router.get('/me/claims', requireCitizen, async (ctx) => {
    ctx.body = await rewards.listMine(citizenId(ctx), parseInput(myClaimsQuerySchema, ctx.query));
  });

  router.get('/leaderboard', async (ctx) => {
    ctx.body = await points.leaderboard(parseInput(leaderboardQuerySchema, ctx.query), optionalCitizen(ctx));
  });

  // ---- staff

  router.post('/admin/points/adjustments', adminOnly, async (ctx) => {
    const input = parseInput(pointsAdjustmentSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = await points.adjust(principalOf(ctx).userId, input);
  });

  router.get('/admin/points/citizens/:id/history', adminOnly, async (ctx) => {
    const id = parseInput(z.string().regex(/^[a-f0-9]{24}$/, 'must be an id'), ctx.params.id, 'id');
    ctx.body = await points.history(id, parseInput(pointsHistoryQuerySchema, ctx.query));
  });

  router.get('/admin/rewards', claimStaff, async (ctx) => {
    ctx.body = { items: await rewards.listAll() };
  });

  router.put('/admin/rewards/:id', adminOnly, async (ctx) => {
    const id = parseInput(rewardIdSchema, ctx.params.id, 'id');
    ctx.body = await rewards.upsertReward(id, parseInput(rewardInputSchema, ctx.request.body));
  });

  router.get('/admin/claims', claimStaff, async (ctx) => {
    ctx.body = await rewards.listForStaff(parseInput(claimListQuerySchema, ctx.query));
  });

  router.get('/admin/claims/export.csv', claimStaff, async (ctx) => {
    const { status } = parseInput(claimExportQuerySchema, ctx.query);
    const principal = principalOf(ctx);
    const withFullPhone = principal.kind === 'staff' && principal.role === 'admin';
    ctx.set('Content-Disposition', `attachment; filename="claims-${status}.csv"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = await rewards.exportCsv(status, withFullPhone);
  });

  router.post('/admin/claims/:id/fulfil', claimStaff, async (ctx) => {
    const { code } = parseInput(fulfilClaimSchema, ctx.request.body);
    ctx.body = await rewards.fulfil(ctx.params.id!, code, principalOf(ctx).userId);
  });

  router.post('/admin/claims/:id/fail', claimStaff, async (ctx) => {
    const { reason } = parseInput(failClaimSchema, ctx.request.body);
    ctx.body = await rewards.fail(ctx.params.id!, reason, principalOf(ctx).userId);
  });

  return router;
}
