/**
 * The administrator's points desk and the last step of a claim, in the staff console at
 * 1440×900 against the real API and database: an administrator finds a citizen by the tail
 * of their phone number, adds 50 points with a reason (confirmed first), and the ledger shows
 * the line with the reason and the operator; a deduction below zero is refused on the amount.
 * Then a reward the citizen claimed is shipped and marked delivered, and the citizen's
 * 我的兑换 in the H5 app shows 已送达 with the date.
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

/** An Ant Design input by its test id, wherever the id landed (on the input, or on its wrapper). */
const inputOf = (page: Page, id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

async function deskShot(page: Page, name: string): Promise<void> {
  const dir = path.join(SCREENSHOT_DIR, 'console');
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

it('an administrator finds a citizen and adjusts points with a reason; a shipped reward is marked delivered and the citizen sees 已送达', async () => {
  // ---- the citizen, signed in on the phone, with a bound number
  const phone = await openDevice('points-citizen');
  devices.push(phone);
  await citizenLogin(phone.page, appUrl, 'points-lin', '市民小林');
  const lin = await citizenClient(phone.page, api.url);
  await lin.call('updateMe', { body: { phone: '13812345678' } });
  const me = await lin.call('getMe');
  expect((await lin.call('getMyPoints')).balance).toBe(0);

  // ---- the administrator finds them by the phone tail
  const admin = await createStaff(api, 'admin');
  const desk = await openDevice('points-desk', { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  devices.push(desk);
  const page = desk.page;
  await consoleSignIn(page, `${api.url}/console/`, admin);
  await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '积分调整' }).click();
  await inputOf(page, 'citizen-search').fill('5678');
  await inputOf(page, 'citizen-search').press('Enter');
  const row = page.getByTestId('citizen-row-市民小林');
  await row.waitFor();
  expect(await row.innerText()).toContain('138****5678');
  expect(await page.locator('body').innerText()).not.toContain('13812345678');
  await row.getByTestId('citizen-select').click();
  const balance = page.getByTestId('points-balance');
  await balance.filter({ hasText: '0' }).waitFor();
  await deskShot(page, '40-points-citizen-found');

  // ---- +50 with a reason, confirmed
  await page.getByTestId('points-adjust').click();
  await inputOf(page, 'adjust-points').fill('50');
  await page.getByTestId('adjust-reason').fill('参加文明城市志愿活动补发积分');
  await page.getByTestId('adjust-submit').click();
  await page.getByTestId('adjust-confirm-text').filter({ hasText: '增加 50 积分' }).waitFor();
  expect(await page.getByTestId('adjust-confirm-text').innerText()).toContain('参加文明城市志愿活动补发积分');
  await deskShot(page, '41-points-adjust-confirm');
  await page.getByTestId('adjust-confirm').click();
  await balance.filter({ hasText: '50' }).waitFor();

  const ledger = page.getByTestId('points-ledger');
  const line = ledger.locator('tbody tr.ant-table-row').first();
  await line.filter({ hasText: '+50' }).waitFor();
  const lineText = await line.innerText();
  expect(lineText).toContain('人工调整');
  expect(lineText).toContain('参加文明城市志愿活动补发积分');
  expect(lineText).toContain(admin.displayName);
  await deskShot(page, '42-points-adjusted-ledger');

  // The citizen's balance, through the API, is 50 more.
  expect((await lin.call('getMyPoints')).balance).toBe(50);
  const audit = await (await staffClient(api.url, admin.username, admin.password)).call('citizenPointsHistory', { params: { id: me.id } });
  expect(audit.items[0]).toMatchObject({ amount: 50, note: '参加文明城市志愿活动补发积分', operator: { displayName: admin.displayName } });

  // ---- a deduction below zero is refused on the amount field
  await page.getByTestId('points-adjust').click();
  await page.locator('.ant-modal .ant-radio-button-wrapper', { hasText: '扣减' }).click();
  await inputOf(page, 'adjust-points').fill('80');
  await page.getByTestId('adjust-reason').fill('误操作扣回');
  await page.getByTestId('adjust-submit').click();
  await page.getByTestId('adjust-confirm-text').filter({ hasText: '扣减 80 积分' }).waitFor();
  await page.getByTestId('adjust-confirm').click();
  const amountError = page.locator('.ant-modal .ant-form-item-explain-error', { hasText: '当前积分为 50' });
  await amountError.waitFor();
  await deskShot(page, '43-points-below-zero-refused');
  await page.locator('.ant-modal-footer button', { hasText: '取消' }).click();
  expect((await lin.call('getMyPoints')).balance).toBe(50);

  // ---- a claimed reward: shipped, then delivered
  const adminApi = await staffClient(api.url, admin.username, admin.password);
  await adminApi.call('adjustPoints', { body: { citizenId: me.id, amount: 20, reason: '兑换测试补足积分' } });
  await lin.call('claimReward', { params: { id: 'civic-gift-umbrella' }, body: { clientRequestId: randomUUID() } });

  await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '兑换发放' }).click();
  const pending = page.getByTestId('claim-row-市民小林');
  await pending.getByTestId('claim-fulfil').click();
  await page.getByTestId('claim-code').fill('SF1122334455');
  await page.getByTestId('claim-submit').click();
  await pending.waitFor({ state: 'detached' });

  await page.locator('.ant-tabs-tab', { hasText: '已发放' }).click();
  const shipped = page.getByTestId('claim-row-市民小林');
  await shipped.locator('.ant-tag', { hasText: '已发放' }).waitFor();
  await shipped.getByTestId('claim-deliver').click();
  await page.getByTestId('claim-deliver-confirm').click();
  await shipped.locator('.ant-tag', { hasText: '已送达' }).waitFor();
  await shipped.getByTestId('claim-deliver').waitFor({ state: 'detached' });
  await deskShot(page, '44-claim-delivered');

  // ---- the citizen sees 已送达 with the date
  await openRoute(phone.page, appUrl, 'packagePublic/claims/index');
  await phone.page.reload();
  const list = byTestId(phone.page, 'claims');
  await list.filter({ hasText: '已送达' }).waitFor();
  const text = await list.innerText();
  expect(text).toContain('凭证：SF1122334455');
  expect(text).toMatch(/送达时间：(\d{4}年)?\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
  const [claim] = (await lin.call('listMyClaims', { query: {} })).items;
  expect(claim).toMatchObject({ status: 'fulfilled', statusName: '已送达' });
  expect(claim!.deliveredAt).not.toBeNull();
  await shot(phone.page, 'console-delivered-citizen-claims');
});
