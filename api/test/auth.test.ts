import { createHash } from 'node:crypto';
import { DEFAULT_NICKNAME, errorEnvelopeSchema, loginResultSchema, meSchema, tokenPairSchema, type LoginResult } from '@ssp/shared';
import { getCitizenModel, getRefreshTokenModel } from '../src/auth/models';
import { maskOpenid } from '../src/core/mask';
import { startFakeWeChat, type FakeFailure, type FakeWeChat } from './fakes/wechat-server';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';

let wechat: FakeWeChat;
let api: TestApi;
const clock = new TestClock();

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({ env: { ...wechat.env, WECHAT_TIMEOUT_MS: '300', DEV_LOGIN_ENABLED: 'true' }, clock });
});
afterAll(async () => {
  await api.close();
  await wechat.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(method: string, path: string, body?: unknown, token?: string, base = api.url): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

function errorOf(answer: Answer) {
  return errorEnvelopeSchema.parse(answer.json).error;
}

async function wechatLogin(user: string): Promise<LoginResult> {
  const res = await call('POST', '/auth/wechat', { code: wechat.newCode(user) });
  expect(res.status).toBe(200);
  return loginResultSchema.parse(res.json);
}

describe('WeChat login', () => {
  it('creates the citizen on the first login and finds it afterwards', async () => {
    const first = await wechatLogin('alice');
    expect(first.user).toEqual({
      id: expect.any(String),
      nickname: DEFAULT_NICKNAME,
      phoneMasked: null,
      points: 0,
      createdAt: clock.now().toISOString(),
    });
    expect(first.accessTokenExpiresIn).toBe(api.config.tokens.accessTtlSeconds);
    expect(first.refreshTokenExpiresIn).toBe(api.config.tokens.refreshTtlDays * 86400);

    clock.advance(60_000);
    const again = await wechatLogin('alice');
    expect(again.user.id).toBe(first.user.id);
    expect(again.user.createdAt).toBe(first.user.createdAt);

    const other = await wechatLogin('bob');
    expect(other.user.id).not.toBe(first.user.id);

    const Citizen = getCitizenModel(api.db);
    expect(await Citizen.countDocuments({ openid: wechat.openidOf('alice') })).toBe(1);
    const stored = await Citizen.findById(first.user.id).lean();
    expect(stored?.lastLoginAt.toISOString()).toBe(clock.now().toISOString());
  });

  it('sends the configured app credentials and the code to jscode2session', async () => {
    const code = wechat.newCode('carol');
    await call('POST', '/auth/wechat', { code });
    expect(wechat.sessionCalls.at(-1)).toEqual({ code, appid: wechat.appId, grantType: 'authorization_code' });
  });

  it('never answers the openid or session_key, and masks the openid in logs', async () => {
    const res = await call('POST', '/auth/wechat', { code: wechat.newCode('dave') });
    expect(res.status).toBe(200);
    const openid = wechat.openidOf('dave');
    expect(res.text).not.toContain(openid);
    expect(res.text).not.toMatch(/session_?key|openid/i);
    const me = await call('GET', '/me', undefined, res.json.accessToken);
    expect(me.text).not.toContain(openid);

    const logs = api.logs.text;
    expect(logs).toContain(maskOpenid(openid));
    expect(logs).not.toContain(openid);
    expect(logs).not.toMatch(/session_?key/i);
    expect(logs).not.toContain(wechat.secret);
  });

  it('answers a missing code with 400 naming the field, and a missing body with 400', async () => {
    const res = await call('POST', '/auth/wechat', {});
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'code', issue: '缺少微信登录凭证' }] });
    const empty = await call('POST', '/auth/wechat');
    expect(empty.status).toBe(400);
    expect(errorOf(empty)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ issue: '请求内容必须是 JSON 对象' }] });
  });

  it('answers a code presented twice (WeChat 40163) with 400 WECHAT_CODE_INVALID', async () => {
    const code = wechat.newCode('erin');
    expect((await call('POST', '/auth/wechat', { code })).status).toBe(200);
    const res = await call('POST', '/auth/wechat', { code });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'WECHAT_CODE_INVALID', details: [{ field: 'code' }] });
  });

  const cases: Array<[string, number, string, FakeFailure, string | null]> = [
    ['40029 invalid code', 400, 'WECHAT_CODE_INVALID', { errcode: 40029 }, null],
    ['40163 code used', 400, 'WECHAT_CODE_INVALID', { errcode: 40163 }, null],
    ['45011 rate limited', 429, 'WECHAT_RATE_LIMITED', { errcode: 45011 }, '60'],
    ['40226 risky user', 403, 'WECHAT_RISKY_USER', { errcode: 40226 }, null],
    ['-1 system busy', 503, 'WECHAT_BUSY', { errcode: -1 }, '3'],
    ['an unexpected errcode', 503, 'WECHAT_UNAVAILABLE', { errcode: 40013 }, '5'],
    ['HTTP 500', 503, 'WECHAT_UNAVAILABLE', { httpStatus: 500 }, '5'],
    ['a dropped connection', 503, 'WECHAT_UNAVAILABLE', 'destroy', '5'],
    ['no answer (timeout)', 503, 'WECHAT_UNAVAILABLE', 'hang', '5'],
  ];
  it.each(cases)('maps %s to %i %s', async (label, status, code, failure, retryAfter) => {
    const wxCode = `scripted-${label.replace(/\W+/g, '-')}`;
    wechat.scriptCode(wxCode, failure);
    const citizens = await getCitizenModel(api.db).countDocuments();
    const res = await call('POST', '/auth/wechat', { code: wxCode });
    expect(res.status).toBe(status);
    expect(errorOf(res).code).toBe(code);
    if (code === 'WECHAT_CODE_INVALID') expect(errorOf(res).details).toEqual([{ field: 'code', issue: expect.any(String) }]);
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(await getCitizenModel(api.db).countDocuments()).toBe(citizens);
  });
});

describe('refresh tokens', () => {
  it('stores only a hash of each refresh token', async () => {
    const login = await wechatLogin('frank');
    const hash = createHash('sha256').update(login.refreshToken).digest('hex');
    const RefreshToken = getRefreshTokenModel(api.db);
    expect(await RefreshToken.countDocuments({ tokenHash: hash, userId: login.user.id, userKind: 'citizen' })).toBe(1);
    const raw = await RefreshToken.collection.find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(login.refreshToken);
  });

  it('rotates: the old token works once, the new one works, and reuse revokes the whole family', async () => {
    const login = await wechatLogin('grace');
    const first = await call('POST', '/auth/refresh', { refreshToken: login.refreshToken });
    expect(first.status).toBe(200);
    const pair1 = tokenPairSchema.parse(first.json);
    expect(pair1.refreshToken).not.toBe(login.refreshToken);
    expect((await call('GET', '/me', undefined, pair1.accessToken)).json.id).toBe(login.user.id);

    const second = await call('POST', '/auth/refresh', { refreshToken: pair1.refreshToken });
    expect(second.status).toBe(200);
    const pair2 = tokenPairSchema.parse(second.json);

    // The first token comes back: someone holds a copy.
    const reuse = await call('POST', '/auth/refresh', { refreshToken: login.refreshToken });
    expect(reuse.status).toBe(401);
    expect(errorOf(reuse).code).toBe('REFRESH_TOKEN_REUSED');

    // Even the newest token of that sign-in is dead now.
    const newest = await call('POST', '/auth/refresh', { refreshToken: pair2.refreshToken });
    expect(newest.status).toBe(401);
    expect(errorOf(newest).code).toBe('REFRESH_TOKEN_INVALID');
    const family = await getRefreshTokenModel(api.db).find({ userId: login.user.id }).lean();
    expect(family).toHaveLength(3);
    expect(family.every((t) => t.revokedAt !== null)).toBe(true);

    // Another sign-in of the same citizen is untouched.
    const otherDevice = await wechatLogin('grace');
    expect((await call('POST', '/auth/refresh', { refreshToken: otherDevice.refreshToken })).status).toBe(200);
  });

  it('refuses an expired refresh token, and accepts one just before it expires', async () => {
    const ttlMs = api.config.tokens.refreshTtlDays * 86_400_000;
    const early = await wechatLogin('heidi');
    const late = await wechatLogin('heidi');
    clock.advance(ttlMs - 1000);
    expect((await call('POST', '/auth/refresh', { refreshToken: early.refreshToken })).status).toBe(200);
    clock.advance(2000);
    const res = await call('POST', '/auth/refresh', { refreshToken: late.refreshToken });
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('refuses unknown tokens with 401 and malformed ones with 400', async () => {
    const unknown = await call('POST', '/auth/refresh', { refreshToken: 'x'.repeat(43) });
    expect(unknown.status).toBe(401);
    expect(errorOf(unknown).code).toBe('REFRESH_TOKEN_INVALID');
    const malformed = await call('POST', '/auth/refresh', { refreshToken: 'short' });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'refreshToken' }] });
  });

  it('logs out: the sign-in is revoked; unknown tokens are accepted silently', async () => {
    const login = await wechatLogin('ivan');
    const rotated = tokenPairSchema.parse((await call('POST', '/auth/refresh', { refreshToken: login.refreshToken })).json);
    const out = await call('POST', '/auth/logout', { refreshToken: rotated.refreshToken });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    const after = await call('POST', '/auth/refresh', { refreshToken: rotated.refreshToken });
    expect(after.status).toBe(401);
    expect(errorOf(after).code).toBe('REFRESH_TOKEN_INVALID');
    expect((await call('POST', '/auth/logout', { refreshToken: 'y'.repeat(43) })).status).toBe(204);
  });
});

describe('dev login', () => {
  it('logs the same devUser into the same citizen and saves a given nickname', async () => {
    const first = await call('POST', '/auth/dev-login', { devUser: 'tester' });
    expect(first.status).toBe(200);
    const a = loginResultSchema.parse(first.json);
    expect(a.user.nickname).toBe(DEFAULT_NICKNAME);
    const second = loginResultSchema.parse((await call('POST', '/auth/dev-login', { devUser: 'tester', nickname: '测试员' })).json);
    expect(second.user.id).toBe(a.user.id);
    expect(second.user.nickname).toBe('测试员');
    const third = loginResultSchema.parse((await call('POST', '/auth/dev-login', { devUser: 'tester' })).json);
    expect(third.user.nickname).toBe('测试员');
    const other = loginResultSchema.parse((await call('POST', '/auth/dev-login', { devUser: 'tester-2' })).json);
    expect(other.user.id).not.toBe(a.user.id);
    expect(await getCitizenModel(api.db).countDocuments({ devUser: 'tester' })).toBe(1);
  });

  it('rejects a bad devUser with the field named', async () => {
    const res = await call('POST', '/auth/dev-login', { devUser: 'Not Valid!' });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'devUser' }] });
  });

  it('does not exist when disabled', async () => {
    const off = await startTestApi();
    try {
      const res = await call('POST', '/auth/dev-login', { devUser: 'tester' }, undefined, off.url);
      expect(res.status).toBe(404);
      expect(errorOf(res).code).toBe('NOT_FOUND');
      expect(await getCitizenModel(off.db).countDocuments()).toBe(0);
    } finally {
      await off.close();
    }
  });
});

describe('GET and PATCH /me', () => {
  let token: string;
  let id: string;
  beforeAll(async () => {
    const login = await wechatLogin('judy');
    token = login.accessToken;
    id = login.user.id;
  });

  it('needs a citizen token', async () => {
    const res = await call('GET', '/me');
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('UNAUTHENTICATED');
  });

  it('answers the profile', async () => {
    const res = await call('GET', '/me', undefined, token);
    expect(res.status).toBe(200);
    expect(meSchema.parse(res.json)).toMatchObject({ id, nickname: DEFAULT_NICKNAME, phoneMasked: null, points: 0 });
  });

  it('saves a nickname and a phone number, answering the number masked only', async () => {
    const res = await call('PATCH', '/me', { nickname: ' 小王 ', phone: '13812345678' }, token);
    expect(res.status).toBe(200);
    expect(meSchema.parse(res.json)).toMatchObject({ nickname: '小王', phoneMasked: '138****5678' });
    expect(res.text).not.toContain('13812345678');
    expect((await call('GET', '/me', undefined, token)).json.phoneMasked).toBe('138****5678');
    expect(await api.services.auth.getCitizenPhone(id)).toBe('13812345678');
    expect(api.logs.text).not.toContain('13812345678');
  });

  it('clears the phone number with null and keeps other fields', async () => {
    const res = await call('PATCH', '/me', { phone: null }, token);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ nickname: '小王', phoneMasked: null });
    expect(await api.services.auth.getCitizenPhone(id)).toBeNull();
  });

  const invalid: Array<[string, unknown, string]> = [
    ['a number that is not a mobile number', { phone: '12812345678' }, 'phone'],
    ['a too short number', { phone: '1381234567' }, 'phone'],
    ['a number as a JSON number', { phone: 13812345678 }, 'phone'],
    ['an empty nickname', { nickname: '   ' }, 'nickname'],
    ['a too long nickname', { nickname: '长'.repeat(21) }, 'nickname'],
  ];
  it.each(invalid)('rejects %s with the field named', async (_label, body, field) => {
    const res = await call('PATCH', '/me', body, token);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field }] });
  });

  it('rejects unknown fields, naming them', async () => {
    const res = await call('PATCH', '/me', { points: 1000 }, token);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ issue: '不支持的字段：points' }] });
    expect((await call('GET', '/me', undefined, token)).json.points).toBe(0);
  });

  it('gives other domains the citizen without the phone number', async () => {
    const citizen = await api.services.auth.getCitizen(id);
    expect(citizen).toMatchObject({ id, openid: wechat.openidOf('judy'), nickname: '小王', hasPhone: false });
    expect(citizen).not.toHaveProperty('points'); // balances belong to the points domain
    expect(await api.services.auth.getCitizen('not-an-id')).toBeNull();
    expect(await api.services.auth.getCitizen('0123456789abcdef01234567')).toBeNull();
  });
});
