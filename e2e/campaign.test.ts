/**
 * Flow 3 in the browser: a publicity officer creates, previews and publishes a
 * double-points campaign in the workbench; a citizen joins it from 首页 (its category
 * comes preselected), reports, and once the report is filed gets the multiplied points;
 * the officer sees the campaign's results.
 */
import type { Page } from 'playwright-core';
import type { ApiClient } from '@ssp/shared';
import type { TestApi } from '../api/test/helpers/harness';
import { startFakeWeChat, type FakeWeChat } from '../api/test/fakes/wechat-server';
import { citizenClient, publicClient, staffClient } from './helpers/api';
import { choosePhotos, citizenLogin, createStaff, jpegFile, openRoute, removeTempFiles, staffLoginUi, startApp, type DemoCity } from './helpers/app';
import { byTestId, confirmModal, fill, openDevice, press, shot, tap, type Device } from './helpers/browser';

let api: TestApi;
let city: DemoCity;
let appUrl: string;
const devices: Device[] = [];
let officer: Page;
let campaignId = '';
let categoryName = '';
let officerApi: () => Promise<ApiClient>;
const TITLE = '创文明城市 随手拍';

let wechat: FakeWeChat;

beforeAll(async () => {
  // WeChat's side of the poster's mini-program code (getwxacodeunlimit).
  wechat = await startFakeWeChat();
  ({ api, city, appUrl } = await startApp(wechat.env));
});

afterAll(async () => {
  const errors = devices.flatMap((d) => d.errors);
  // What each phone showed last: the first thing to look at when a step failed.
  for (const d of devices) await shot(d.page, `last-${d.name}`, { keepScroll: true }).catch(() => undefined);
  for (const d of devices) await d.close();
  await api?.close();
  await wechat?.close();
  removeTempFiles();
  if (errors.length) throw new Error(`uncaught errors in the app:\n${errors.join('\n')}`);
});

async function device(name: string): Promise<Page> {
  const d = await openDevice(name, { at: city.point });
  devices.push(d);
  return d.page;
}

describe('a campaign with multiplied points', () => {
  it('a publicity officer writes, previews and publishes a campaign', async () => {
    officer = await device('publicity');
    const account = await createStaff(api, 'publicity');
    officerApi = () => staffClient(api.url, account.username, account.password);
    await staffLoginUi(officer, appUrl, account);
    await tap(officer, 'entry-campaigns');
    await tap(officer, 'new-campaign');
    await fill(officer, 'campaign-title', TITLE);
    await fill(officer, 'campaign-summary', '两周内上报城市管理问题，立案积分翻倍');
    await fill(officer, 'campaign-body', '发现乱堆乱放、破损设施等问题，请随手拍下上报。\n\n活动期间立案的上报积分 ×2。');
    const chip = byTestId(officer, 'campaign-category').first();
    categoryName = (await chip.textContent())!.trim();
    await press(chip);
    await tap(officer, 'multiplier-2');
    await shot(officer, '20-campaign-editor');

    await tap(officer, 'campaign-preview');
    await byTestId(officer, 'campaign-view').filter({ hasText: TITLE }).waitFor();
    await shot(officer, '21-campaign-preview', { keepScroll: true });
    await tap(officer, 'sheet-close');

    await tap(officer, 'campaign-publish');
    await confirmModal(officer, '发布');
    await officer.getByText('状态：进行中').waitFor();
    const list = await (await officerApi()).call('listCampaignsAdmin');
    const published = list.items.find((c) => c.title === TITLE)!;
    expect(published.status).toBe('live');
    campaignId = published.id;
  });

  it('a citizen joins it from 首页, reports with the category preselected, and gets double points once filed', async () => {
    const carol = await device('carol');
    await citizenLogin(carol, appUrl, 'carol-e2e', '志愿者小周');
    await openRoute(carol, appUrl);
    await byTestId(carol, 'home-campaigns').getByText(TITLE).waitFor();
    await shot(carol, '22-home-with-campaign');
    await press(byTestId(carol, 'home-campaigns').getByText(TITLE));
    await byTestId(carol, 'campaign-view').waitFor();
    await shot(carol, '23-campaign-detail');
    await tap(carol, 'join-campaign');

    await byTestId(carol, 'campaign-banner').filter({ hasText: TITLE }).waitFor();
    await byTestId(carol, 'category-field').filter({ hasText: categoryName }).waitFor();
    await byTestId(carol, 'location-place').filter({ hasText: '网格' }).waitFor();
    await choosePhotos(carol, () => tap(carol, 'photo-add'), [await jpegFile('campaign')]);
    await byTestId(carol, 'photo-done').first().waitFor();
    await tap(carol, 'submit');
    await byTestId(carol, 'report-success').waitFor();

    const carolApi = await citizenClient(carol, api.url);
    const mine = await carolApi.call('listMyReports');
    const caseId = mine.items[0]!.id;

    // Filing over the API: the workbench UI for it is exercised in citizen-journey.test.ts.
    const operator = await createStaff(api, 'operator');
    const operatorApi = await staffClient(api.url, operator.username, operator.password);
    const detail = await operatorApi.call('getStaffCase', { params: { id: caseId } });
    expect(detail.campaignId).toBe(campaignId);
    const filed = await operatorApi.call('actOnCase', { params: { id: caseId }, body: { action: 'file', version: detail.version } });
    expect(filed.state).toBe('filed');

    const categories = await publicClient(api.url).call('listCategories');
    const base = categories.categories.find((c) => c.name === categoryName)!.basePoints;
    const history = await carolApi.call('myPointsHistory');
    const award = history.items.find((l) => l.reason === 'report_filed')!;
    expect(award).toMatchObject({ multiplier: 2, campaignId, amount: base * 2 });

    await openRoute(carol, appUrl, 'packagePublic/points/index');
    await byTestId(carol, 'points-line').filter({ hasText: '活动 ×2' }).waitFor();
    await shot(carol, '24-points-campaign');
  });

  it('the officer sees the results', async () => {
    await openRoute(officer, appUrl, `packageStaff/campaign-results/index?id=${campaignId}`);
    await byTestId(officer, 'campaign-results').waitFor();
    await shot(officer, '25-campaign-results');
    // The poster with the campaign's mini-program code, for print and social media.
    const [download] = await Promise.all([officer.waitForEvent('download'), tap(officer, 'download-poster')]);
    expect(download.suggestedFilename()).toBe(`活动海报-${campaignId}.png`);
    expect(await download.path()).toBeTruthy();
    expect(wechat.codes.map((c) => c.page)).toEqual(['packagePublic/campaign/index']);
    const results = await (await officerApi()).call('campaignResults', { params: { id: campaignId } });
    expect(results).toMatchObject({ reportsReceived: 1, participants: 1, filed: 1 });
  });
});
