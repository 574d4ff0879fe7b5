import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';

/**
 * WeChat web authorisation (网页授权, snsapi_base) for the browser version opened inside
 * WeChat: the page goes to open.weixin.qq.com, comes back with `code` and `state`, and
 * the API exchanges the code at /sns/oauth2/access_token with the service account's
 * appid and secret. `state` is signed and dated here, so a login cannot be started by
 * someone else's page (CSRF) or replayed later.
 */
const STATE_TTL_MS = 10 * 60_000;

export interface WebIdentity {
  openid: string;
  unionid: string | null;
}

export class WeChatWebAuth {
  constructor(private readonly ctx: ServiceContext) {}

  get configured(): boolean {
    return !!(this.ctx.config.wechatWeb.appId && this.ctx.config.wechatWeb.secret);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.ctx.config.jwtSecret).update(`wechat-web:${payload}`).digest('base64url');
  }

  /** Where to send the browser; it comes back to the H5 login page with code and state. */
  authorizeUrl(returnTo: string): string {
    if (!this.configured) throw new ApiError(404, 'NOT_FOUND', '微信网页授权未开通');
    const payload = Buffer.from(JSON.stringify({ r: returnTo, t: this.ctx.clock.now().getTime() })).toString('base64url');
    const state = `${payload}.${this.sign(payload)}`;
    // WeChat puts ?code=…&state=… before the hash: the H5 login page reads them from location.search.
    const redirect = `${this.ctx.config.publicBaseUrl}/app/?wxweb=1#/pages/login/index`;
    const q = new URLSearchParams({
      appid: this.ctx.config.wechatWeb.appId,
      redirect_uri: redirect,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
    });
    return `https://open.weixin.qq.com/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
  }

  /** Checks the state and exchanges the code; returns the identity and where to go back to. */
  async exchange(code: string, state: string): Promise<{ identity: WebIdentity; returnTo: string }> {
    if (!this.configured) throw new ApiError(404, 'NOT_FOUND', '微信网页授权未开通');
    const [payload = '', signature = ''] = state.split('.');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    let parsed: { r?: unknown; t?: unknown } = {};
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      // refused below
    }
    const fresh = typeof parsed.t === 'number' && this.ctx.clock.now().getTime() - parsed.t < STATE_TTL_MS;
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !fresh || typeof parsed.r !== 'string') {
      throw new ApiError(400, 'VALIDATION_FAILED', '登录已过期，请重新打开页面', [{ field: 'state', issue: 'invalid or expired' }]);
    }
    const { appId, secret } = this.ctx.config.wechatWeb;
    const q = new URLSearchParams({ appid: appId, secret, code, grant_type: 'authorization_code' });
    let reply: { openid?: string; unionid?: string; errcode?: number; errmsg?: string };
    try {
      const res = await fetch(`${this.ctx.config.wechat.apiBaseUrl}/sns/oauth2/access_token?${q.toString()}`, {
        signal: AbortSignal.timeout(this.ctx.config.wechat.timeoutMs),
      });
      reply = (await res.json()) as typeof reply;
    } catch (err) {
      throw new ApiError(503, 'WECHAT_UNAVAILABLE', undefined, [{ issue: (err as Error).message }]);
    }
    if (reply.errcode || !reply.openid) {
      const code = reply.errcode === 40029 || reply.errcode === 40163 ? 'WECHAT_CODE_INVALID' : 'WECHAT_UNAVAILABLE';
      throw new ApiError(code === 'WECHAT_CODE_INVALID' ? 400 : 503, code, undefined, [
        { field: 'code', issue: `errcode ${reply.errcode ?? 'none'}` },
      ]);
    }
    return { identity: { openid: reply.openid, unionid: reply.unionid ?? null }, returnTo: parsed.r };
  }
}
