import Router from '@koa/router';
import {
  createReportSchema,
  emptyBodySchema,
  myReportsQuerySchema,
  nearbyQuerySchema,
  notFixedSchema,
  rateReportSchema,
  updateReportSchema,
} from '@ssp/shared';
import { citizenId, requireCitizen } from '../auth/middleware';
import { parseInput } from '../core/errors';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';

export function reportRoutes({ reports, rateLimits, ctx: serviceCtx }: Services): Router {
  const router = new Router();
  // Nearby answers reveal where open cases are: no citizen may sweep the map.
  const nearbyLookups = rateLimit(rateLimits, { name: 'nearby', limit: serviceCtx.config.rateLimits.nearbyPerCitizen, key: citizenId });
  router.post('/reports', requireCitizen, async (ctx) => {
    const input = parseInput(createReportSchema, ctx.request.body);
    const { created, doc } = await reports.create(citizenId(ctx), input);
    ctx.status = created ? 201 : 200;
    ctx.body = await reports.detail(doc, 'reporter');
  });

  router.get('/reports/nearby', requireCitizen, nearbyLookups, async (ctx) => {
    const q = parseInput(nearbyQuerySchema, ctx.query);
    ctx.body = { items: await reports.nearby(citizenId(ctx), q.lat, q.lng, q.category) };
  });

  router.post('/reports/:id/support', requireCitizen, async (ctx) => {
    parseInput(emptyBodySchema, ctx.request.body);
    ctx.body = await reports.support(citizenId(ctx), ctx.params.id!);
  });

  router.get('/me/reports', requireCitizen, async (ctx) => {
    const q = parseInput(myReportsQuerySchema, ctx.query);
    ctx.body = await reports.listMine(citizenId(ctx), q);
  });

  router.get('/me/reports/:id', requireCitizen, async (ctx) => {
    ctx.body = await reports.detailFor(citizenId(ctx), ctx.params.id!);
  });

  router.patch('/me/reports/:id', requireCitizen, async (ctx) => {
    const { description } = parseInput(updateReportSchema, ctx.request.body);
    const doc = await reports.editDescription(citizenId(ctx), ctx.params.id!, description);
    ctx.body = await reports.detail(doc, 'reporter');
  });

  router.post('/me/reports/:id/withdraw', requireCitizen, async (ctx) => {
    parseInput(emptyBodySchema, ctx.request.body);
    const doc = await reports.withdraw(citizenId(ctx), ctx.params.id!);
    ctx.body = await reports.detail(doc, 'reporter');
  });

  router.post('/me/reports/:id/rating', requireCitizen, async (ctx) => {
    const { score, comment } = parseInput(rateReportSchema, ctx.request.body);
    const doc = await reports.rate(citizenId(ctx), ctx.params.id!, score, comment);
    ctx.body = await reports.detail(doc, 'reporter');
  });

  router.post('/me/reports/:id/not-fixed', requireCitizen, async (ctx) => {
    const { note } = parseInput(notFixedSchema, ctx.request.body);
    const doc = await reports.reportNotFixed(citizenId(ctx), ctx.params.id!, note);
    ctx.body = await reports.detail(doc, 'reporter');
  });

  router.post('/me/reports/:id/confirm', requireCitizen, async (ctx) => {
    parseInput(emptyBodySchema, ctx.request.body);
    const doc = await reports.confirmFixed(citizenId(ctx), ctx.params.id!);
    ctx.body = await reports.detail(doc, 'reporter');
  });

  return router;
}
