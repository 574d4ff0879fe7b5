/**
 * The browser version opened inside WeChat (issue 18): WeChat web authorisation. The
 * page goes to open.weixin.qq.com (intercepted here: the real site is out of reach,
 * so the interception answers as WeChat does, redirecting back with code and state)
 * and the citizen is signed in by the code, with the loopback WeChat fake behind the API.
 */
import type { TestApi } from '../api/test/helpers/harness';
import { startFakeWeChat, type FakeWeChat } from '../api/test/fakes/wechat-server';
import { getCitizenModel } from '../api/src/auth/models';
import { openRoute, startApp } from './helpers/app';
import { openDevice, storageValue, type Device } from './helpers/browser';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003253) NetType/WIFI Language/zh_CN';

let api: TestApi;
let appUrl: string;
let wechat: FakeWeChat;
const devices: Device[] = [];

beforeAll(async () => {
  wechat = await startFakeWeChat();
  ({ api, appUrl } = await startApp({ ...wechat.webEnv, DEV_LOGIN_ENABLED: 'false' }));
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await api?.close();
  await wechat?.close();
});

it('signs a citizen in through WeChat web authorisation when the page is opened inside WeChat', async () => {
  const d = await openDevice('wechat-web', { userAgent: WECHAT_UA });
  devices.push(d);
  const page = d.page;
  const authorizations: URL[] = [];
  await d.context.route('https://open.weixin.qq.com/**', async (route) => {
    const asked = new URL(route.request().url());
    authorizations.push(asked);
    // WeChat sends the browser back to redirect_uri with ?code=…&state=… before the hash.
    const back = new URL(asked.searchParams.get('redirect_uri')!);
    const target = `${api.url}${back.pathname}${back.search}&code=${wechat.newCode('wx-web-citizen')}&state=${encodeURIComponent(asked.searchParams.get('state')!)}${back.hash}`;
    await route.fulfill({ status: 302, headers: { location: target } });
  });

  await openRoute(page, appUrl, 'pages/login/index');
  await page.waitForFunction(() => !location.hash.includes('pages/login'), undefined, { timeout: 20_000 });
  expect(authorizations).toHaveLength(1);
  expect(authorizations[0]!.searchParams.get('scope')).toBe('snsapi_base');
  const session = await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen');
  expect(session?.accessToken).toBeTruthy();
  const me = (await (await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${session!.accessToken}` } })).json()) as { id: string };
  expect((await getCitizenModel(api.db).findById(me.id).lean())?.webOpenid).toBe(wechat.webOpenidOf('wx-web-citizen'));
  // The code is gone from the address bar.
  expect(page.url()).not.toContain('code=');
});
