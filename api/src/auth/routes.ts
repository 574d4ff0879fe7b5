import type { Middleware } from 'koa';
import { notFound } from '../core/errors';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';
import { staffLoginSchema } from '@ssp/shared';

/** Sign-in (WeChat, dev, staff), tokens, the citizen's profile and staff accounts. */
export function authHandlers(services: Services): Handlers<OperationsOfTag<'auth'>> {
  const { auth, moderation } = services;
  const { rateLimits } = services.ctx.config;
  // Every attempt costs a scrypt hash or a code2Session call (WeChat's quota is per app): throttle per IP,
  // and staff logins per username too, before any of that work.
  const limitPerIp = rateLimit(services.rateLimits, { name: 'login-ip', limit: rateLimits.loginPerIp, key: (ctx) => ctx.ip });
  const limitPerUsername = rateLimit(services.rateLimits, {
    name: 'staff-login-username',
    limit: rateLimits.staffLoginPerUsername,
    // The username as the login reads it (trimmed, lower case); a body without one is refused by the route.
    key: (ctx) => staffLoginSchema.safeParse(ctx.request.body).data?.username,
  });
  const devLoginSwitch: Middleware = async (_ctx, next) => {
    if (!services.ctx.config.devLoginEnabled) throw notFound();
    await next();
  };

  return {
    wechatLogin: { use: [limitPerIp], handle: ({ body }) => auth.loginWithWeChat(body.code) },
    devLogin: { use: [devLoginSwitch], handle: ({ body }) => auth.devLogin(body) },
    loginOptions: () => ({ sms: services.sms.configured, wechatWeb: services.wechatWeb.configured, devLogin: services.ctx.config.devLoginEnabled }),
    webAuthorizeUrl: ({ query }) => ({ url: services.wechatWeb.authorizeUrl(query.returnTo ?? 'pages/index/index') }),
    webLogin: {
      use: [limitPerIp],
      handle: async ({ body }) => {
        const { identity, returnTo } = await services.wechatWeb.exchange(body.code, body.state);
        return { ...(await auth.webLogin(identity)), returnTo };
      },
    },
    sendSmsCode: { use: [limitPerIp], handle: ({ body }) => services.sms.send(body.phone) },
    smsLogin: {
      use: [limitPerIp],
      handle: async ({ body }) => {
        await services.sms.verify(body.phone, body.code);
        return auth.phoneLogin(body.phone);
      },
    },
    refreshTokens: ({ body }) => auth.refresh(body.refreshToken),
    logout: async ({ body }) => {
      await auth.logout(body.refreshToken);
    },
    getMe: ({ caller }) => auth.getMe(caller.userId),
    updateMe: async ({ caller, body }) => {
      // Nicknames are shown on the leaderboard: WeChat's text check first.
      await moderation.checkText(caller.userId, body.nickname, 'nickname', 1);
      return auth.updateMe(caller.userId, body);
    },
    staffLogin: { use: [limitPerIp, limitPerUsername], handle: ({ body }) => auth.staffLogin(body) },
    getStaffMe: ({ caller }) => auth.getStaffProfile(caller.userId),
    linkStaffWeChat: ({ caller, body }) => auth.linkStaffWeChat(caller.userId, body.code),
    listStaff: async () => ({ items: await auth.listStaff() }),
    searchCitizens: ({ query }) => auth.searchCitizens(query),
    createStaff: ({ body }) => auth.createStaff(body),
    updateStaff: ({ caller, params, body }) => auth.updateStaff(caller.userId, params.id, body),
  };
}
