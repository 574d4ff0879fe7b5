/**
 * A claimed reward from the citizen's phone to the centre's desk and back: a citizen claims
 * an umbrella in the H5 app, an administrator hands it over in the staff console (at
 * 1440×900) with a parcel number, and the citizen's 我的兑换 shows it delivered with that number.
 * Needs both builds: the H5 app (npm run build:h5 -w miniapp) and the console (built here if missing).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { TestApi } from '../api/test/helpers/harness';
import { citizenClient, staffClient } from './helpers/api';
import { citizenLogin, createStaff, openRoute, startApp } from './helpers/app';
import { SCREENSHOT_DIR, byTestId, openDevice, shot, type Device } from './helpers/browser';
import { CONSOLE_DIST, consoleSignIn, ensureConsoleBuild } from './helpers/console';

let api: TestApi;
let appUrl: string;
const devices: Device[] = [];

beforeAll(async () => {
  ensureConsoleBuild();
  ({ api, appUrl } = await startApp({ CONSOLE_DIST_DIR: CONSOLE_DIST }));
}, 300_000);

afterAll(async () => {
  const errors = devices.flatMap((d) => d.errors);
  for (const d of devices) await d.close();
  await api?.close();
  if (errors.length) throw new Error(`uncaught errors:\n${errors.join('\n')}`);
});

async function deskShot(page: Page, name: string): Promise<void> {
  const dir = path.join(SCREENSHOT_DIR, 'console');
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

it('an administrator hands over a claimed reward in the console, and the citizen sees it delivered in the app', async () => {
  const phone = await openDevice('reward-citizen');
  devices.push(phone);
  await citizenLogin(phone.page, appUrl, 'reward-amy', '市民阿美');
  const amy = await citizenClient(phone.page, api.url);
  const me = await amy.call('getMe');

  const admin = await createStaff(api, 'admin');
  const adminApi = await staffClient(api.url, admin.username, admin.password);
  await adminApi.call('adjustPoints', { body: { citizenId: me.id, amount: 80, reason: '参与文明城市活动奖励' } });
  await amy.call('claimReward', { params: { id: 'civic-gift-umbrella' }, body: { clientRequestId: randomUUID() } });
  await openRoute(phone.page, appUrl, 'packagePublic/claims/index');
  await byTestId(phone.page, 'claims').filter({ hasText: '待发放' }).waitFor();

  const desk = await openDevice('reward-desk', { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  devices.push(desk);
  await consoleSignIn(desk.page, `${api.url}/console/`, admin);
  await desk.page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '兑换发放' }).click();
  const row = desk.page.getByTestId('claim-row-市民阿美');
  await row.getByTestId('claim-fulfil').click();
  await desk.page.getByTestId('claim-code').fill('SF9876543210');
  await desk.page.getByTestId('claim-submit').click();
  await row.waitFor({ state: 'detached' });
  await deskShot(desk.page, '30-handover-desk');

  await openRoute(phone.page, appUrl, 'packagePublic/claims/index');
  await phone.page.reload();
  const list = byTestId(phone.page, 'claims');
  await list.filter({ hasText: '已发放' }).waitFor();
  expect(await list.innerText()).toContain('凭证：SF9876543210');
  await shot(phone.page, 'console-handover-citizen-claims');
});
