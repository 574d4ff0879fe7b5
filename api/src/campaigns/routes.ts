import Router from '@koa/router';
import type { Context } from 'koa';
import {
  campaignSubscriptionSchema,
  createCampaignSchema,
  endCampaignSchema,
  publishCampaignSchema,
  unpublishCampaignSchema,
  updateCampaignSchema,
} from '@ssp/shared';
import { citizenId, principalOf, requireCitizen, requireStaff } from '../auth/middleware';
import { parseInput } from '../core/errors';
import type { Services } from '../services';

const campaignStaff = requireStaff('publicity', 'admin');

const staffId = (ctx: Context) => principalOf(ctx).userId;
/** Lifecycle actions may come without a body. */
const bodyOf = (ctx: Context) => ctx.request.body ?? {};

/** Publicity staff's campaign editor and results; citizens' campaign pages and reminders. */
export function campaignRoutes({ campaigns }: Services): Router {
  const router = new Router();

  router.post('/admin/campaigns', campaignStaff, async (ctx) => {
    ctx.status = 201;
    ctx.body = await campaigns.create(staffId(ctx), parseInput(createCampaignSchema, ctx.request.body));
  });

  router.get('/admin/campaigns', campaignStaff, async (ctx) => {
    ctx.body = await campaigns.list();
  });

  router.get('/admin/campaigns/:id', campaignStaff, async (ctx) => {
    ctx.body = await campaigns.adminDetail(ctx.params.id!);
  });

  router.patch('/admin/campaigns/:id', campaignStaff, async (ctx) => {
    ctx.body = await campaigns.update(staffId(ctx), ctx.params.id!, parseInput(updateCampaignSchema, ctx.request.body));
  });

  router.get('/admin/campaigns/:id/preview', campaignStaff, async (ctx) => {
    ctx.body = await campaigns.preview(ctx.params.id!);
  });

  router.post('/admin/campaigns/:id/publish', campaignStaff, async (ctx) => {
    const { version } = parseInput(publishCampaignSchema, bodyOf(ctx));
    ctx.body = await campaigns.publish(staffId(ctx), ctx.params.id!, version);
  });

  router.post('/admin/campaigns/:id/unpublish', campaignStaff, async (ctx) => {
    const { version, reason } = parseInput(unpublishCampaignSchema, bodyOf(ctx));
    ctx.body = await campaigns.unpublish(staffId(ctx), ctx.params.id!, reason, version);
  });

  router.post('/admin/campaigns/:id/end', campaignStaff, async (ctx) => {
    const { version, reason } = parseInput(endCampaignSchema, bodyOf(ctx));
    ctx.body = await campaigns.end(staffId(ctx), ctx.params.id!, reason ?? null, version);
  });

  router.get('/admin/campaigns/:id/results', campaignStaff, async (ctx) => {
    ctx.body = await campaigns.results(ctx.params.id!);
  });

  router.get('/admin/campaigns/:id/results.csv', campaignStaff, async (ctx) => {
    const csv = await campaigns.resultsCsv(ctx.params.id!);
    ctx.set('Content-Disposition', `attachment; filename="campaign-${ctx.params.id}-results.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = csv;
  });

  router.get('/campaigns', async (ctx) => {
    ctx.body = await campaigns.publicList();
  });

  router.get('/campaigns/:id', async (ctx) => {
    ctx.body = await campaigns.publicDetail(ctx.params.id!);
  });

  router.get('/me/campaign-subscriptions', requireCitizen, async (ctx) => {
    ctx.body = await campaigns.subscriptions(citizenId(ctx));
  });

  router.post('/me/campaign-subscriptions', requireCitizen, async (ctx) => {
    const { districtId } = parseInput(campaignSubscriptionSchema, ctx.request.body);
    ctx.body = await campaigns.subscribe(citizenId(ctx), districtId);
  });

  router.delete('/me/campaign-subscriptions/:districtId', requireCitizen, async (ctx) => {
    ctx.body = await campaigns.unsubscribe(citizenId(ctx), ctx.params.districtId!);
  });

  return router;
}
