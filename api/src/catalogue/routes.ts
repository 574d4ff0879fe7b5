import Router from '@koa/router';
import type { Context } from 'koa';
import { categoryQuerySchema, locateQuerySchema } from '@ssp/shared';
import { requireStaff } from '../auth/middleware';
import { ApiError, parseInput } from '../core/errors';
import type { Services } from '../services';

const requestBody = (ctx: Context) => (ctx.request as { body?: unknown }).body;

/**
 * Public reads of the city data (categories, departments, areas, the city) and the
 * admin endpoints that replace it. Admin PUT bodies have the data files' formats.
 */
export function catalogueRoutes(services: Services): Router {
  const { catalogue } = services;
  const router = new Router();
  const admin = requireStaff('admin');

  router.get('/categories', async (ctx) => {
    ctx.body = await catalogue.listCategories(parseInput(categoryQuerySchema, ctx.query));
  });

  router.get('/departments', async (ctx) => {
    const departments = await catalogue.listDepartments();
    ctx.body = { departments: departments.map(({ id, name, kind }) => ({ id, name, kind })) };
  });

  router.get('/city', async (ctx) => {
    ctx.body = await catalogue.getCity();
  });

  router.get('/areas', async (ctx) => {
    ctx.body = await catalogue.areaTree();
  });

  router.get('/areas/locate', async (ctx) => {
    const { lat, lng } = parseInput(locateQuerySchema, ctx.query);
    const place = await catalogue.locate(lat, lng);
    if (!place) throw new ApiError(422, 'OUTSIDE_SERVICE_AREA');
    ctx.body = place;
  });

  router.get('/admin/catalogue', admin, async (ctx) => {
    ctx.body = { categories: await catalogue.allCategories() };
  });
  router.put('/admin/catalogue', admin, async (ctx) => {
    ctx.body = await catalogue.replaceCategories(requestBody(ctx));
  });

  router.get('/admin/departments', admin, async (ctx) => {
    ctx.body = { departments: await catalogue.listDepartments() };
  });
  router.put('/admin/departments', admin, async (ctx) => {
    ctx.body = await catalogue.replaceDepartments(requestBody(ctx));
  });

  router.get('/admin/areas', admin, async (ctx) => {
    ctx.body = await catalogue.areasGeoJson();
  });
  router.put('/admin/areas', admin, async (ctx) => {
    ctx.body = await catalogue.replaceAreas(requestBody(ctx));
  });

  router.get('/admin/calendar', admin, async (ctx) => {
    ctx.body = { calendar: await catalogue.getCalendar() };
  });
  router.put('/admin/calendar', admin, async (ctx) => {
    ctx.body = { calendar: await catalogue.replaceCalendar(requestBody(ctx)) };
  });

  return router;
}
