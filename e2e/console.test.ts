/**
 * The staff console (console/, served by the API at /console/) in Chromium at a desk's
 * 1440×900: a dispatcher finds an overdue case with the queue's filters, on the list and on
 * the map (tiles from a loopback tile server), and dispatches it (and a stale action is
 * refused with a clear message); the department reports it handled
 * with an after-photo dropped into the upload; a supervisor verifies it and the case is
 * closed; an operator merges a duplicate report after comparing it side by side with the
 * original; an administrator creates a staff account and hands over a citizen's claimed
 * reward. Screenshots of each screen go to test-artifacts/screenshots/console/.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { ApiClient, PublicDepartment } from '@ssp/shared';
import { startTestApi, type TestApi } from '../api/test/helpers/harness';
import { demoCity, offset } from '../api/test/helpers/city';
import { staffClient } from './helpers/api';
import { MovableClock, createStaff, jpegFile, removeTempFiles, type DemoCity } from './helpers/app';
import { SCREENSHOT_DIR, openDevice, type Device } from './helpers/browser';

const REPO = path.resolve(__dirname, '..');
const CONSOLE_DIR = path.join(REPO, 'console');
const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');
const SHOTS = path.join(SCREENSHOT_DIR, 'console');
const DAY_MS = 86_400_000;

/** The newest modification time of the files under `dir` (sources the build reads). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds the console when its build is missing or older than its sources or shared/ (npm test builds it first anyway). */
function ensureConsoleBuild(): void {
  const index = path.join(CONSOLE_DIST, 'index.html');
  const stale =
    !existsSync(index) || statSync(index).mtimeMs < Math.max(newest(path.join(CONSOLE_DIR, 'src')), newest(path.join(REPO, 'shared', 'src')));
  if (stale) execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

let api: TestApi;
let city: DemoCity;
let consoleUrl: string;
let device: Device;
let page: Page;
let department: PublicDepartment;
let overdueCase: { id: string; caseNo: string };
let freshCase: { id: string; caseNo: string };
const bulkCases: { id: string; caseNo: string }[] = [];
let dispatcherApi: ApiClient;
let tiles: http.Server;
const tileRequests: string[] = [];
const accounts = {} as Record<
  'operator' | 'dispatcher' | 'department' | 'supervisor' | 'admin',
  { username: string; password: string; displayName: string }
>;
let alice: ApiClient;
let duplicates: { original: string; duplicate: string; originalNo: string; duplicateNo: string };

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // Let antd's transitions (drawer, modal, messages) settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function report(citizen: ApiClient, description: string, at = city.point): Promise<string> {
  const form = new FormData();
  form.append('photos', new Blob([readFileSync(await jpegFile('before'))], { type: 'image/jpeg' }), 'before.jpg');
  const { photos } = await citizen.call('uploadPhotos', { body: form });
  const created = await citizen.call('createReport', {
    body: { categoryId: city.publicCategory.id, description, location: at, photoIds: [photos[0]!.id], clientRequestId: randomUUID() },
  });
  return created.id;
}

async function signIn(account: { username: string; password: string; displayName: string }): Promise<void> {
  await page.goto(`${consoleUrl}`);
  await page.waitForURL(/\/console\/login/);
  await page.getByTestId('login-username').fill(account.username);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-name').filter({ hasText: account.displayName }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByTestId('sign-out').click();
  await page.waitForURL(/\/console\/login/);
}

/** The visible menu entries of the side menu. */
async function menuEntries(): Promise<string[]> {
  return (await page.locator('[data-testid="side-menu"] .ant-menu-title-content').allInnerTexts()).map((t) => t.trim());
}

function row(caseNo: string) {
  return page.getByTestId(`case-row-${caseNo}`);
}

async function openCase(caseNo: string): Promise<void> {
  await row(caseNo).click();
  await page.getByTestId('case-detail').waitFor();
  await page.locator('.ant-drawer-title', { hasText: caseNo }).waitFor();
}

/** Reads until the value passes the check (a few seconds at most), and answers the last read. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await page.waitForTimeout(100);
  }
}

async function drawerState(): Promise<string> {
  return (await page.locator('.ant-drawer-extra .ant-tag').innerText()).trim();
}

beforeAll(async () => {
  ensureConsoleBuild();
  // The map's tiles: one plain tile for every address, from loopback.
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#e8eef3' } })
    .png()
    .toBuffer();
  tiles = http.createServer((req, res) => {
    tileRequests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.end(tile);
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const tileUrl = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}/{s}/{z}/{x}/{y}.png`;
  const clock = new MovableClock();
  api = await startTestApi({
    env: { DEV_LOGIN_ENABLED: 'true', CONSOLE_DIST_DIR: CONSOLE_DIST, MAP_TILE_URL: tileUrl, MAP_TILE_SUBDOMAINS: 'a' },
    clock,
  });
  city = await demoCity(api);
  consoleUrl = `${api.url}/console/`;
  department = (await api.services.catalogue.listDepartments()).find((d) => d.id === city.departmentIds[0])!;
  accounts.dispatcher = await createStaff(api, 'dispatcher');
  accounts.department = await createStaff(api, 'department', department.id);
  accounts.supervisor = await createStaff(api, 'supervisor');
  const operator = await createStaff(api, 'operator');
  accounts.operator = operator;
  const operatorApi = await staffClient(api.url, operator.username, operator.password);
  dispatcherApi = await staffClient(api.url, accounts.dispatcher.username, accounts.dispatcher.password);
  const { accessToken, user } = await api.client().call('devLogin', { body: { devUser: 'console-alice', nickname: '市民小刘' } });
  alice = api.client(accessToken);
  // Points from an administrator's adjustment, spent on an umbrella that waits to be handed over.
  accounts.admin = await createStaff(api, 'admin');
  const adminApi = await staffClient(api.url, accounts.admin.username, accounts.admin.password);
  await adminApi.call('adjustPoints', { body: { citizenId: user.id, amount: 100, reason: '控制台测试：参与活动奖励' } });
  await alice.call('claimReward', { params: { id: 'civic-gift-umbrella' }, body: { clientRequestId: randomUUID() } });

  // Three weeks ago a report was filed and never dispatched: it is long past its deadline now.
  clock.advance(-21 * DAY_MS);
  const oldId = await report(alice, '人行道井盖缺失，行人容易踩空');
  const filed = await operatorApi.call('getStaffCase', { params: { id: oldId } });
  await operatorApi.call('actOnCase', { params: { id: oldId }, body: { action: 'file', version: filed.version } });
  clock.advance(21 * DAY_MS);
  // Today's report, filed just now: within its time limit.
  const newId = await report(alice, '路灯杆倾斜', offset(city.point, 120, 80));
  const fresh = await operatorApi.call('getStaffCase', { params: { id: newId } });
  await operatorApi.call('actOnCase', { params: { id: newId }, body: { action: 'file', version: fresh.version } });

  // Two more for a bulk dispatch.
  for (const [i, text] of ['护栏破损', '广告牌松动'].entries()) {
    const id = await report(alice, text, offset(city.point, -150 * (i + 1), 60));
    const seen = await operatorApi.call('getStaffCase', { params: { id } });
    const filedNow = await operatorApi.call('actOnCase', { params: { id }, body: { action: 'file', version: seen.version } });
    bulkCases.push({ id, caseNo: filedNow.caseNo });
  }

  // The same overflowing bin reported twice, 20 m apart, both waiting for acceptance.
  const original = await report(alice, '垃圾桶满溢，周边散落垃圾', offset(city.point, 300, -200));
  const duplicate = await report(alice, '这里的垃圾桶又满了', offset(city.point, 315, -190));
  duplicates = {
    original,
    duplicate,
    originalNo: (await operatorApi.call('getStaffCase', { params: { id: original } })).caseNo,
    duplicateNo: (await operatorApi.call('getStaffCase', { params: { id: duplicate } })).caseNo,
  };

  const old = await operatorApi.call('getStaffCase', { params: { id: oldId } });
  expect(old.overdue).toBe(true);
  overdueCase = { id: old.id, caseNo: old.caseNo };
  freshCase = { id: newId, caseNo: (await operatorApi.call('getStaffCase', { params: { id: newId } })).caseNo };

  device = await openDevice('console', { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = device.page;
}, 300_000);

afterAll(async () => {
  if (page) await shot('last').catch(() => undefined);
  await device?.close();
  await api?.close();
  await new Promise<void>((resolve) => (tiles ? tiles.close(() => resolve()) : resolve()));
  removeTempFiles();
  if (device?.errors.length) throw new Error(`uncaught errors in the console:\n${device.errors.join('\n')}`);
});

describe('the staff console', () => {
  it('a dispatcher finds the overdue case with a filter and dispatches it; a stale action gets a clear message', async () => {
    await page.goto(consoleUrl);
    await page.waitForURL(/\/console\/login/);
    await shot('01-login');
    await signIn(accounts.dispatcher);
    // The menu holds what a dispatcher may do, and nothing else.
    expect(await menuEntries()).toEqual(['工作台首页', '案件调度台']);
    await shot('02-home-dispatcher');

    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '案件调度台' }).click();
    await page.waitForURL(/\/console\/desk/);
    // The dispatcher's first queue is 待派遣: both filed cases, the overdue one first.
    await row(overdueCase.caseNo).waitFor();
    await row(freshCase.caseNo).waitFor();
    const order = await page.locator('[data-testid^="case-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(order.indexOf(`case-row-${overdueCase.caseNo}`)).toBeLessThan(order.indexOf(`case-row-${freshCase.caseNo}`));

    // Only overdue cases: the fresh one goes.
    await page.getByTestId('filter-overdue').click();
    await page.getByTestId('filter-apply').click();
    await row(freshCase.caseNo).waitFor({ state: 'detached' });
    await row(overdueCase.caseNo).waitFor();
    await expect(row(overdueCase.caseNo).locator('.ant-tag', { hasText: '超期' }).count()).resolves.toBe(1);
    await expect(row(overdueCase.caseNo).getByTestId('countdown').innerText()).resolves.toMatch(/^已超期/);
    await shot('03-dispatch-desk-overdue');

    // Search by case number finds exactly that case.
    await page.getByTestId('filter-overdue').click();
    await page.getByTestId('filter-q').locator('input').fill(freshCase.caseNo);
    await page.getByTestId('filter-q').locator('input').press('Enter');
    await row(overdueCase.caseNo).waitFor({ state: 'detached' });
    await row(freshCase.caseNo).waitFor();
    await page.getByTestId('filter-q').locator('input').fill('');
    await page.getByTestId('filter-apply').click();
    await row(overdueCase.caseNo).waitFor();

    // The map: the grids, the deployment's tiles, and with 只看超期 on, the overdue case's marker alone.
    await page.getByTestId('filter-overdue').click();
    await page.getByTestId('filter-apply').click();
    await page.getByTestId('view-toggle').getByText('地图').click();
    await page.waitForURL(/view=map/);
    await page.getByTestId('case-map').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0, undefined, { timeout: 15_000 });
    expect(tileRequests.some((u) => /^\/a\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0);
    const marker = page.locator(`.leaflet-marker-icon[title="${overdueCase.caseNo}"]`);
    await marker.waitFor();
    await expect(page.locator(`.leaflet-marker-icon[title="${freshCase.caseNo}"]`).count()).resolves.toBe(0);
    await shot('04-map-overdue');

    // The case, opened from its marker: its photo, its timeline, and the actions a dispatcher may take on a filed case.
    await marker.click();
    await page.getByTestId('case-detail').waitFor();
    await page.locator('.ant-drawer-title', { hasText: overdueCase.caseNo }).waitFor();
    await page.getByTestId('case-photos').locator('img').first().waitFor();
    await expect(page.getByTestId('case-timeline').innerText()).resolves.toContain('立案');
    await expect(page.getByTestId('case-actions').locator('button').allInnerTexts()).resolves.toEqual(['派遣', '转办上级平台']);
    await shot('05-case-detail');

    // D opens the dispatch form (the footer lists the keys).
    await expect(page.getByTestId('key-hints').innerText()).resolves.toContain('D 派遣');
    await page.keyboard.press('d');
    await page.locator('.ant-modal [data-testid="action-department"]').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: department.name }).first().click();
    await page.locator('.ant-modal textarea').fill('请尽快到场处置');
    await shot('06-dispatch-form');
    await page.getByTestId('action-submit').click();
    await page.locator('.ant-message', { hasText: '办理成功' }).waitFor();
    await page.locator('.ant-drawer-extra .ant-tag', { hasText: '已派遣' }).waitFor();
    const dispatched = await dispatcherApi.call('getStaffCase', { params: { id: overdueCase.id } });
    expect([dispatched.state, dispatched.departmentId]).toEqual(['dispatched', department.id]);
    await shot('07-dispatched');
    await page.locator('.ant-drawer-close').click();
    await marker.waitFor({ state: 'detached' });
    // Back to the list, all filed cases.
    await page.getByTestId('view-toggle').getByText('列表').click();
    await page.getByTestId('filter-overdue').click();
    await page.getByTestId('filter-apply').click();
    await row(freshCase.caseNo).waitFor();

    // Someone else dispatches the fresh case while this dispatcher has it open: the console says so.
    await openCase(freshCase.caseNo);
    const seen = await dispatcherApi.call('getStaffCase', { params: { id: freshCase.id } });
    await dispatcherApi.call('actOnCase', {
      params: { id: freshCase.id },
      body: { action: 'dispatch', version: seen.version, departmentId: city.departmentIds[1] },
    });
    await page.getByTestId('action-dispatch').click();
    await page.getByTestId('action-submit').click();
    // The form closes, the drawer says why and shows the case as it is now.
    const notice = page.getByTestId('case-conflict');
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/已被他人处理.*最新/);
    await page.locator('.ant-drawer-extra .ant-tag', { hasText: '已派遣' }).waitFor();
    await expect(page.getByTestId('action-dispatch').count()).resolves.toBe(0);
    await shot('08-conflict');
    await page.locator('.ant-drawer-close').click();

    // Bulk dispatch: two filed cases, ticked in the list, to one department at once.
    for (const c of bulkCases) await row(c.caseNo).locator('.ant-checkbox-input').check();
    await page.getByTestId('bulk-dispatch').click();
    await page.locator('.ant-modal [data-testid="bulk-department"]').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: department.name }).first().click();
    await shot('09-bulk-dispatch');
    await page.getByTestId('bulk-submit').click();
    await expect(page.getByTestId('bulk-result').innerText()).resolves.toContain('已派遣 2 件');
    await page.getByTestId('bulk-submit').click();
    for (const c of bulkCases) {
      await row(c.caseNo).waitFor({ state: 'detached' });
      const after = await dispatcherApi.call('getStaffCase', { params: { id: c.id } });
      expect([after.state, after.departmentId]).toEqual(['dispatched', department.id]);
    }
    await signOut();
  });

  it('the department reports it handled with an after-photo dropped in', async () => {
    await signIn(accounts.department);
    expect(await menuEntries()).toEqual(['工作台首页', '我的任务']);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '我的任务' }).click();
    await page.waitForURL(/\/console\/tasks/);
    // 待签收: only this department's case, counting past its deadline.
    await row(overdueCase.caseNo).waitFor();
    await expect(row(freshCase.caseNo).count()).resolves.toBe(0);
    await expect(row(overdueCase.caseNo).getByTestId('countdown').innerText()).resolves.toMatch(/^已超期 \d+ 天/);
    await shot('10-my-tasks');

    await openCase(overdueCase.caseNo);
    await page.getByTestId('action-report_handled').click();
    const photo = await jpegFile('after');
    await page
      .locator('.ant-modal [data-testid="photo-upload"] input[type="file"], .ant-modal .ant-upload-drag input[type="file"]')
      .first()
      .setInputFiles(photo);
    await page.locator('.ant-modal .ant-upload-list-item-done').waitFor();
    await page.locator('.ant-modal textarea').fill('已更换井盖，现场恢复通行');
    await shot('11-report-handled-form');
    await page.getByTestId('action-submit').click();
    await page.locator('.ant-drawer-extra .ant-tag', { hasText: '待核查' }).waitFor();
    await page.getByTestId('case-after-photos').locator('img').first().waitFor();
    await shot('12-handled');
    await page.locator('.ant-drawer-close').click();
    await signOut();
  });

  it('a supervisor verifies it from the verification queue, and the case is closed', async () => {
    await signIn(accounts.supervisor);
    expect(await menuEntries()).toEqual(['工作台首页', '核查队列']);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '核查队列' }).click();
    await page.waitForURL(/\/console\/verify/);
    await row(overdueCase.caseNo).waitFor();
    await shot('13-verification-queue');

    await openCase(overdueCase.caseNo);
    await page.getByTestId('case-after-photos').locator('img').first().waitFor();
    await expect(page.getByTestId('case-timeline').innerText()).resolves.toContain('已更换井盖');
    await page.getByTestId('action-verify_pass').click();
    await page.getByTestId('action-submit').click();
    await page.locator('.ant-drawer-extra .ant-tag', { hasText: '已结案' }).waitFor();
    expect(await drawerState()).toBe('已结案');
    await shot('14-verified');
    const closed = await dispatcherApi.call('getStaffCase', { params: { id: overdueCase.id } });
    expect(closed.state).toBe('closed');
    await page.locator('.ant-drawer-close').click();
    await signOut();
    // Signed out means signed out: a console page sends the browser back to sign in.
    await page.goto(`${consoleUrl}verify`);
    await page.waitForURL(/\/console\/login/);
  });

  it('an operator merges a duplicate report after comparing the two side by side', async () => {
    await signIn(accounts.operator);
    expect(await menuEntries()).toEqual(['工作台首页', '案件调度台']);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '案件调度台' }).click();
    // 待受理: both reports.
    await row(duplicates.originalNo).waitFor();
    await openCase(duplicates.duplicateNo);
    await expect(page.getByTestId('case-actions').locator('button').allInnerTexts()).resolves.toEqual(['立案', '标记重复', '不予受理']);
    await page.keyboard.press('m');
    // The nearest open case of the grid comes first; choosing it puts the two side by side.
    const first = page.locator('[data-testid^="merge-candidate-"]').first();
    await expect(first.getAttribute('data-testid')).resolves.toBe(`merge-candidate-${duplicates.originalNo}`);
    await first.click();
    await page.getByTestId(`merge-side-${duplicates.originalNo}`).waitFor();
    await page.getByTestId(`merge-side-${duplicates.duplicateNo}`).waitFor();
    await expect(page.getByTestId(`merge-side-${duplicates.originalNo}`).innerText()).resolves.toContain('垃圾桶满溢');
    await shot('15-merge-compare');
    await page.getByTestId('merge-submit').click();
    await page.locator('.ant-drawer-extra .ant-tag', { hasText: '不予受理' }).waitFor();
    const merged = await dispatcherApi.call('getStaffCase', { params: { id: duplicates.duplicate } });
    expect([merged.state, merged.duplicateOf]).toEqual(['rejected', duplicates.original]);
    await shot('16-merged');
    await page.locator('.ant-drawer-close').click();
    await row(duplicates.duplicateNo).waitFor({ state: 'detached' });
    await signOut();
  });

  it('an administrator creates a department account (errors shown on the fields) and hands over a claimed reward', async () => {
    await signIn(accounts.admin);
    expect(await menuEntries()).toEqual(['工作台首页', '工作人员账号', '兑换发放']);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '工作人员账号' }).click();
    await page.waitForURL(/\/console\/staff/);
    await page.getByTestId(`staff-row-${accounts.dispatcher.username}`).waitFor();

    const pickRole = async (name: string) => {
      await page.locator('.ant-modal [data-testid="staff-role"]').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: name }).first().click();
    };
    const fieldErrors = () => page.locator('.ant-modal .ant-form-item-explain-error').allInnerTexts();
    await page.getByTestId('staff-new').click();
    await page.getByTestId('staff-username').fill('X');
    await page.getByTestId('staff-displayname').fill('处置员小孙');
    await page.getByTestId('staff-password').fill('short');
    await pickRole('处置部门');
    await page.getByTestId('staff-save').click();
    const errors = await until(fieldErrors, (e) => e.length >= 3);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^用户名为/), '密码至少 8 位', '处置部门账号必须指定所属部门']));
    await shot('17-staff-form-errors');

    await page.getByTestId('staff-username').fill('dept-console');
    await page.getByTestId('staff-password').fill('console-pass-2026');
    await page.locator('.ant-modal [data-testid="staff-department"]').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: department.name }).first().click();
    await page.getByTestId('staff-save').click();
    await page.getByTestId('staff-row-dept-console').waitFor();
    await expect(page.getByTestId('staff-row-dept-console').innerText()).resolves.toContain(department.name);
    await shot('18-staff-accounts');

    // A taken username: the API's answer lands on the field.
    await page.getByTestId('staff-new').click();
    await page.getByTestId('staff-username').fill('dept-console');
    await page.getByTestId('staff-displayname').fill('重名');
    await page.getByTestId('staff-password').fill('console-pass-2026');
    await pickRole('受理员');
    await page.getByTestId('staff-save').click();
    expect(await until(fieldErrors, (e) => e.length > 0)).toEqual(['用户名已存在']);
    await page.locator('.ant-modal:visible .ant-modal-close').click();

    // The citizen's umbrella: handed over with a reference; the citizen sees it delivered.
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '兑换发放' }).click();
    const claimRow = page.getByTestId('claim-row-市民小刘');
    await claimRow.waitFor();
    await expect(claimRow.innerText()).resolves.toContain('待发放');
    await shot('19-claims');
    await claimRow.getByTestId('claim-fulfil').click();
    await page.getByTestId('claim-code').fill('SF1234567890');
    await page.getByTestId('claim-submit').click();
    await claimRow.waitFor({ state: 'detached' });
    const mine = await alice.call('listMyClaims');
    expect(mine.items.map((c) => [c.status, c.fulfilmentCode])).toEqual([['fulfilled', 'SF1234567890']]);
    await page.locator('.ant-tabs-tab', { hasText: '已发放' }).click();
    await claimRow.waitFor();
    await shot('20-claim-fulfilled');
    await signOut();

    // The new account works at once, with its department's menu.
    await signIn({ username: 'dept-console', password: 'console-pass-2026', displayName: '处置员小孙' });
    expect(await menuEntries()).toEqual(['工作台首页', '我的任务']);
    await signOut();
  });
});
