/**
 * Signing in from a browser outside WeChat (issue 18): phone number and SMS code,
 * against a loopback SMS gateway. The development login stays off unless configured.
 */
import type { TestApi } from '../api/test/helpers/harness';
import { startFakeSmsGateway } from '../api/test/fakes/sms-gateway';
import { openRoute, startApp } from './helpers/app';
import { byTestId, fill, openDevice, storageValue, tap, type Device } from './helpers/browser';

let api: TestApi;
let appUrl: string;
let sms: Awaited<ReturnType<typeof startFakeSmsGateway>>;
const devices: Device[] = [];

beforeAll(async () => {
  sms = await startFakeSmsGateway('e2e-sms-key');
  ({ api, appUrl } = await startApp({ SMS_PROVIDER_URL: sms.url, SMS_PROVIDER_KEY: 'e2e-sms-key', DEV_LOGIN_ENABLED: 'false' }));
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await api?.close();
  await sms?.close();
});

it('signs a citizen in with a phone number and the code the SMS brought; no development login offered', async () => {
  const d = await openDevice('sms-login');
  devices.push(d);
  const page = d.page;
  await openRoute(page, appUrl, 'pages/login/index');
  await byTestId(page, 'sms-login').waitFor();
  expect(await byTestId(page, 'login-devuser').count()).toBe(0);
  await fill(page, 'sms-phone', '13800138000');
  await tap(page, 'sms-send');
  await byTestId(page, 'sms-send').filter({ hasText: '秒后重发' }).waitFor();
  const code = sms.codeFor('13800138000')!;
  expect(code).toMatch(/^\d{6}$/);
  await fill(page, 'sms-code', code);
  await tap(page, 'sms-submit');
  await page.waitForFunction(() => !location.hash.includes('pages/login'));
  const session = await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen');
  expect(session?.accessToken).toBeTruthy();
  const me = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${session!.accessToken}` } });
  expect(((await me.json()) as { phoneMasked: string }).phoneMasked).toBe('138****8000');
});
