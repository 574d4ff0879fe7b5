/**
 * Flows 1 and 2 in the browser, on the H5 build served by the real API:
 * a citizen reports a problem with a real photo (surviving a reload and a lost
 * response on submit), a second citizen finds it as a nearby duplicate and backs it,
 * staff take it through the workbench (file → dispatch → sign → handled with an
 * after-photo → verified), and the citizen sees it closed, gets the points and rates it.
 */
import type { Page } from 'playwright-core';
import type { TestApi } from '../api/test/helpers/harness';
import { citizenClient, publicClient, staffClient } from './helpers/api';
import { PUBLIC_CACHE_MS } from '../api/src/stats/service';
import {
  choosePhotos,
  citizenLogin,
  createStaff,
  jpegFile,
  openRoute,
  removeTempFiles,
  staffLoginUi,
  startApp,
  type DemoCity,
  type MovableClock,
} from './helpers/app';
import { byTestId, clearHttpCache, confirmModal, fill, openDevice, press, shot, tap, tapTab, type Device } from './helpers/browser';

let api: TestApi;
let clock: MovableClock;
let city: DemoCity;
let appUrl: string;
const devices: Device[] = [];
let alice: Page;
let caseId = '';
let caseNo = '';

async function device(name: string, at = city.point): Promise<Page> {
  const d = await openDevice(name, { at });
  devices.push(d);
  return d.page;
}

/** Opens the case from the signed-in staff member's queue tab and waits for its page. */
async function openCase(page: Page, tabKey: string): Promise<void> {
  await tap(page, `queue-${tabKey}`);
  await press(byTestId(page, 'queue-case').filter({ hasText: caseNo }).first());
  await byTestId(page, 'case-state').waitFor();
}

async function act(page: Page, action: string, expectedState: string, fillForm?: () => Promise<void>): Promise<void> {
  await tap(page, `action-${action}`);
  await byTestId(page, `action-form-${action}`).waitFor();
  if (fillForm) await fillForm();
  await tap(page, 'action-submit');
  await byTestId(page, 'case-state').filter({ hasText: expectedState }).waitFor();
}

beforeAll(async () => {
  ({ api, city, appUrl, clock } = await startApp());
});

afterAll(async () => {
  const errors = devices.flatMap((d) => d.errors);
  // What each phone showed last: the first thing to look at when a step failed.
  for (const d of devices) await shot(d.page, `last-${d.name}`, { keepScroll: true }).catch(() => undefined);
  for (const d of devices) await d.close();
  await api?.close();
  removeTempFiles();
  if (errors.length) throw new Error(`uncaught errors in the app:\n${errors.join('\n')}`);
});

describe('citizen journey in the browser', () => {
  it('a citizen signs in and reports a problem with a photo; the draft survives a reload and a lost response', async () => {
    alice = await device('alice');
    await openRoute(alice, appUrl);
    await byTestId(alice, 'snap').waitFor();
    await shot(alice, '01-home-guest');

    await openRoute(alice, appUrl, 'pages/login/index');
    await byTestId(alice, 'login-submit').waitFor();
    await shot(alice, '02-login');
    await citizenLogin(alice, appUrl, 'alice-e2e', '热心市民小李');

    await tapTab(alice, '上报');
    // The device position is taken at once and named by its grid.
    await byTestId(alice, 'location-place').filter({ hasText: '网格' }).waitFor();
    await choosePhotos(alice, () => tap(alice, 'photo-add'), [await jpegFile('manhole')]);
    await byTestId(alice, 'photo-done').first().waitFor();

    // Closing the app keeps the draft: the uploaded photo and the place come back.
    await alice.reload();
    await byTestId(alice, 'photo-done').first().waitFor();
    await byTestId(alice, 'location-place').filter({ hasText: '网格' }).waitFor();

    await tap(alice, 'category-field');
    await fill(alice, 'category-search', city.publicCategory.name);
    await press(byTestId(alice, 'category-option').filter({ hasText: city.publicCategory.name }).first());
    await byTestId(alice, 'category-field').filter({ hasText: city.publicCategory.name }).waitFor();
    await fill(alice, 'description', '人行道上的井盖缺了一角，晚上很危险');
    await shot(alice, '03-report-filled');

    // The first submit reaches the server but its answer is lost on the way back.
    let dropped = false;
    await alice.route('**/reports', async (route) => {
      if (route.request().method() === 'POST' && !dropped) {
        dropped = true;
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await tap(alice, 'submit');
    await confirmModal(alice, '知道了');
    await byTestId(alice, 'submit').filter({ hasText: '重新提交' }).waitFor();
    await tap(alice, 'submit');
    const success = byTestId(alice, 'report-success');
    await success.waitFor();
    await alice.unroute('**/reports');
    expect(dropped).toBe(true);
    await shot(alice, '04-report-success');

    // The retry returned the first report: one report, not two.
    const mine = await (await citizenClient(alice, api.url)).call('listMyReports');
    expect(mine.items).toHaveLength(1);
    caseId = mine.items[0]!.id;
    caseNo = mine.items[0]!.caseNo;
    expect(mine.items[0]!.status).toBe('待受理');
    expect(await success.textContent()).toContain(caseNo);
  });

  it('a second citizen finds it as a nearby open case of the same kind and backs it (我也遇到)', async () => {
    const bob = await device('bob');
    await citizenLogin(bob, appUrl, 'bob-e2e', '路过的老张');
    await tapTab(bob, '上报');
    await byTestId(bob, 'location-place').filter({ hasText: '网格' }).waitFor();
    await tap(bob, 'category-field');
    await press(byTestId(bob, 'category-option').filter({ hasText: city.publicCategory.name }).first());
    const nearby = byTestId(bob, 'nearby-case').first();
    await nearby.waitFor();
    await shot(bob, '05-nearby-duplicate');
    await press(nearby.locator('[data-testid="support"]'));
    await nearby.getByText('已附议').waitFor();

    const detail = await (await citizenClient(alice, api.url)).call('getMyReport', { params: { id: caseId } });
    expect(detail.supporterCount).toBe(1);
  });

  it('staff file, dispatch, handle (with an after-photo) and verify it in the workbench', async () => {
    const desk = await device('staff');
    const operator = await createStaff(api, 'operator');
    await staffLoginUi(desk, appUrl, operator);
    await byTestId(desk, 'queue-case').filter({ hasText: caseNo }).waitFor();
    await shot(desk, '06-workbench-operator');
    await openCase(desk, 'pending');
    await shot(desk, '07-case-operator');
    // 导航到现场: the map app opens at the case's location (the outside site is not reachable here).
    await desk
      .context()
      .route('https://uri.amap.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>map</title>' }));
    const [map] = await Promise.all([desk.waitForEvent('popup'), tap(desk, 'navigate-to-site')]);
    await map.waitForLoadState();
    const opened = new URL(map.url());
    expect(opened.host).toBe('uri.amap.com');
    const [lng, lat] = opened.searchParams.get('position')!.split(',').map(Number);
    expect(Math.abs(lat! - city.point.lat) + Math.abs(lng! - city.point.lng)).toBeLessThan(0.001);
    await map.close();
    await act(desk, 'file', '已立案待派遣');

    const dispatcher = await createStaff(api, 'dispatcher');
    await staffLoginUi(desk, appUrl, dispatcher);
    await openCase(desk, 'filed');
    await act(desk, 'dispatch', '已派遣');

    // A handler of the department the case was dispatched to.
    const dispatcherApi = await staffClient(api.url, dispatcher.username, dispatcher.password);
    const dispatched = await dispatcherApi.call('getStaffCase', { params: { id: caseId } });
    const handler = await createStaff(api, 'department', dispatched.departmentId!);
    await staffLoginUi(desk, appUrl, handler);
    await openCase(desk, 'dispatched');
    await act(desk, 'accept_task', '处置中');
    await act(desk, 'report_handled', '待核查', async () => {
      const form = byTestId(desk, 'action-form-report_handled');
      await choosePhotos(desk, () => press(form.locator('[data-testid="photo-add"]')), [await jpegFile('fixed')]);
      await form.locator('[data-testid="photo-done"]').first().waitFor();
      await fill(desk, 'action-note', '已更换新井盖');
      await shot(desk, '08-case-handled-form');
    });

    const supervisor = await createStaff(api, 'supervisor');
    await staffLoginUi(desk, appUrl, supervisor);
    await openCase(desk, 'handled');
    await act(desk, 'verify_pass', '已结案');
    await shot(desk, '09-case-closed-staff');
  });

  it('the citizen sees it closed with the after-photo, has the points, and rates it', async () => {
    await tapTab(alice, '我的');
    await tap(alice, 'entry-my-reports');
    const item = byTestId(alice, 'my-report').filter({ hasText: '已结案' }).first();
    await item.waitFor();
    await shot(alice, '10-my-reports');
    await press(item);
    await byTestId(alice, 'after-photos').waitFor();
    await byTestId(alice, 'timeline').getByText('核查通过').first().waitFor();
    await tap(alice, 'star-5');
    await tap(alice, 'rate-submit');
    await byTestId(alice, 'rating').getByText('感谢您的评价').waitFor();
    await shot(alice, '11-report-closed-rated');

    const aliceApi = await citizenClient(alice, api.url);
    const history = await aliceApi.call('myPointsHistory');
    const reasons = history.items.map((l) => l.reason);
    expect(reasons).toEqual(expect.arrayContaining(['report_filed', 'case_closed']));
    const points = await aliceApi.call('getMyPoints');
    expect(points.balance).toBeGreaterThan(0);

    await openRoute(alice, appUrl, 'packagePublic/points/index');
    await byTestId(alice, 'points-balance')
      .filter({ hasText: String(points.balance) })
      .waitFor();
    await shot(alice, '12-points');

    // 数据公开 and 首页 figures read the public statistics, which the API and browsers keep
    // for five minutes: come back "later" so the closed case shows.
    clock.advance(PUBLIC_CACHE_MS + 1000);
    await clearHttpCache(alice);
    await openRoute(alice, appUrl, 'packagePublic/stats/index');
    await byTestId(alice, 'stats').waitFor();
    await byTestId(alice, 'chart-categories').getByText(city.publicCategory.name).waitFor();
    await shot(alice, '13-stats');
    await openRoute(alice, appUrl);
    await byTestId(alice, 'home-points')
      .filter({ hasText: String(points.balance) })
      .waitFor();
    await shot(alice, '14-home-signed-in');
  });

  it('the citizen spends points on a reward and sees the claim', async () => {
    // The cheapest demo reward costs more than one report earns: an administrator tops the
    // citizen up over the API (the adjustment endpoint), so the claim runs in the browser.
    const admin = await createStaff(api, 'admin');
    const aliceApi = await citizenClient(alice, api.url);
    const me = await aliceApi.call('getMe');
    const adminApi = await staffClient(api.url, admin.username, admin.password);
    const adjusted = await adminApi.call('adjustPoints', { body: { citizenId: me.id, amount: 50, reason: '端到端测试补发积分' } });
    expect(adjusted.line.amount).toBe(50);
    const before = (await aliceApi.call('getMyPoints')).balance;
    const rewards = await publicClient(api.url).call('listRewards');
    const cost = rewards.items.find((r) => r.name.includes('纪念雨伞'))!.costPoints;

    await openRoute(alice, appUrl, 'packagePublic/rewards/index');
    const umbrella = byTestId(alice, 'reward').filter({ hasText: '纪念雨伞' });
    await umbrella.getByText('兑换', { exact: true }).waitFor();
    await shot(alice, '15-rewards');
    await press(umbrella.getByText('兑换', { exact: true }));
    await confirmModal(alice, '兑换');
    await confirmModal(alice, '确定');
    await byTestId(alice, 'claims').getByText('纪念雨伞', { exact: false }).waitFor();
    await shot(alice, '16-claims');
    const points = await aliceApi.call('getMyPoints');
    expect(points.balance).toBe(before - cost);
  });
});
