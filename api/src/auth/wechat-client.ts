import type { Config } from '../config';
import { systemClock, type Clock } from '../context';

/** WeChat errcodes the API reacts to (plus NETWORK, our own code for "no usable answer"). */
export const WECHAT_ERRCODE = {
  /** No usable answer: network failure, timeout, HTTP error or a body that is not WeChat's JSON. */
  NETWORK: -2,
  SYSTEM_BUSY: -1,
  INVALID_ACCESS_TOKEN: 40001,
  ILLEGAL_ACCESS_TOKEN: 40014,
  INVALID_CODE: 40029,
  CODE_USED: 40163,
  RISKY_USER: 40226,
  ACCESS_TOKEN_EXPIRED: 42001,
  /** The user has not accepted (or has used up) the subscription for this template. */
  USER_NOT_SUBSCRIBED: 43101,
  DAILY_QUOTA: 45009,
  RATE_LIMITED: 45011,
  /** Security checks: the user has not opened the mini-program in the last two hours. */
  VISIT_EXPIRED: 61010,
} as const;

const ACCESS_TOKEN_REJECTED = new Set<number>([
  WECHAT_ERRCODE.INVALID_ACCESS_TOKEN,
  WECHAT_ERRCODE.ILLEGAL_ACCESS_TOKEN,
  WECHAT_ERRCODE.ACCESS_TOKEN_EXPIRED,
]);
const RETRYABLE = new Set<number>([
  WECHAT_ERRCODE.NETWORK,
  WECHAT_ERRCODE.SYSTEM_BUSY,
  WECHAT_ERRCODE.DAILY_QUOTA,
  WECHAT_ERRCODE.RATE_LIMITED,
  ...ACCESS_TOKEN_REJECTED,
]);

export type WeChatFailureKind = 'api' | 'network' | 'timeout' | 'http';

/**
 * A call to WeChat that did not succeed. `errcode` is WeChat's own code for kind 'api',
 * and WECHAT_ERRCODE.NETWORK (-2) for the others. Messages never carry openids or secrets.
 */
export class WeChatApiError extends Error {
  override name = 'WeChatApiError';
  constructor(
    readonly errcode: number,
    message: string,
    readonly kind: WeChatFailureKind = 'api',
    readonly httpStatus?: number,
  ) {
    super(message);
  }

  /** True when the same call may succeed later (busy, quota, network); false for e.g. 43101 or a bad template. */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.errcode);
  }
}

export interface WeChatSession {
  openid: string;
  unionid?: string;
}

/** Subscribe-message fields, e.g. `{ thing1: { value: '井盖破损' }, phrase2: { value: '已结案' } }`. */
export type SubscribeMessageData = Record<string, { value: string }>;

export interface SubscribeMessage {
  /** The recipient's openid. */
  touser: string;
  templateId: string;
  /** Mini-program page opened from the message, e.g. `pages/report/detail?id=…`. */
  page?: string;
  data: SubscribeMessageData;
}

interface WeChatReply {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** Refresh the cached access token this long before WeChat says it expires (WeChat overlaps old and new for 5 minutes). */
const ACCESS_TOKEN_MARGIN_MS = 5 * 60 * 1000;

/** Server-side calls to WeChat's mini-program API. One instance per app, so the access token is shared. */
export class WeChatClient {
  private accessToken: { value: string; refreshAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(
    private readonly config: Config['wechat'],
    private readonly clock: Clock = systemClock,
  ) {}

  /** Exchanges a wx.login code for the user's openid (code2Session). The session_key is dropped here. */
  async code2Session(code: string): Promise<WeChatSession> {
    const query = new URLSearchParams({
      appid: this.config.appId,
      secret: this.config.secret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const reply = await this.call('jscode2session', `/sns/jscode2session?${query}`, { method: 'GET' });
    if (typeof reply.openid !== 'string' || reply.openid === '') {
      throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, 'jscode2session answered without an openid', 'http');
    }
    return typeof reply.unionid === 'string' && reply.unionid ? { openid: reply.openid, unionid: reply.unionid } : { openid: reply.openid };
  }

  /** The stable access token, cached until shortly before it expires; concurrent callers share one request. */
  async getAccessToken(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.accessToken && now < this.accessToken.refreshAt) return this.accessToken.value;
    this.pendingToken ??= this.fetchAccessToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  /** Forgets the cached access token (after WeChat rejected it). */
  dropAccessToken(): void {
    this.accessToken = undefined;
  }

  /**
   * Sends a subscribe message. Resolves on errcode 0; otherwise throws WeChatApiError
   * (check `errcode === WECHAT_ERRCODE.USER_NOT_SUBSCRIBED` and `isRetryable`).
   * A rejected access token is dropped and the send retried once with a fresh one.
   */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<void> {
    await this.postWithToken('subscribe/send', '/cgi-bin/message/subscribe/send', {
      touser: message.touser,
      template_id: message.templateId,
      ...(message.page ? { page: message.page } : {}),
      data: message.data,
      miniprogram_state: this.config.miniprogramState,
      lang: 'zh_CN',
    });
  }

  /**
   * Text security check (msg_sec_check v2) of what a user wrote, for the scene it is
   * shown in (1 资料, 2 评论, 3 论坛, 4 社交日志). `suggest`: pass, review or risky.
   */
  async msgSecCheck(input: {
    content: string;
    openid: string;
    scene: 1 | 2 | 3 | 4;
  }): Promise<{ suggest: 'pass' | 'review' | 'risky'; label: number }> {
    const reply = await this.postWithToken('msg_sec_check', '/wxa/msg_sec_check', {
      content: input.content,
      version: 2,
      scene: input.scene,
      openid: input.openid,
    });
    const result = reply.result as { suggest?: string; label?: number } | undefined;
    const suggest = result?.suggest === 'risky' || result?.suggest === 'review' ? result.suggest : 'pass';
    return { suggest, label: Number(result?.label ?? 100) };
  }

  /** Starts the asynchronous image check (media_check_async v2); the verdict arrives at the message push URL with this trace id. */
  async mediaCheckAsync(input: { mediaUrl: string; openid: string; scene: 1 | 2 | 3 | 4 }): Promise<string> {
    const reply = await this.postWithToken('media_check_async', '/wxa/media_check_async', {
      media_url: input.mediaUrl,
      media_type: 2,
      version: 2,
      scene: input.scene,
      openid: input.openid,
    });
    if (typeof reply.trace_id !== 'string') throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, 'media_check_async answered without a trace_id', 'http');
    return reply.trace_id;
  }

  /** A mini-program code (PNG) opening `page` with `scene` (≤ 32 characters), from getwxacodeunlimit. */
  async unlimitedQrCode(input: { scene: string; page: string; width?: number }): Promise<Buffer> {
    const body = JSON.stringify({
      scene: input.scene,
      page: input.page,
      check_path: false,
      env_version: this.envVersion(),
      width: input.width ?? 430,
    });
    const fetchCode = async () => {
      const token = await this.getAccessToken();
      let res: Response;
      try {
        res = await fetch(`${this.config.apiBaseUrl}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
      } catch (err) {
        throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `getwxacodeunlimit failed: ${(err as Error).message}`, 'network');
      }
      if (!res.ok) throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `getwxacodeunlimit answered HTTP ${res.status}`, 'http', res.status);
      const data = Buffer.from(await res.arrayBuffer());
      // Success is the image itself; a failure is WeChat's JSON error.
      if ((res.headers.get('content-type') ?? '').includes('image')) return data;
      let reply: WeChatReply;
      try {
        reply = JSON.parse(data.toString('utf8')) as WeChatReply;
      } catch {
        throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, 'getwxacodeunlimit answered neither an image nor JSON', 'http', res.status);
      }
      throw new WeChatApiError(
        Number(reply.errcode ?? WECHAT_ERRCODE.NETWORK),
        `getwxacodeunlimit: errcode ${reply.errcode} ${reply.errmsg ?? ''}`.trim(),
        'api',
      );
    };
    try {
      return await fetchCode();
    } catch (err) {
      if (!(err instanceof WeChatApiError) || !ACCESS_TOKEN_REJECTED.has(err.errcode)) throw err;
      this.dropAccessToken();
      return fetchCode();
    }
  }

  private envVersion(): 'release' | 'trial' | 'develop' {
    return this.config.miniprogramState === 'formal' ? 'release' : this.config.miniprogramState === 'trial' ? 'trial' : 'develop';
  }

  /** A POST with the access token; a rejected token is dropped and the call retried once with a fresh one. */
  private async postWithToken(api: string, path: string, payload: unknown): Promise<WeChatReply> {
    const body = JSON.stringify(payload);
    const post = async () => {
      const token = await this.getAccessToken();
      return this.call(api, `${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    };
    try {
      return await post();
    } catch (err) {
      if (!(err instanceof WeChatApiError) || !ACCESS_TOKEN_REJECTED.has(err.errcode)) throw err;
      this.dropAccessToken();
      return post();
    }
  }

  private async fetchAccessToken(): Promise<string> {
    const requestedAt = this.clock.now().getTime();
    const reply = await this.call('stable_token', '/cgi-bin/stable_token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: this.config.appId, secret: this.config.secret }),
    });
    const value = reply.access_token;
    const expiresIn = reply.expires_in;
    if (typeof value !== 'string' || value === '' || typeof expiresIn !== 'number') {
      throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, 'stable_token answered without an access_token', 'http');
    }
    this.accessToken = { value, refreshAt: requestedAt + Math.max(0, expiresIn * 1000 - ACCESS_TOKEN_MARGIN_MS) };
    return value;
  }

  /** One HTTP call; any answer other than WeChat JSON with errcode 0 (or none) throws WeChatApiError. */
  private async call(api: string, pathAndQuery: string, init: RequestInit): Promise<WeChatReply> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.config.apiBaseUrl}${pathAndQuery}`, {
        ...init,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const errName = (err as Error).name;
      if (errName === 'TimeoutError' || errName === 'AbortError') {
        throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `${api} timed out after ${this.config.timeoutMs} ms`, 'timeout');
      }
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `${api} failed: ${cause}`, 'network');
    }
    if (!res.ok) throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `${api} answered HTTP ${res.status}`, 'http', res.status);
    let reply: WeChatReply;
    try {
      reply = JSON.parse(text) as WeChatReply;
    } catch {
      throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `${api} answered a body that is not JSON`, 'http', res.status);
    }
    if (reply === null || typeof reply !== 'object') {
      throw new WeChatApiError(WECHAT_ERRCODE.NETWORK, `${api} answered a body that is not an object`, 'http', res.status);
    }
    if (typeof reply.errcode === 'number' && reply.errcode !== 0) {
      throw new WeChatApiError(reply.errcode, `${api}: errcode ${reply.errcode} ${reply.errmsg ?? ''}`.trim(), 'api');
    }
    return reply;
  }
}
