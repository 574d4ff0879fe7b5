import Router from '@koa/router';
import type { Context } from 'koa';
import {
  devLoginSchema,
  refreshSchema,
  STAFF_ROLES,
  staffLoginSchema,
  updateMeSchema,
  updateStaffSchema,
  wechatLoginSchema,
  type CreateStaff,
} from '@ssp/shared';
import { notFound, parseInput } from '../core/errors';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';
import { citizenId, principalOf, requireCitizen, requireStaff } from './middleware';

const bodyOf = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

export function authRoutes(services: Services): Router {
  const { auth } = services;
  const router = new Router();
  const { rateLimits } = services.ctx.config;
  // Every attempt costs a scrypt hash or a code2Session call (WeChat's quota is per app): throttle per IP,
  // and staff logins per username too, before any of that work.
  const loginsPerIp = rateLimit(services.rateLimits, { name: 'login-ip', limit: rateLimits.loginPerIp, key: (ctx) => ctx.ip });
  const loginsPerUsername = rateLimit(services.rateLimits, {
    name: 'staff-login-username',
    limit: rateLimits.staffLoginPerUsername,
    // The username as the login reads it (trimmed, lower case); a body without one is refused by the route.
    key: (ctx) => staffLoginSchema.safeParse(bodyOf(ctx)).data?.username,
  });

  router.post('/auth/wechat', loginsPerIp, async (ctx) => {
    const { code } = parseInput(wechatLoginSchema, bodyOf(ctx));
    ctx.body = await auth.loginWithWeChat(code);
  });

  router.post('/auth/dev-login', async (ctx) => {
    if (!services.ctx.config.devLoginEnabled) throw notFound();
    ctx.body = await auth.devLogin(parseInput(devLoginSchema, bodyOf(ctx)));
  });

  router.post('/auth/refresh', async (ctx) => {
    const { refreshToken } = parseInput(refreshSchema, bodyOf(ctx));
    ctx.body = await auth.refresh(refreshToken);
  });

  router.post('/auth/logout', async (ctx) => {
    const { refreshToken } = parseInput(refreshSchema, bodyOf(ctx));
    await auth.logout(refreshToken);
    ctx.status = 204;
  });

  router.get('/me', requireCitizen, async (ctx) => {
    ctx.body = await auth.getMe(citizenId(ctx));
  });

  router.patch('/me', requireCitizen, async (ctx) => {
    ctx.body = await auth.updateMe(citizenId(ctx), parseInput(updateMeSchema, bodyOf(ctx)));
  });

  router.post('/auth/staff/login', loginsPerIp, loginsPerUsername, async (ctx) => {
    const input = parseInput(staffLoginSchema, bodyOf(ctx));
    ctx.body = await auth.staffLogin(input);
  });

  router.get('/staff/me', requireStaff(...STAFF_ROLES), async (ctx) => {
    ctx.body = await auth.getStaffProfile(principalOf(ctx).userId);
  });

  router.get('/admin/staff', requireStaff('admin'), async (ctx) => {
    ctx.body = { items: await auth.listStaff() };
  });

  router.post('/admin/staff', requireStaff('admin'), async (ctx) => {
    // createStaff validates its input itself (seeding calls it directly).
    ctx.body = await auth.createStaff(bodyOf(ctx) as CreateStaff);
    ctx.status = 201;
  });

  router.patch('/admin/staff/:id', requireStaff('admin'), async (ctx) => {
    const patch = parseInput(updateStaffSchema, bodyOf(ctx));
    ctx.body = await auth.updateStaff(principalOf(ctx).userId, ctx.params.id!, patch);
  });

  return router;
}
