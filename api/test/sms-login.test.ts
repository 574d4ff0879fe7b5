import { loginResultSchema } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, postJson } from './helpers/citizens';
import { startFakeSmsGateway } from './fakes/sms-gateway';

/** Browser sign-in by phone number and SMS code, against a loopback SMS gateway. */
let sms: Awaited<ReturnType<typeof startFakeSmsGateway>>;
let api: TestApi;
let bare: TestApi;
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));

beforeAll(async () => {
  sms = await startFakeSmsGateway('gateway-key');
  api = await startTestApi({ clock, env: { SMS_PROVIDER_URL: sms.url, SMS_PROVIDER_KEY: 'gateway-key', LOGIN_RATE_PER_MINUTE: '1000' } });
  bare = await startTestApi({});
});
afterAll(async () => {
  await api.close();
  await bare.close();
  await sms.close();
});

const next = () => {
  clock.advance(61_000);
  sms.forgetRecent();
};

describe('sign-in by SMS code', () => {
  it('signs in with the code sent, once, as the same citizen every time', async () => {
    expect((await getJson(api, '/auth/options')).body).toEqual({ sms: true, wechatWeb: false, devLogin: false });
    const sent = await postJson(api, '/auth/sms/code', { phone: '13800138000' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ resendAfterSeconds: 60 });
    const code = sms.codeFor('13800138000')!;
    expect(code).toMatch(/^\d{6}$/);
    // Only a hash of the code is stored.
    const stored = await api.db.collection('sms_codes').findOne({ _id: '13800138000' as never });
    expect(JSON.stringify(stored)).not.toContain(code);

    const login = await postJson(api, '/auth/sms/login', { phone: '13800138000', code });
    expect(login.status).toBe(200);
    const first = loginResultSchema.parse(login.body);
    expect((await getJson(api, '/me', { authorization: `Bearer ${first.accessToken}` })).body.phoneMasked).toBe('138****8000');
    // Used up.
    expect((await postJson(api, '/auth/sms/login', { phone: '13800138000', code })).status).toBe(400);

    next();
    await postJson(api, '/auth/sms/code', { phone: '13800138000' });
    const again = loginResultSchema.parse((await postJson(api, '/auth/sms/login', { phone: '13800138000', code: sms.codeFor('13800138000')! })).body);
    expect(again.user.id).toBe(first.user.id);
  });

  it('limits sends per number, expires codes, and burns a code after five wrong tries', async () => {
    const phone = '13900139000';
    expect((await postJson(api, '/auth/sms/code', { phone })).status).toBe(200);
    const tooSoon = await postJson(api, '/auth/sms/code', { phone });
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.details[0].field).toBe('phone');

    const code = sms.codeFor(phone)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await postJson(api, '/auth/sms/login', { phone, code: wrong });
      expect([res.status, res.body.error.details[0].field]).toEqual([400, 'code']);
    }
    const sixth = await postJson(api, '/auth/sms/login', { phone, code });
    expect(sixth.status).toBe(429);
    expect((await postJson(api, '/auth/sms/login', { phone, code })).status).toBe(400);

    next();
    await postJson(api, '/auth/sms/code', { phone });
    clock.advance(5 * 60_000 + 1);
    const expired = await postJson(api, '/auth/sms/login', { phone, code: sms.codeFor(phone)! });
    expect(expired.status).toBe(400);
    expect(expired.body.error.message).toContain('失效');

    // Ten sends a day, then no more until tomorrow.
    const busy = '13700137000';
    for (let i = 0; i < 10; i++) {
      expect((await postJson(api, '/auth/sms/code', { phone: busy })).status).toBe(200);
      next();
    }
    expect((await postJson(api, '/auth/sms/code', { phone: busy })).status).toBe(429);
  });

  it('refuses bad input, an unavailable gateway, and a deployment without SMS', async () => {
    const bad = await postJson(api, '/auth/sms/code', { phone: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('phone');
    expect((await postJson(api, '/auth/sms/login', { phone: '13800138000', code: '12ab56' })).status).toBe(400);
    next();
    sms.setDown(true);
    const down = await postJson(api, '/auth/sms/code', { phone: '13600136000' });
    sms.setDown(false);
    expect(down.status).toBe(503);
    // The provider's own minute (its clock, not the API's) answers 429: the citizen is told to wait, not of an outage.
    next();
    expect((await postJson(api, '/auth/sms/code', { phone: '13500135000' })).status).toBe(200);
    clock.advance(61_000);
    const providerLimited = await postJson(api, '/auth/sms/code', { phone: '13500135000' });
    expect([providerLimited.status, providerLimited.body.error.code, providerLimited.body.error.details[0].field]).toEqual([
      429,
      'RATE_LIMITED',
      'phone',
    ]);
    expect((await getJson(bare, '/auth/options')).body).toEqual({ sms: false, wechatWeb: false, devLogin: false });
    expect((await postJson(bare, '/auth/sms/code', { phone: '13800138000' })).status).toBe(404);
  });
});

describe('SMS sign-in limits per address and in the logs', () => {
  it('counts code requests and tries from one IP address together, whatever the number', async () => {
    const strict = await startTestApi({ clock, env: { SMS_PROVIDER_URL: sms.url, SMS_PROVIDER_KEY: 'gateway-key', LOGIN_RATE_PER_MINUTE: '3' } });
    try {
      next();
      for (const phone of ['13100131001', '13100131002', '13100131003']) {
        expect((await postJson(strict, '/auth/sms/code', { phone })).status).toBe(200);
      }
      const fourth = await postJson(strict, '/auth/sms/code', { phone: '13100131004' });
      expect([fourth.status, fourth.body.error.code]).toEqual([429, 'RATE_LIMITED']);
      expect(sms.codeFor('13100131004')).toBeUndefined();
      const guess = await postJson(strict, '/auth/sms/login', { phone: '13100131001', code: sms.codeFor('13100131001')! });
      expect(guess.status).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('never writes a full phone number or a code to the logs', async () => {
    next();
    const phone = '15800158000';
    expect((await postJson(api, '/auth/sms/code', { phone })).status).toBe(200);
    const code = sms.codeFor(phone)!;
    expect((await postJson(api, '/auth/sms/login', { phone, code: code === '000000' ? '111111' : '000000' })).status).toBe(400);
    expect((await postJson(api, '/auth/sms/login', { phone, code })).status).toBe(200);
    sms.setDown(true);
    next();
    expect((await postJson(api, '/auth/sms/code', { phone })).status).toBe(503);
    sms.setDown(false);
    expect(api.logs.text).toContain('158****8000');
    expect(api.logs.text).not.toContain(phone);
    expect(api.logs.text).not.toMatch(new RegExp(`\\b${code}\\b`));
  });
});
