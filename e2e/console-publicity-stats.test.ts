/**
 * The staff console's publicity and statistics screens in Chromium at a desk's 1440×900,
 * against the real API and database (tiles from a loopback tile server, WeChat's
 * mini-program codes from the fake WeChat server): a publicity officer picks a campaign's
 * target grid by clicking it on the map (the area tree shows it chosen), saves and publishes;
 * a citizen's report there is filed; the campaign's results show the figures with a chart
 * by day, download as CSV (BOM, the expected rows) and as a poster; it is taken back to draft
 * with a reason and published again, and ended
 * after a confirmation. On 统计分析 the category and area trees show the API's figures, a
 * row drills down to its cases, the .xlsx holds the same figures on sheets 类别统计 and
 * 区域统计, and the public dataset downloads as CSV. Screenshots go to
 * test-artifacts/screenshots/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import type { ApiClient, StatsNode } from '@ssp/shared';
import { startTestApi, type TestApi } from '../api/test/helpers/harness';
import { startFakeWeChat, type FakeWeChat } from '../api/test/fakes/wechat-server';
import { demoCity } from '../api/test/helpers/city';
import { publicClient, staffClient } from './helpers/api';
import { createStaff, jpegFile, removeTempFiles, type DemoCity } from './helpers/app';
import { SCREENSHOT_DIR, openDevice, type Device } from './helpers/browser';
import { CONSOLE_DIST, consoleSignIn, ensureConsoleBuild, startTileServer } from './helpers/console';

const SHOTS = path.join(SCREENSHOT_DIR, 'console');
const TITLE = '网格清洁周 随手拍积分翻倍';

let api: TestApi;
let wechat: FakeWeChat;
let city: DemoCity;
let gridName: string;
let consoleUrl: string;
let device: Device;
let page: Page;
let tiles: Awaited<ReturnType<typeof startTileServer>> | undefined;
let citizen: ApiClient;
let operatorApi: ApiClient;
let caseNo = '';
let campaignId = '';
const accounts = {} as Record<'publicity' | 'admin' | 'operator', { username: string; password: string; displayName: string }>;

/** A citizen's report with one photo; answers the case id. */
async function report(categoryId: string, description: string, location: { lat: number; lng: number }): Promise<string> {
  const form = new FormData();
  form.append('photos', new Blob([readFileSync(await jpegFile('report'))], { type: 'image/jpeg' }), 'report.jpg');
  const { photos } = await citizen.call('uploadPhotos', { body: form });
  const created = await citizen.call('createReport', {
    body: { categoryId, description, location, photoIds: [photos[0]!.id], clientRequestId: randomUUID() },
  });
  return created.id;
}

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Reads until the value passes the check, and answers the last read. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Column index of a cell reference ("C7" → 2). */
function columnOf(ref: string): number {
  const letters = /^[A-Z]+/.exec(ref)![0];
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

/** The rows of the named sheet of an .xlsx file, each cell as text at its column (empty cells ''). */
function sheetRows(file: string, name: string): string[][] {
  const zip = unzipSync(new Uint8Array(readFileSync(file)));
  const shared = zip['xl/sharedStrings.xml']
    ? [...strFromU8(zip['xl/sharedStrings.xml']).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
        [...m[1]!.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join(''),
      )
    : [];
  const workbook = strFromU8(zip['xl/workbook.xml']!);
  const rels = strFromU8(zip['xl/_rels/workbook.xml.rels']!);
  // Attributes in any order: find the element, then read its attributes.
  const attr = (element: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
  const sheetEl = [...workbook.matchAll(/<sheet\s[^>]*\/>/g)].map((m) => m[0]).find((el) => attr(el, 'name') === name);
  if (!sheetEl) throw new Error(`no sheet ${name} in ${file}`);
  const rid = attr(sheetEl, 'r:id');
  const relEl = [...rels.matchAll(/<Relationship\s[^>]*\/>/g)].map((m) => m[0]).find((el) => attr(el, 'Id') === rid);
  const target = relEl && attr(relEl, 'Target');
  const sheet = strFromU8(zip[`xl/${target!.replace(/^\/?xl\//, '')}`]!);
  return [...sheet.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((row) => {
    const out: string[] = [];
    for (const cell of row[1]!.matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = /r="([A-Z]+\d+)"/.exec(cell[1]!)?.[1];
      const type = /t="(\w+)"/.exec(cell[1]!)?.[1];
      const body = cell[2] ?? '';
      const text =
        type === 'inlineStr'
          ? [...body.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join('')
          : type === 's'
            ? (shared[Number(/<v>([^<]*)<\/v>/.exec(body)?.[1])] ?? '')
            : (/<v>([^<]*)<\/v>/.exec(body)?.[1] ?? '');
      const at = ref ? columnOf(ref) : out.length;
      while (out.length < at) out.push('');
      out[at] = text;
    }
    return out;
  });
}

/** Clicks a map path at a point where it is the topmost element (grid polygons are irregular). */
async function clickPath(selector: string): Promise<void> {
  const point = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const box = el.getBoundingClientRect();
    for (let step = 0; step < 400; step += 1) {
      // A spiral from the middle of the box outwards.
      const angle = step * 0.7;
      const r = (step / 400) * Math.min(box.width, box.height) * 0.5;
      const x = box.left + box.width / 2 + r * Math.cos(angle);
      const y = box.top + box.height / 2 + r * Math.sin(angle);
      if (document.elementFromPoint(x, y) === el) return { x, y };
    }
    return null;
  }, selector);
  if (!point) throw new Error(`no visible point of ${selector}`);
  await page.mouse.click(point.x, point.y);
}

/** Every node of a statistics tree with its row key (its path, as the console keys rows), parents first. */
function nodesWithKeys(nodes: readonly StatsNode[], parent = ''): { key: string; node: StatsNode; depth: number }[] {
  return nodes.flatMap((node) => {
    const key = `${parent ? `${parent}/` : ''}${node.level}:${node.id ?? '其他'}`;
    return [{ key, node, depth: parent ? parent.split('/').length : 0 }, ...nodesWithKeys(node.children ?? [], key)];
  });
}

const pct = (r: { percent: number | null }) => (r.percent === null ? '—' : `${r.percent.toFixed(2)}%`);

/** Expands every row of a tree table. */
async function expandAll(testId: string): Promise<void> {
  const collapsed = page.getByTestId(testId).locator('button.ant-table-row-expand-icon-collapsed');
  for (let i = 0; i < 200 && (await collapsed.count()) > 0; i += 1) await collapsed.first().click();
}

/** The figures a tree table shows for a row, as on the page. */
async function shownRow(testId: string, key: string): Promise<Record<string, string>> {
  const row = page.getByTestId(testId).locator(`tr[data-row-key="${key}"]`);
  const cells = await row.locator('[data-cell]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-cell')!, e.textContent!.trim()]));
  return Object.fromEntries(cells);
}

beforeAll(async () => {
  ensureConsoleBuild();
  tiles = await startTileServer();
  const tileUrl = tiles.url;
  wechat = await startFakeWeChat();
  api = await startTestApi({
    env: { ...wechat.env, DEV_LOGIN_ENABLED: 'true', CONSOLE_DIST_DIR: CONSOLE_DIST, MAP_TILE_URL: tileUrl, MAP_TILE_SUBDOMAINS: 'a' },
  });
  city = await demoCity(api);
  gridName = (await api.services.catalogue.areaTree()).districts
    .flatMap((d) => d.streets.flatMap((s) => s.grids))
    .find((g) => g.id === city.gridId)!.name;
  consoleUrl = `${api.url}/console/`;
  accounts.publicity = await createStaff(api, 'publicity');
  accounts.admin = await createStaff(api, 'admin');
  accounts.operator = await createStaff(api, 'operator');
  operatorApi = await staffClient(api.url, accounts.operator.username, accounts.operator.password);
  const { accessToken } = await api.client().call('devLogin', { body: { devUser: 'publicity-bob', nickname: '市民小周' } });
  citizen = api.client(accessToken);

  // A case elsewhere (another district, another category), carried through to 结案, so the trees have rates to show.
  const grids = (await api.services.catalogue.areaTree()).districts.flatMap((d) => d.streets.flatMap((s) => s.grids));
  const elsewhere = grids[grids.length - 1]!;
  const dispatcher = await createStaff(api, 'dispatcher');
  const handler = await createStaff(api, 'department', city.departmentIds[0]);
  const supervisor = await createStaff(api, 'supervisor');
  const dispatcherApi = await staffClient(api.url, dispatcher.username, dispatcher.password);
  const handlerApi = await staffClient(api.url, handler.username, handler.password);
  const supervisorApi = await staffClient(api.url, supervisor.username, supervisor.password);
  const id = await report(city.otherCategory.id, '路边垃圾桶破损', elsewhere.centroid);
  const step = async (client: ApiClient, body: Record<string, unknown>) => {
    const c = await client.call('getStaffCase', { params: { id } });
    await client.call('actOnCase', { params: { id }, body: { ...body, version: c.version } as never });
  };
  await step(operatorApi, { action: 'file' });
  await step(dispatcherApi, { action: 'dispatch', departmentId: city.departmentIds[0] });
  const after = new FormData();
  after.append('photos', new Blob([readFileSync(await jpegFile('after'))], { type: 'image/jpeg' }), 'after.jpg');
  const { photos: afterPhotos } = await handlerApi.call('uploadPhotos', { body: after });
  await step(handlerApi, { action: 'report_handled', photoIds: [afterPhotos[0]!.id], publicNote: '已更换垃圾桶' });
  await step(supervisorApi, { action: 'verify_pass' });
  expect((await operatorApi.call('getStaffCase', { params: { id } })).state).toBe('closed');
  device = await openDevice('console-publicity', { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = device.page;
}, 300_000);

afterAll(async () => {
  await device?.close();
  await api?.close();
  await wechat?.close();
  await tiles?.close();
  removeTempFiles();
  if (device?.errors.length) throw new Error(`uncaught errors in the console:\n${device.errors.join('\n')}`);
});

describe('publicity targets on the map, campaign results, statistics trees', () => {
  it('a publicity officer picks the target grid on the map; the tree shows it; the saved campaign targets it', async () => {
    await consoleSignIn(page, consoleUrl, accounts.publicity);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '宣传活动' }).click();
    await page.getByTestId('campaign-new').click();
    await page.waitForURL(/\/console\/campaigns\/new/);
    await page.getByTestId('campaign-title').fill(TITLE);

    const map = page.getByTestId('campaign-area-map');
    await map.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0, undefined, { timeout: 15_000 });
    const grid = `[data-testid="campaign-area-map"] path[data-grid="${city.gridId}"]`;
    await page.locator(grid).waitFor();
    await expect(page.locator('[data-testid="campaign-area-map"] path[data-grid]').count()).resolves.toBe(
      (await api.services.catalogue.areaTree()).districts.flatMap((d) => d.streets.flatMap((s) => s.grids)).length,
    );
    await clickPath(grid);
    // The grid is highlighted on the map, and the area tree holds it.
    await page.locator(`${grid}.area-grid-selected`).waitFor();
    await expect(page.locator('[data-testid="campaign-area-map"] path.area-grid-selected').count()).resolves.toBe(1);
    const tree = page.locator('[data-testid="campaign-areas"]');
    await tree.locator('.ant-select-selection-item', { hasText: gridName }).waitFor();
    // In the tree itself: searched for, the grid's node is checked.
    await tree.click();
    await page.keyboard.type(gridName);
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-treenode-checkbox-checked', { hasText: gridName }).waitFor();
    await shot('30-campaign-target-on-map');
    await page.keyboard.press('Escape');

    await page.getByTestId('campaign-save').click();
    await page.waitForURL(/\/console\/campaigns\/[a-f0-9]{24}$/);
    campaignId = /campaigns\/([a-f0-9]{24})/.exec(page.url())![1]!;
    const officer = await staffClient(api.url, accounts.publicity.username, accounts.publicity.password);
    const saved = await officer.call('getCampaignAdmin', { params: { id: campaignId } });
    expect(saved.targetAreaIds).toEqual([city.gridId]);

    // After saving, the map still shows the saved target; publish.
    await page.locator(`${grid}.area-grid-selected`).waitFor();
    await page.getByTestId('campaign-publish').click();
    await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();
  });

  it('the results of a campaign with reports: figures, a chart by day, the CSV with the expected rows, the poster; unpublished and published again; then it ends', async () => {
    // A citizen reports in the target grid; the operator files it.
    const createdId = await report(city.publicCategory.id, '网格内人行道上堆放建筑垃圾', city.point);
    const seen = await operatorApi.call('getStaffCase', { params: { id: createdId } });
    expect(seen.campaignId).toBe(campaignId);
    const filed = await operatorApi.call('actOnCase', { params: { id: createdId }, body: { action: 'file', version: seen.version } });
    caseNo = filed.caseNo;
    const officer = await staffClient(api.url, accounts.publicity.username, accounts.publicity.password);
    const results = await until(
      () => officer.call('campaignResults', { params: { id: campaignId } }),
      (r) => r.reportsReceived === 1 && r.filed === 1,
    );
    expect(results).toMatchObject({ reportsReceived: 1, filed: 1, participants: 1 });
    const today = results.perDay.find((d) => d.received === 1)!;
    expect(today).toMatchObject({ received: 1, filed: 1, closed: 0 });

    // From the campaign list: 查看成效 opens the campaign at its results.
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '宣传活动' }).click();
    await page.getByTestId(`campaign-row-${TITLE}`).getByTestId('campaign-results-link').click();
    await page.waitForURL(new RegExp(`/campaigns/${campaignId}#results$`));
    const panel = page.getByTestId('campaign-results');
    await panel.waitFor();
    await expect(page.getByTestId('campaign-result-reportsReceived').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('campaign-result-filed').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('campaign-result-participants').textContent()).resolves.toBe('1');
    // The chart: one group of bars per day, today's with its received and filed figures.
    const chart = page.getByTestId('campaign-results-chart');
    await chart.locator('svg').waitFor();
    await expect(chart.locator('g[data-label]').count()).resolves.toBe(results.perDay.length);
    const bars = await chart.locator(`g[data-label="${today.date.slice(5)}"] rect title`).evaluateAll((els) => els.map((e) => e.textContent));
    expect(bars).toEqual([`${today.date.slice(5)} 收到上报：1`, `${today.date.slice(5)} 立案：1`, `${today.date.slice(5)} 结案：0`]);
    await panel.scrollIntoViewIfNeeded();
    await shot('31-campaign-results');

    // The CSV: UTF-8 with the byte-order mark, a row per day and the totals.
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('campaign-results-csv').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^活动成效-.*\.csv$/);
    const csvFile = path.join(SHOTS, 'campaign-results.csv');
    await csvDownload.saveAs(csvFile);
    const bytes = readFileSync(csvFile);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('日期,收到上报,立案,结案');
    expect(lines).toContain(`${today.date},1,1,0`);
    expect(lines.at(-1)).toBe('合计,1,1,0');
    expect(lines).toHaveLength(results.perDay.length + 2);

    // The poster with the campaign's mini-program code.
    const [poster] = await Promise.all([page.waitForEvent('download'), page.getByTestId('campaign-poster').click()]);
    expect(poster.suggestedFilename()).toMatch(/^活动海报-.*\.png$/);
    const posterFile = path.join(SHOTS, 'campaign-poster.png');
    await poster.saveAs(posterFile);
    expect([...readFileSync(posterFile).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

    // 撤下活动 asks for a reason, then takes the campaign back to draft; published again, it is live.
    await page.getByTestId('campaign-unpublish').click();
    await page.getByTestId('campaign-unpublish-confirm').click();
    await page.locator('.ant-modal .ant-form-item-explain-error', { hasText: '请填写原因' }).waitFor();
    await page.getByTestId('campaign-unpublish-reason').fill('活动区域需要调整');
    await shot('32a-campaign-unpublish');
    await page.getByTestId('campaign-unpublish-confirm').click();
    await page.getByTestId('campaign-status').filter({ hasText: '草稿' }).waitFor();
    const unpublished = await officer.call('getCampaignAdmin', { params: { id: campaignId } });
    expect([unpublished.status, unpublished.changes.find((c) => c.action === 'unpublish')?.reason]).toEqual(['draft', '活动区域需要调整']);
    await page.getByTestId('campaign-publish').click();
    await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();

    // Ending early asks first; cancelled, nothing changes; confirmed, the campaign has ended.
    await page.getByTestId('campaign-end').click();
    await page.locator('.ant-modal-confirm', { hasText: '提前结束活动？' }).waitFor();
    await shot('32-campaign-end-confirm');
    await page.locator('.ant-modal-confirm .ant-btn', { hasText: '取消' }).click();
    // Until its closing animation ends the cancelled dialog stays in the page, its button too:
    // the next confirm must be the new dialog's.
    await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    expect((await officer.call('getCampaignAdmin', { params: { id: campaignId } })).status).toBe('live');
    await page.getByTestId('campaign-end').click();
    await page.getByTestId('campaign-end-confirm').click();
    await page.getByTestId('campaign-status').filter({ hasText: '已结束' }).waitFor();
    await expect(page.getByTestId('campaign-end').count()).resolves.toBe(0);
    expect((await officer.call('getCampaignAdmin', { params: { id: campaignId } })).status).toBe('ended');
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/console\/login/);
  });

  it('statistics: the category and area trees show the API figures, drill down to the cases, and go into the .xlsx', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const adminApi = await staffClient(api.url, accounts.admin.username, accounts.admin.password);
    await until(
      () => adminApi.call('staffStatsSummary', { query: { from: month, to: month } }),
      (s) => s.counts.filed >= 2 && s.counts.closures >= 1,
    );
    const categories = await adminApi.call('staffStatsCategories', { query: { from: month, to: month } });
    const areas = await adminApi.call('staffStatsAreas', { query: { from: month, to: month } });
    expect(categories.items.length).toBeGreaterThan(0);
    expect(areas.items.length).toBeGreaterThan(0);
    // Some rate to show: the closed case's category closed all it had due.
    expect(nodesWithKeys(categories.items).some(({ node }) => node.rates.closureRate.percent !== null)).toBe(true);

    await consoleSignIn(page, consoleUrl, accounts.admin);
    await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '统计分析' }).click();
    await page.waitForURL(/\/console\/stats/);
    await page.getByTestId('stats-tree-tabs').waitFor();

    // The category tree, fully expanded: every node of the API's answer with its figures.
    const checkTree = async (testId: string, nodes: readonly StatsNode[]) => {
      await page.getByTestId(testId).waitFor();
      await expandAll(testId);
      for (const { key, node } of nodesWithKeys(nodes)) {
        expect([key, await shownRow(testId, key)]).toEqual([
          key,
          {
            reported: String(node.counts.reported),
            filed: String(node.counts.filed),
            closures: String(node.counts.closures),
            overdue: String(node.counts.overdue),
            closureRate: pct(node.rates.closureRate),
            onTimeRate: pct(node.rates.onTimeRate),
            reworkRate: pct(node.rates.reworkRate),
          },
        ]);
      }
    };
    await checkTree('stats-tree-categories', categories.items);
    await page.getByTestId('stats-tree-categories').scrollIntoViewIfNeeded();
    await shot('33-statistics-category-tree');

    // Drill-down from the report's category: its case is there.
    const categoryKey = nodesWithKeys(categories.items).find((n) => n.node.level === 'category' && n.node.id === city.publicCategory.id)!.key;
    await page.getByTestId('stats-tree-categories').locator(`tr[data-row-key="${categoryKey}"]`).getByTestId('stats-tree-drill').click();
    await page.getByTestId('stats-drill').locator('td', { hasText: caseNo }).waitFor();
    await expect(page.locator('.ant-modal-title:visible').innerText()).resolves.toBe(`${city.publicCategory.name} 的案件`);
    await shot('34-statistics-category-drill-down');
    await page.locator('.ant-modal:visible .ant-modal-close').click();

    // The area tree: the same, and the report's grid drills down to its case.
    await page.getByTestId('stats-tree-tabs').locator('.ant-tabs-tab', { hasText: '区域树' }).click();
    await checkTree('stats-tree-areas', areas.items);
    const gridKey = nodesWithKeys(areas.items).find((n) => n.node.level === 'grid' && n.node.id === city.gridId)!.key;
    await page.getByTestId('stats-tree-areas').scrollIntoViewIfNeeded();
    await shot('35-statistics-area-tree');
    await page.getByTestId('stats-tree-areas').locator(`tr[data-row-key="${gridKey}"]`).getByTestId('stats-tree-drill').click();
    await page.getByTestId('stats-drill').locator('td', { hasText: caseNo }).waitFor();
    await page.locator('.ant-modal:visible .ant-modal-close').click();

    // The .xlsx: sheets 类别统计 and 区域统计 hold every node with the figures the page shows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-export').click()]);
    const xlsx = path.join(SHOTS, 'statistics-trees.xlsx');
    mkdirSync(SHOTS, { recursive: true });
    await download.saveAs(xlsx);
    const num = (v: number | null) => (v === null ? '' : String(v));
    for (const [sheet, nodes, header] of [
      ['类别统计', categories.items, '类别'],
      ['区域统计', areas.items, '区域'],
    ] as const) {
      const rows = sheetRows(xlsx, sheet);
      expect(rows[0]).toEqual(['层级', header, '上报数', '立案数', '结案数', '超期数', '结案率（%）', '按期处置率（%）', '返工率（%）']);
      const expected = nodesWithKeys(nodes).map(({ node, depth }) => [
        { family: '类型', major: '大类', category: '小类', district: '区县', street: '街道', grid: '网格', other: '其他' }[node.level],
        `${'　'.repeat(depth)}${node.name}`,
        String(node.counts.reported),
        String(node.counts.filed),
        String(node.counts.closures),
        String(node.counts.overdue),
        num(node.rates.closureRate.percent),
        num(node.rates.onTimeRate.percent),
        num(node.rates.reworkRate.percent),
      ]);
      // Trailing empty cells are not written.
      expect(rows.slice(1).map((r) => [...r, ...Array(9 - r.length).fill('')])).toEqual(expected);
    }

    // The public statistics dataset of the period, as CSV: what the public export answers, with the BOM.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-public-csv').click()]);
    expect(csv.suggestedFilename()).toBe(`公开统计数据集-${month}至${month}.csv`);
    const csvFile = path.join(SHOTS, 'public-statistics.csv');
    await csv.saveAs(csvFile);
    const bytes = readFileSync(csvFile);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const published = String(await publicClient(api.url).call('publicStatsExportCsv', { query: { from: month, to: month } }));
    expect(bytes.subarray(3).toString('utf8')).toBe(published.replace(/^\ufeff/, ''));
  });
});
