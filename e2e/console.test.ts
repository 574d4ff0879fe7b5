/**
 * The staff console (console/, served by the API at /console/) in Chromium at a desk's
 * 1440×900: a dispatcher finds an overdue case with the queue's filters, on the list and on
 * the map (tiles from a loopback tile server), and dispatches it (and a stale action is
 * refused with a clear message); the department reports it handled
 * with an after-photo dropped into the upload; a supervisor verifies it and the case is
 * closed; an operator merges a duplicate report after comparing it side by side with the
 * original; an administrator creates a staff account and hands over a citizen's claimed
 * reward; a publicity officer writes, previews and publishes a campaign with a cropped cover;
 * statistics show the month's figures, drill down, export them to .xlsx (read back:
 * the same figures) and print the A4 monthly report (saved as PDF). Screenshots of each
 * screen, the workbook and the PDF go to test-artifacts/screenshots/console/.
 */
import { strFromU8, unzipSync } from 'fflate';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import type { ApiClient, PublicDepartment } from '@ssp/shared';
import { startTestApi, type TestApi } from '../api/test/helpers/harness';
import { demoCity, offset } from '../api/test/helpers/city';
import { staffClient } from './helpers/api';
import { MovableClock, createStaff, jpegFile, removeTempFiles, type DemoCity } from './helpers/app';
import { SCREENSHOT_DIR, openDevice, type Device } from './helpers/browser';
import { CONSOLE_DIST, consoleSignIn, ensureConsoleBuild, startTileServer } from './helpers/console';

const SHOTS = path.join(SCREENSHOT_DIR, 'console');
const DAY_MS = 86_400_000;

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
let tiles: Awaited<ReturnType<typeof startTileServer>> | undefined;
const accounts = {} as Record<
  'operator' | 'dispatcher' | 'department' | 'supervisor' | 'admin' | 'publicity',
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
  await consoleSignIn(page, consoleUrl, account);
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

/** The rows of the first sheet of an .xlsx file, each cell as text (shared or inline strings, numbers). */
function firstSheetRows(file: string): string[][] {
  const zip = unzipSync(new Uint8Array(readFileSync(file)));
  const shared = zip['xl/sharedStrings.xml']
    ? [...strFromU8(zip['xl/sharedStrings.xml']).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
        [...m[1]!.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join(''),
      )
    : [];
  const sheet = strFromU8(zip['xl/worksheets/sheet1.xml']!);
  return [...sheet.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((row) =>
    [...row[1]!.matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map((cell) => {
      const type = /t="(\w+)"/.exec(cell[1]!)?.[1];
      const body = cell[2] ?? '';
      if (type === 'inlineStr') return [...body.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join('');
      const value = /<v>([^<]*)<\/v>/.exec(body)?.[1] ?? '';
      return type === 's' ? (shared[Number(value)] ?? '') : value;
    }),
  );
}

/** Picks an option of an antd Select by its text, and checks it took (the dropdown animates open). */
async function choose(select: Locator, text: string, opts: { search?: boolean } = {}): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await select.click();
    // Long lists are virtual: only what the search keeps is in the page.
    if (opts.search) await page.keyboard.type(text);
    const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first();
    await option.waitFor();
    await page.waitForTimeout(250);
    await option.click();
    await page.waitForTimeout(100);
    if ((await select.innerText()).includes(text)) return;
  }
  throw new Error(`could not choose ${text}`);
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
  // The map's tiles, from loopback.
  tiles = await startTileServer();
  const tileUrl = tiles.url;
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
  accounts.publicity = await createStaff(api, 'publicity');
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
  await tiles?.close();
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
    expect(await menuEntries()).toEqual(['工作台首页', '案件调度台', '统计分析']);
    await shot('02-home-dispatcher');

    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '案件调度台' }).click();
    await page.waitForURL(/\/console\/desk/);
    // The dispatcher's first queue is 待派遣: both filed cases, the overdue one first.
    await row(overdueCase.caseNo).waitFor();
    await row(freshCase.caseNo).waitFor();
    // Time left counts working hours on the working calendar (the category's limit is in working hours).
    await expect(row(freshCase.caseNo).getByTestId('countdown').innerText()).resolves.toMatch(
      /^剩余 (\d+ 个工作日 \d+ 小时|\d+ 工作小时 \d+ 分|\d+ 分 \d+ 秒)$/,
    );
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
    expect(tiles!.requests.some((u) => /^\/a\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
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
    await choose(page.locator('.ant-modal [data-testid="action-department"]'), department.name);
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
    await choose(page.locator('.ant-modal [data-testid="bulk-department"]'), department.name);
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
    expect(await menuEntries()).toEqual(['工作台首页', '我的任务', '统计分析']);
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
    expect(await menuEntries()).toEqual(['工作台首页', '核查队列', '统计分析']);
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
    expect(await menuEntries()).toEqual(['工作台首页', '案件调度台', '统计分析']);
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
    expect(await menuEntries()).toEqual([
      '工作台首页',
      '宣传活动',
      '统计分析',
      '工作人员账号',
      '奖励与库存',
      '兑换发放',
      '积分调整',
      '转办投递',
      '城市数据',
    ]);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '工作人员账号' }).click();
    await page.waitForURL(/\/console\/staff/);
    await page.getByTestId(`staff-row-${accounts.dispatcher.username}`).waitFor();

    const pickRole = (name: string) => choose(page.locator('.ant-modal [data-testid="staff-role"]'), name);
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
    await choose(page.locator('.ant-modal [data-testid="staff-department"]'), department.name);
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

    // Stock: the umbrella gets five more units.
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '奖励与库存' }).click();
    await page.getByTestId('reward-edit-civic-gift-umbrella').click();
    const stock = page.locator('.ant-modal [data-testid="reward-stock"]');
    await stock.fill('');
    await stock.fill('5');
    await page.getByTestId('reward-save').click();
    await page.getByTestId('reward-row-civic-gift-umbrella').locator('td', { hasText: /^5$/ }).waitFor();
    const rewards = await staffClient(api.url, accounts.admin.username, accounts.admin.password).then((c) => c.call('listRewardsAdmin'));
    expect(rewards.items.find((r) => r.id === 'civic-gift-umbrella')?.stockLeft).toBe(5);
    await shot('20b-rewards');

    // Forwarding: the outbox view and the retry.
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '转办投递' }).click();
    await page.getByTestId('forwarding-enabled').waitFor();
    await page.getByTestId('forwarding-retry').click();
    await page.locator('.ant-message', { hasText: /重新排队|没有需要重投/ }).waitFor();
    await shot('20c-forwarding');
    await signOut();

    // The new account works at once, with its department's menu.
    await signIn({ username: 'dept-console', password: 'console-pass-2026', displayName: '处置员小孙' });
    expect(await menuEntries()).toEqual(['工作台首页', '我的任务', '统计分析']);
    await signOut();
  });

  it('statistics: the figures, the department ranking with drill-down, the month in .xlsx with the same figures, and the printable report', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const adminApi = await staffClient(api.url, accounts.admin.username, accounts.admin.password);
    // The statistics subscriber counts events as they are handled: wait until this month's closure is in.
    await until(
      () => adminApi.call('staffStatsSummary', { query: { from: month, to: month } }),
      (s) => s.counts.closures >= 1,
      15_000,
    );
    const expected = await adminApi.call('staffStatsSummary', { query: { from: month, to: month } });

    await signIn(accounts.admin);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '统计分析' }).click();
    await page.waitForURL(/\/console\/stats/);
    await page.getByTestId('stats-summary').waitFor();
    await page.getByTestId('stats-trend').waitFor();
    const shown = async (key: string) => ((await page.getByTestId(`stat-${key}`).textContent()) ?? '').trim();
    expect(await shown('closures')).toBe(String(expected.counts.closures));
    expect(await shown('dispatched')).toBe(String(expected.counts.dispatched));
    expect(await shown('closureRate')).toBe(expected.rates.closureRate.percent === null ? '—' : `${expected.rates.closureRate.percent.toFixed(2)}%`);
    await page.getByTestId('stats-departments').locator('tbody tr', { hasText: department.name }).waitFor();
    await shot('21-statistics');

    // Drill-down: the department's row opens its cases.
    await page.getByTestId('stats-departments').locator('tbody tr', { hasText: department.name }).click();
    await page.getByTestId('stats-drill').locator('td', { hasText: bulkCases[0]!.caseNo }).waitFor();
    await shot('22-statistics-drill-down');
    await page.locator('.ant-modal:visible .ant-modal-close').click();

    // The month in Excel: the file holds the figures the page shows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    mkdirSync(SHOTS, { recursive: true });
    const xlsx = path.join(SHOTS, 'statistics.xlsx');
    await download.saveAs(xlsx);
    const rows = firstSheetRows(xlsx);
    const value = (name: string) => rows.find((r) => r[0] === name)?.[1];
    expect(value('统计中心')).toBe('青禾县（演示）城市管理监督指挥中心');
    expect(value('结案数')).toBe(await shown('closures'));
    expect(value('派遣数')).toBe(await shown('dispatched'));
    expect(value('上报数')).toBe(await shown('reported'));
    const closureRate = value('结案率（%）');
    expect(closureRate === undefined || closureRate === '' ? '—' : `${Number(closureRate).toFixed(2)}%`).toBe(await shown('closureRate'));

    // The printable monthly report: A4, the centre's name, the standard indicators.
    await page.goto(`${consoleUrl}report?month=${month}`);
    const report = page.getByTestId('monthly-report');
    await report.waitFor();
    const text = await report.innerText();
    expect(text).toContain('青禾县（演示）城市管理监督指挥中心');
    expect(text).toContain(`城市管理问题处置情况月报（${month.slice(0, 4)}年${Number(month.slice(5))}月）`);
    expect(await page.getByTestId('report-closures').innerText()).toBe(String(expected.counts.closures));
    await page.emulateMedia({ media: 'print' });
    await shot('23-monthly-report-print');
    const pdf = await page.pdf({ path: path.join(SHOTS, 'monthly-report.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.emulateMedia({ media: 'screen' });
    await page.goto(consoleUrl);
    await signOut();
  });

  it('a publicity officer writes a campaign with a cropped cover, previews it as the mini-program shows it, and publishes it', async () => {
    await signIn(accounts.publicity);
    expect(await menuEntries()).toEqual(['工作台首页', '宣传活动', '统计分析', '兑换发放']);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '宣传活动' }).click();
    await page.getByTestId('campaign-new').click();
    await page.waitForURL(/\/console\/campaigns\/new/);

    // Without a title the form says so on the field.
    await page.getByTestId('campaign-save').click();
    await page.locator('.ant-form-item-explain-error', { hasText: '请填写活动标题' }).waitFor();

    await page.getByTestId('campaign-title').fill('清理小广告 共建文明城');
    await page.getByTestId('campaign-summary').fill('两周内上报乱贴乱画，立案积分翻倍');
    const editor = page.getByTestId('campaign-body');
    await editor.click();
    await page.keyboard.type('发现电线杆、墙面上的小广告，拍照上报即可。');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '加粗' }).click();
    await page.keyboard.type('活动期间立案积分 ×2');
    await choose(page.locator('[data-testid="campaign-categories"]'), city.publicCategory.name, { search: true });
    await page.keyboard.press('Escape');

    // The cover: a photo chosen, cropped to 16:9, uploaded.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('campaign-cover-pick').click()]);
    await chooser.setFiles(await jpegFile('cover'));
    await page.getByTestId('cover-crop').waitFor();
    await shot('24-campaign-cover-crop');
    await page.getByTestId('cover-crop-ok').click();
    await page.getByTestId('campaign-cover').locator('img').waitFor();

    await page.getByTestId('campaign-preview').click();
    await page.waitForURL(/\/console\/campaigns\/[a-f0-9]{24}$/);
    const phone = page.getByTestId('campaign-phone');
    await phone.getByText('清理小广告 共建文明城').waitFor();
    await phone.locator('b, strong', { hasText: '活动期间立案积分 ×2' }).waitFor();
    // Two paragraphs, as typed.
    await expect(phone.locator('p', { hasText: '拍照上报即可' }).count()).resolves.toBe(1);
    await phone.locator('img').first().waitFor();
    await expect(phone.innerText()).resolves.toContain(`活动类别：${city.publicCategory.name}`);
    await shot('25-campaign-preview');

    await page.getByTestId('campaign-publish').click();
    await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();
    await shot('26-campaign-published');
    const campaignId = /campaigns\/([a-f0-9]{24})/.exec(page.url())![1]!;
    const published = await api.client().call('getCampaign', { params: { id: campaignId } });
    expect([published.status, published.multiplier, published.title]).toEqual(['live', 2, '清理小广告 共建文明城']);
    expect(published.cover).not.toBeNull();
    expect(published.body).toMatch(/<(b|strong)>活动期间立案积分 ×2<\/(b|strong)>/);
    await signOut();
  });
});
