import { webLoginResultSchema } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, postJson } from './helpers/citizens';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { getCitizenModel } from '../src/auth/models';

/** WeChat web authorisation for the browser version opened inside WeChat, against the loopback WeChat fake. */
let wechat: FakeWeChat;
let api: TestApi;
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({ clock, env: { ...wechat.webEnv, PUBLIC_BASE_URL: 'https://ssp.example.gov.cn' } });
});
afterAll(async () => {
  await api.close();
  await wechat.close();
});

async function authorize(returnTo?: string): Promise<URL> {
  const res = await getJson(api, `/auth/wechat-web/authorize-url${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
  expect(res.status).toBe(200);
  return new URL(res.body.url as string);
}

describe('WeChat web authorisation', () => {
  it('sends the browser to WeChat with a signed state and signs it in on return, as the same citizen each time', async () => {
    expect((await getJson(api, '/auth/options')).body).toMatchObject({ wechatWeb: true });
    const url = await authorize('pages/my-reports/index');
    expect(url.origin + url.pathname).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
    expect(url.hash).toBe('#wechat_redirect');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      appid: 'wx-fake-web-appid',
      response_type: 'code',
      scope: 'snsapi_base',
      redirect_uri: 'https://ssp.example.gov.cn/app/?wxweb=1#/pages/login/index',
    });
    const state = url.searchParams.get('state')!;

    const login = await postJson(api, '/auth/wechat-web/login', { code: wechat.newCode('web-alice'), state });
    expect(login.status).toBe(200);
    const result = webLoginResultSchema.parse(login.body);
    expect(result.returnTo).toBe('pages/my-reports/index');
    const citizen = await getCitizenModel(api.db).findById(result.user.id).lean();
    expect(citizen?.webOpenid).toBe(wechat.webOpenidOf('web-alice'));

    const again = webLoginResultSchema.parse(
      (await postJson(api, '/auth/wechat-web/login', { code: wechat.newCode('web-alice'), state: (await authorize()).searchParams.get('state')! }))
        .body,
    );
    expect(again.user.id).toBe(result.user.id);
  });

  it('refuses a forged, expired or reused login, and returns only to the app’s own pages', async () => {
    const state = (await authorize()).searchParams.get('state')!;
    const forged = `${state.split('.')[0]}.${'x'.repeat(43)}`;
    const bad = await postJson(api, '/auth/wechat-web/login', { code: wechat.newCode('web-bob'), state: forged });
    expect([bad.status, bad.body.error.details[0].field]).toEqual([400, 'state']);

    const code = wechat.newCode('web-bob');
    expect((await postJson(api, '/auth/wechat-web/login', { code, state })).status).toBe(200);
    const reused = await postJson(api, '/auth/wechat-web/login', { code, state });
    expect([reused.status, reused.body.error.code]).toEqual([400, 'WECHAT_CODE_INVALID']);

    const old = (await authorize()).searchParams.get('state')!;
    clock.advance(11 * 60_000);
    expect((await postJson(api, '/auth/wechat-web/login', { code: wechat.newCode('web-bob'), state: old })).status).toBe(400);

    expect((await getJson(api, '/auth/wechat-web/authorize-url?returnTo=https%3A%2F%2Fevil.example')).status).toBe(400);
  });

  it('is off unless a service account is configured', async () => {
    const bare = await startTestApi({});
    try {
      expect((await getJson(bare, '/auth/options')).body).toMatchObject({ wechatWeb: false });
      expect((await getJson(bare, '/auth/wechat-web/authorize-url')).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
