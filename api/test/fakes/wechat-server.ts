/**
 * A fake of WeChat's server API on a real loopback port, speaking the real protocol
 * (paths, query strings, JSON bodies, errcodes), for tests of login and notifications.
 *
 *   const wechat = await startFakeWeChat();
 *   const api = await startTestApi({ env: wechat.env });
 *   const code = wechat.newCode('alice');          // a fresh single-use wx.login code for user "alice"
 *   wechat.openidOf('alice');                       // the openid jscode2session answers for her
 *   wechat.scriptCode('bad', 40029);                // this code answers errcode 40029 (or 'hang', 'destroy', 500)
 *   wechat.failNextSends(2, { errcode: -1 });       // the next two subscribe sends answer "system busy"
 *   wechat.acceptSubscription(openid, ['tmpl-a']);  // the user tapped 允许 in the subscribe popup for tmpl-a
 *   wechat.refuseSubscription(wechat.openidOf('bob')); // sends to bob answer 43101
 *   wechat.messages;                                // every subscribe message WeChat accepted
 *
 * Subscribe quotas as WeChat keeps them: one acceptance of a one-time template allows
 * exactly one send of that template to that user; a long-term template (listed in
 * `longTermTemplates`) allows any number once accepted; a send without quota answers 43101.
 * Template values are held to WeChat's limits per keyword type (thing ≤ 20, phrase ≤ 5…): 47003.
 * Browser tests accept through `POST /__fake/subscribe-accept {openid, templateIds}`.
 * The security checks (msg_sec_check, media_check_async) answer 61010 for an openid that
 * has not opened the mini-program (a jscode2session) in the last two hours
 * (`wechat.forgetVisit(openid)` ages a visit).
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** How a scripted call fails: a WeChat errcode, an HTTP status, a dropped connection, or no answer at all. */
export type FakeFailure = { errcode: number; errmsg?: string } | { httpStatus: number } | 'destroy' | 'hang';

/** A subscribe message as WeChat received it. */
export interface ReceivedMessage {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: string;
  lang?: string;
  accessToken: string;
}

export interface SendAttempt {
  message: Partial<ReceivedMessage>;
  /** 0 when accepted; otherwise the errcode, HTTP status (as 'http 500'), 'destroy' or 'hang'. */
  outcome: number | string;
}

export interface FakeWeChatOptions {
  appId?: string;
  secret?: string;
  /** Seconds a new access token lives (WeChat: 7200). */
  accessTokenTtlSeconds?: number;
  /** WeChat codes are single-use: a code seen before answers 40163. Default true. */
  singleUseCodes?: boolean;
  /** The service account (公众号) of web authorisation: its appid and secret. */
  webAppId?: string;
  webSecret?: string;
  /** Template ids that are long-term subscriptions (government service categories); the rest are one-time. */
  longTermTemplates?: string[];
}

/**
 * Why WeChat refuses a template value (47003), by the keyword's type: thing at most 20
 * characters, phrase at most 5 Chinese characters, character_string/number/letter at most
 * 32, name at most 10, time a date and time; no value may be empty. Null when it is fine.
 */
export function templateValueProblem(key: string, value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'empty';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) return 'not valid UTF-8';
  const length = Array.from(value).length;
  const type = key.replace(/\d+$/, '');
  const max: Record<string, number> = {
    thing: 20,
    phrase: 5,
    character_string: 32,
    number: 32,
    letter: 32,
    name: 10,
    phone_number: 17,
    car_number: 8,
  };
  if (max[type] !== undefined && length > max[type]!) return `longer than ${max[type]}`;
  if (type === 'phrase' && !/^[\u4e00-\u9fa5]+$/.test(value)) return 'not Chinese characters only';
  if (type === 'number' && !/^[\d.]+$/.test(value)) return 'not a number';
  if (type === 'time' && !/^\d{4}[-年]\d{1,2}[-月]\d{1,2}日?( \d{1,2}:\d{2}(:\d{2})?)?$/.test(value)) return 'not a date and time';
  return null;
}

/** Characters WeChat allows in a getwxacodeunlimit scene (besides letters and digits). */
const SCENE_PATTERN = /^[A-Za-z0-9!#$&'()*+,/:;=?@\-._~]{1,32}$/;

/**
 * A mini-program code as WeChat draws it: a square PNG of the requested width, its
 * pattern derived from scene and page (two calls with different scenes give different
 * images), so a poster can be checked for the code it carries.
 */
async function codeImage(scene: string, page: string, width: number): Promise<Buffer> {
  const modules = 21;
  const bits = createHash('sha256').update(`${page}?${scene}`).digest();
  const pixels = Buffer.alloc(width * width, 255);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const mx = Math.floor((x * modules) / width);
      const my = Math.floor((y * modules) / width);
      const bit = my * modules + mx;
      if ((bits[(bit >> 3) % bits.length]! >> (bit & 7)) & 1) pixels[y * width + x] = 0;
    }
  }
  return sharp(pixels, { raw: { width, height: width, channels: 1 } })
    .png()
    .toBuffer();
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A realistic, deterministic openid: 28 characters starting with "o". */
export function fakeOpenid(appId: string, user: string): string {
  const bytes = createHash('sha256').update(`${appId}:${user}`).digest();
  let id = 'o';
  for (let i = 0; id.length < 28; i++) id += ALPHABET[bytes[i % bytes.length]! % ALPHABET.length];
  return id;
}

function failureOutcome(failure: FakeFailure): number | string {
  if (typeof failure === 'string') return failure;
  return 'errcode' in failure ? failure.errcode : `http ${failure.httpStatus}`;
}

export async function startFakeWeChat(options: FakeWeChatOptions = {}) {
  const appId = options.appId ?? 'wx-fake-appid';
  const secret = options.secret ?? 'fake-app-secret-0123456789';
  const tokenTtl = options.accessTokenTtlSeconds ?? 7200;
  const singleUse = options.singleUseCodes ?? true;

  const scriptedCodes = new Map<string, FakeFailure>();
  const usedCodes = new Set<string>();
  const validTokens = new Set<string>();
  const refusedUsers = new Map<string, number>();
  const longTermTemplates = new Set(options.longTermTemplates ?? []);
  const webAppId = options.webAppId ?? 'wx-fake-web-appid';
  const webSecret = options.webSecret ?? 'fake-web-secret-0123456789';
  /** Sends left per "openid|templateId" (one-time templates). */
  const oneTimeQuota = new Map<string, number>();
  /** "openid|templateId" of accepted long-term templates. */
  const longTermAccepted = new Set<string>();
  // Content security: words msg_sec_check answers risky/review for; media URLs flagged risky;
  // image checks waiting for their verdict to be pushed; where verdicts are pushed.
  const riskyWords = new Map<string, 'risky' | 'review'>();
  const riskyMedia: string[] = [];
  const pendingMediaChecks: { traceId: string; openid: string; mediaUrl: string }[] = [];
  let push: { url: string; token: string } | null = null;
  // When each openid last opened the mini-program (a successful jscode2session): WeChat's
  // security checks answer 61010 for a user who has not visited in the last two hours.
  const lastVisit = new Map<string, number>();
  const VISIT_WINDOW_MS = 2 * 3600_000;
  const visitedRecently = (openid: string) => Date.now() - (lastVisit.get(openid) ?? -Infinity) <= VISIT_WINDOW_MS;
  let traceCounter = 0;
  const accept = (openid: string, templateIds: readonly string[]) => {
    for (const t of templateIds) {
      const key = `${openid}|${t}`;
      if (longTermTemplates.has(t)) longTermAccepted.add(key);
      else oneTimeQuota.set(key, (oneTimeQuota.get(key) ?? 0) + 1);
    }
  };
  const sendFailures: FakeFailure[] = [];
  let codeCounter = 0;
  let tokenCounter = 0;
  let down = false;

  const state = {
    /** Every jscode2session call, in order. */
    sessionCalls: [] as Array<{ code: string; appid: string | null; grantType: string | null }>,
    /** Every access-token request (stable_token or the classic GET /cgi-bin/token). */
    tokenRequests: [] as Array<{ api: 'stable_token' | 'token'; forceRefresh: boolean }>,
    /** Every subscribe-send request with its outcome, including failed ones. */
    sendAttempts: [] as SendAttempt[],
    /** Subscribe messages WeChat accepted (errcode 0). */
    messages: [] as ReceivedMessage[],
    /** Every msg_sec_check call (content, openid, scene). */
    textChecks: [] as Array<{ content: string; openid: string; scene: number }>,
    /** Every media_check_async call. */
    mediaChecks: [] as Array<{ mediaUrl: string; openid: string; traceId: string }>,
    /** Every getwxacodeunlimit call that produced an image. */
    codes: [] as Array<{ scene: string; page: string; width: number }>,
  };

  const userOfCode = (code: string) => code.split('.')[0]!;

  function json(res: http.ServerResponse, status: number, body: unknown): void {
    // WeChat answers JSON with a text/plain content type on several endpoints; clients must not rely on it.
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(JSON.stringify(body));
  }

  /** Answers (or deliberately does not answer) a request with a scripted failure. */
  function applyFailure(res: http.ServerResponse, req: http.IncomingMessage, failure: FakeFailure): void {
    if (failure === 'hang') return;
    if (failure === 'destroy') {
      req.socket.destroy();
      return;
    }
    if ('httpStatus' in failure) {
      res.writeHead(failure.httpStatus, { 'content-type': 'text/html' });
      res.end('<html><body>upstream error</body></html>');
      return;
    }
    json(res, 200, { errcode: failure.errcode, errmsg: failure.errmsg ?? `scripted error ${failure.errcode}` });
  }

  function issueToken(): { access_token: string; expires_in: number } {
    const token = `fake-access-token-${++tokenCounter}`;
    validTokens.add(token);
    return { access_token: token, expires_in: tokenTtl };
  }

  function credentialsError(givenAppId: unknown, givenSecret: unknown): { errcode: number; errmsg: string } | null {
    if (givenAppId !== appId) return { errcode: 40013, errmsg: 'invalid appid' };
    if (givenSecret !== secret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    return null;
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  const server = http.createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;

    if (req.method === 'GET' && url.pathname === '/sns/jscode2session') {
      const code = q.get('js_code') ?? '';
      state.sessionCalls.push({ code, appid: q.get('appid'), grantType: q.get('grant_type') });
      const scripted = scriptedCodes.get(code);
      if (scripted) return applyFailure(res, req, scripted);
      const bad = credentialsError(q.get('appid'), q.get('secret'));
      if (bad) return json(res, 200, bad);
      if (q.get('grant_type') !== 'authorization_code' || !code) return json(res, 200, { errcode: 40029, errmsg: 'invalid code' });
      if (singleUse && usedCodes.has(code)) return json(res, 200, { errcode: 40163, errmsg: 'code been used' });
      usedCodes.add(code);
      const sessionKey = createHash('sha256').update(`session:${code}`).digest('base64');
      const openid = fakeOpenid(appId, userOfCode(code));
      lastVisit.set(openid, Date.now());
      return json(res, 200, { openid, session_key: sessionKey });
    }

    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
      let body: { grant_type?: string; appid?: string; secret?: string; force_refresh?: boolean };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return json(res, 200, { errcode: 47001, errmsg: 'data format error' });
      }
      state.tokenRequests.push({ api: 'stable_token', forceRefresh: body.force_refresh === true });
      const bad = credentialsError(body.appid, body.secret);
      if (bad) return json(res, 200, bad);
      if (body.grant_type !== 'client_credential') return json(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' });
      return json(res, 200, issueToken());
    }

    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
      state.tokenRequests.push({ api: 'token', forceRefresh: false });
      const bad = credentialsError(q.get('appid'), q.get('secret'));
      if (bad) return json(res, 200, bad);
      if (q.get('grant_type') !== 'client_credential') return json(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' });
      return json(res, 200, issueToken());
    }

    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
      const accessToken = q.get('access_token') ?? '';
      let message: Partial<ReceivedMessage>;
      try {
        message = { ...(JSON.parse(await readBody(req)) as Partial<ReceivedMessage>), accessToken };
      } catch {
        state.sendAttempts.push({ message: { accessToken }, outcome: 47001 });
        return json(res, 200, { errcode: 47001, errmsg: 'data format error' });
      }
      const scripted = sendFailures.shift();
      if (scripted) {
        state.sendAttempts.push({ message, outcome: failureOutcome(scripted) });
        return applyFailure(res, req, scripted);
      }
      const answer = (errcode: number, errmsg: string) => {
        state.sendAttempts.push({ message, outcome: errcode });
        json(res, 200, errcode === 0 ? { errcode, errmsg, msgid: 1000 + state.messages.length } : { errcode, errmsg });
      };
      if (!validTokens.has(accessToken)) return answer(40001, 'invalid credential, access_token is invalid or not latest');
      if (typeof message.touser !== 'string' || !message.touser) return answer(40003, 'invalid openid');
      if (typeof message.template_id !== 'string' || !message.template_id) return answer(40037, 'invalid template_id');
      if (!message.data || typeof message.data !== 'object' || Object.keys(message.data).length === 0)
        return answer(47003, 'argument invalid! data is empty');
      for (const [key, entry] of Object.entries(message.data)) {
        const problem = templateValueProblem(key, (entry as { value?: unknown } | null)?.value);
        if (problem) return answer(47003, `argument invalid! data.${key}.value ${problem}`);
      }
      if (message.miniprogram_state !== undefined && !['developer', 'trial', 'formal'].includes(message.miniprogram_state)) {
        return answer(47001, 'data format error: miniprogram_state');
      }
      if (message.lang !== undefined && !['zh_CN', 'en_US', 'zh_HK', 'zh_TW'].includes(message.lang)) return answer(47001, 'data format error: lang');
      const refused = refusedUsers.get(message.touser);
      if (refused !== undefined) return answer(refused, 'user refuse to accept the msg');
      const key = `${message.touser}|${message.template_id}`;
      if (longTermTemplates.has(message.template_id)) {
        if (!longTermAccepted.has(key)) return answer(43101, 'user refuse to accept the msg');
      } else {
        const left = oneTimeQuota.get(key) ?? 0;
        if (left <= 0) return answer(43101, 'user refuse to accept the msg');
        oneTimeQuota.set(key, left - 1);
      }
      state.messages.push(message as ReceivedMessage);
      return answer(0, 'ok');
    }

    const withToken = async (): Promise<{ body: Record<string, unknown> } | null> => {
      if (!validTokens.has(q.get('access_token') ?? '')) {
        json(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        return null;
      }
      try {
        return { body: JSON.parse(await readBody(req)) as Record<string, unknown> };
      } catch {
        json(res, 200, { errcode: 47001, errmsg: 'data format error' });
        return null;
      }
    };

    if (req.method === 'POST' && url.pathname === '/wxa/msg_sec_check') {
      const got = await withToken();
      if (!got) return;
      const { content, version, scene, openid } = got.body as { content?: unknown; version?: unknown; scene?: unknown; openid?: unknown };
      if (version !== 2 || typeof openid !== 'string' || !openid || ![1, 2, 3, 4].includes(scene as number) || typeof content !== 'string') {
        return json(res, 200, { errcode: 40003, errmsg: 'invalid openid or argument' });
      }
      if (!visitedRecently(openid)) return json(res, 200, { errcode: 61010, errmsg: 'code is expired' });
      if (content.length > 2500) return json(res, 200, { errcode: 87014, errmsg: 'content too long' });
      state.textChecks.push({ content, openid, scene: scene as number });
      let suggest: 'pass' | 'review' | 'risky' = 'pass';
      for (const [word, verdict] of riskyWords) if (content.includes(word) && (verdict === 'risky' || suggest === 'pass')) suggest = verdict;
      const label = suggest === 'pass' ? 100 : 20006;
      return json(res, 200, {
        errcode: 0,
        errmsg: 'ok',
        result: { suggest, label },
        detail: [{ strategy: 'content_model', errcode: 0, suggest, label, prob: suggest === 'pass' ? 0 : 90 }],
        trace_id: `text-${++traceCounter}`,
      });
    }

    if (req.method === 'POST' && url.pathname === '/wxa/media_check_async') {
      const got = await withToken();
      if (!got) return;
      const { media_url: mediaUrl, media_type: mediaType, version, scene, openid } = got.body as Record<string, unknown>;
      if (version !== 2 || typeof openid !== 'string' || !openid || ![1, 2, 3, 4].includes(scene as number)) {
        return json(res, 200, { errcode: 40003, errmsg: 'invalid openid or argument' });
      }
      if (typeof mediaUrl !== 'string' || !/^https?:\/\//.test(mediaUrl) || (mediaType !== 1 && mediaType !== 2)) {
        return json(res, 200, { errcode: 47001, errmsg: 'data format error' });
      }
      if (!visitedRecently(openid)) return json(res, 200, { errcode: 61010, errmsg: 'code is expired' });
      const traceId = `media-${++traceCounter}`;
      pendingMediaChecks.push({ traceId, openid, mediaUrl });
      state.mediaChecks.push({ mediaUrl, openid, traceId });
      return json(res, 200, { errcode: 0, errmsg: 'ok', trace_id: traceId });
    }

    if (req.method === 'POST' && url.pathname === '/wxa/getwxacodeunlimit') {
      const got = await withToken();
      if (!got) return;
      const { scene, page, width, env_version: envVersion } = got.body as { scene?: unknown; page?: unknown; width?: unknown; env_version?: unknown };
      if (typeof scene !== 'string' || !SCENE_PATTERN.test(scene)) {
        return json(res, 200, { errcode: 40169, errmsg: 'invalid length for scene, or the data is not json string' });
      }
      if (page !== undefined && (typeof page !== 'string' || page.startsWith('/') || page.length > 128)) {
        return json(res, 200, { errcode: 41030, errmsg: 'invalid page rule' });
      }
      if (envVersion !== undefined && !['release', 'trial', 'develop'].includes(envVersion as string)) {
        return json(res, 200, { errcode: 40097, errmsg: 'invalid args: env_version' });
      }
      // WeChat draws 280 to 1280 px (430 by default); outside that range it clamps.
      const size = Math.min(1280, Math.max(280, typeof width === 'number' && Number.isFinite(width) ? Math.round(width) : 430));
      const pagePath = (page as string | undefined) ?? 'pages/index/index';
      state.codes.push({ scene, page: pagePath, width: size });
      const image = await codeImage(scene, pagePath, size);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      res.end(image);
      return;
    }

    // Web authorisation (网页授权): the code the browser brought back, for the service account.
    if (req.method === 'GET' && url.pathname === '/sns/oauth2/access_token') {
      const code = q.get('code') ?? '';
      if (q.get('appid') !== webAppId) return json(res, 200, { errcode: 40013, errmsg: 'invalid appid' });
      if (q.get('secret') !== webSecret) return json(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
      if (q.get('grant_type') !== 'authorization_code' || !code) return json(res, 200, { errcode: 40029, errmsg: 'invalid code' });
      if (usedCodes.has(`web:${code}`)) return json(res, 200, { errcode: 40163, errmsg: 'code been used' });
      usedCodes.add(`web:${code}`);
      const user = userOfCode(code);
      return json(res, 200, {
        access_token: `web-token-${code}`,
        expires_in: 7200,
        refresh_token: `web-refresh-${code}`,
        openid: fakeOpenid(webAppId, user),
        scope: 'snsapi_base',
        unionid: `union-${fakeOpenid('union', user).slice(1)}`,
      });
    }

    // Test control, standing in for the subscribe popup a browser test cannot show.
    if (req.method === 'POST' && url.pathname === '/__fake/subscribe-accept') {
      try {
        const body = JSON.parse(await readBody(req)) as { openid?: string; templateIds?: string[] };
        if (!body.openid || !Array.isArray(body.templateIds)) return json(res, 400, { error: 'openid and templateIds required' });
        accept(body.openid, body.templateIds);
        return json(res, 200, { ok: true });
      } catch {
        return json(res, 400, { error: 'bad json' });
      }
    }

    json(res, 404, { errcode: 404, errmsg: 'not found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    ...state,
    url,
    appId,
    secret,
    /** Environment for startTestApi / loadConfig pointing the API at this fake. */
    env: { WECHAT_API_BASE_URL: url, WECHAT_APPID: appId, WECHAT_SECRET: secret } as Record<string, string>,
    /** Environment that also turns on web authorisation with this fake's service account. */
    webEnv: {
      WECHAT_API_BASE_URL: url,
      WECHAT_APPID: appId,
      WECHAT_SECRET: secret,
      WECHAT_WEB_APPID: webAppId,
      WECHAT_WEB_SECRET: webSecret,
    } as Record<string, string>,
    /** The service-account openid web authorisation answers for a user. */
    webOpenidOf(user: string): string {
      return fakeOpenid(webAppId, user);
    },

    /** A fresh, never-used wx.login code for a user; every code of the same user yields the same openid. */
    newCode(user: string): string {
      return `${user}.${++codeCounter}`;
    },
    /** The openid jscode2session answers for a user (or for a code without a ".": the code itself is the user). */
    openidOf(user: string): string {
      return fakeOpenid(appId, user);
    },
    /** Makes jscode2session fail for this code every time it is presented. */
    scriptCode(code: string, failure: FakeFailure | number): void {
      scriptedCodes.set(code, typeof failure === 'number' ? { errcode: failure } : failure);
    },
    /** The next `count` subscribe sends fail as given (in order after any already queued). */
    failNextSends(count: number, failure: FakeFailure): void {
      for (let i = 0; i < count; i++) sendFailures.push(failure);
    },
    /** The user accepted these templates in the subscribe popup (one send each for one-time templates). */
    acceptSubscription(openid: string, templateIds: readonly string[]): void {
      accept(openid, templateIds);
    },
    /** The user last opened the mini-program more than two hours ago (security checks answer 61010). */
    forgetVisit(openid: string): void {
      lastVisit.set(openid, Date.now() - VISIT_WINDOW_MS - 1);
    },
    /** msg_sec_check answers `verdict` (default risky) for content containing `word`. */
    flagText(word: string, verdict: 'risky' | 'review' = 'risky'): void {
      riskyWords.set(word, verdict);
    },
    /** The image check finds media URLs containing this risky. */
    flagMedia(urlPart: string): void {
      riskyMedia.push(urlPart);
    },
    /** Where media-check verdicts are pushed (the mini-program's message push URL and token). */
    configurePush(url: string, token: string): void {
      push = { url, token };
    },
    /**
     * Pushes every waiting image verdict as WeChat does: a JSON event signed with the push
     * token (signature = sha1 of the sorted token, timestamp and nonce). Returns the HTTP statuses.
     */
    async deliverMediaChecks(): Promise<number[]> {
      if (!push) throw new Error('configurePush first');
      const statuses: number[] = [];
      for (const check of pendingMediaChecks.splice(0)) {
        const risky = riskyMedia.some((part) => check.mediaUrl.includes(part));
        const suggest = risky ? 'risky' : 'pass';
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = String(++traceCounter);
        const signature = createHash('sha1').update([push.token, timestamp, nonce].sort().join('')).digest('hex');
        const res = await fetch(`${push.url}?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            ToUserName: 'gh_fake',
            FromUserName: check.openid,
            CreateTime: Number(timestamp),
            MsgType: 'event',
            Event: 'wxa_media_check',
            appid: appId,
            trace_id: check.traceId,
            version: 2,
            detail: [{ strategy: 'content_model', errcode: 0, suggest, label: risky ? 20002 : 100, prob: risky ? 95 : 0 }],
            errcode: 0,
            errmsg: 'ok',
            result: { suggest, label: risky ? 20002 : 100 },
          }),
        });
        statuses.push(res.status);
      }
      return statuses;
    },
    /** Sends of a one-time template this user has left (a long-term template accepted: Infinity). */
    quotaOf(openid: string, templateId: string): number {
      if (longTermTemplates.has(templateId)) return longTermAccepted.has(`${openid}|${templateId}`) ? Infinity : 0;
      return oneTimeQuota.get(`${openid}|${templateId}`) ?? 0;
    },
    /** Sends to this openid answer errcode (43101: the user did not accept the subscription) until allowed again. */
    refuseSubscription(openid: string, errcode = 43101): void {
      refusedUsers.set(openid, errcode);
    },
    allowSubscription(openid: string): void {
      refusedUsers.delete(openid);
    },
    /** Invalidates every access token issued so far (sends with them answer 40001). */
    invalidateAccessTokens(): void {
      validTokens.clear();
    },
    /** While down, every connection is destroyed without an answer (network failure). */
    setDown(value: boolean): void {
      down = value;
    },
    /** Forgets scripts, recordings and used codes; keeps issued access tokens valid. */
    reset(): void {
      scriptedCodes.clear();
      usedCodes.clear();
      refusedUsers.clear();
      oneTimeQuota.clear();
      longTermAccepted.clear();
      riskyWords.clear();
      riskyMedia.length = 0;
      pendingMediaChecks.length = 0;
      state.textChecks.length = 0;
      state.mediaChecks.length = 0;
      state.codes.length = 0;
      sendFailures.length = 0;
      down = false;
      state.sessionCalls.length = 0;
      state.tokenRequests.length = 0;
      state.sendAttempts.length = 0;
      state.messages.length = 0;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeWeChat = Awaited<ReturnType<typeof startFakeWeChat>>;
