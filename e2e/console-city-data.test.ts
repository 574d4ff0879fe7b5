/**
 * 城市数据 in the staff console (Chromium at a desk's 1440×900, the real API and database):
 * an administrator changes a category's time limit, adds a street with a grid to the areas
 * tree, adds a holiday to the working calendar, and saves each; the API then serves the new
 * data. Invalid values show their message on the exact field: the shared schema's before
 * sending (a negative time limit, a duplicate category code, a period ending before it
 * starts), the API's after (a grid numbered like a street, a department categories still
 * name), and a save over a catalogue another administrator replaced meanwhile is refused (409)
 * with a clear message. A new grid's boundary is drawn on the map (WGS-84 tiles from a
 * loopback tile server, so the drawn vertices are converted to GCJ-02) and the API then locates
 * the drawn square to it. Screenshots go to test-artifacts/screenshots/console/city-data-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { ApiClient, AreaTree, Category, GridGeometry } from '@ssp/shared';
import { startTestApi, type TestApi } from '../api/test/helpers/harness';
import { demoCity } from '../api/test/helpers/city';
import { staffClient } from './helpers/api';
import { createStaff, type DemoCity } from './helpers/app';
import { SCREENSHOT_DIR, openDevice, type Device } from './helpers/browser';
import { CONSOLE_DIST, consoleSignIn, ensureConsoleBuild, startTileServer } from './helpers/console';

const SHOTS = path.join(SCREENSHOT_DIR, 'console');

let api: TestApi;
let city: DemoCity;
let device: Device;
let page: Page;
let adminApi: ApiClient;
let tree: AreaTree;
let tiles: Awaited<ReturnType<typeof startTileServer>> | undefined;
/** Every city-data replacement the page sent, as `PUT /admin/…`. */
const replacements: string[] = [];

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** The form item (label, control and its messages) labelled `label` inside `scope`. */
function formItem(scope: Locator, label: string): Locator {
  return scope.locator('.ant-form-item').filter({ has: page.locator('label', { hasText: new RegExp(`^${label}$`) }) });
}

/** Picks an option of an antd Select by its text (the dropdown animates open). */
async function choose(select: Locator, text: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await select.click();
    await page.keyboard.type(text);
    const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first();
    await option.waitFor();
    await page.waitForTimeout(250);
    await option.click();
    await page.waitForTimeout(100);
    if ((await select.innerText()).includes(text)) return;
  }
  throw new Error(`could not choose ${text}`);
}

/** The bounding box [west, south, east, north] of a boundary. */
function bbox(geometry: GridGeometry): [number, number, number, number] {
  const positions = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).flat(2);
  const lngs = positions.map((p) => p[0]!);
  const lats = positions.map((p) => p[1]!);
  return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)];
}

async function openTab(name: string): Promise<void> {
  await page.locator('.ant-tabs-tab', { hasText: name }).click();
}

beforeAll(async () => {
  ensureConsoleBuild();
  // The map's tiles from loopback; WGS-84 as Tianditu's are (MAP_TILE_DATUM below).
  tiles = await startTileServer();
  const tileUrl = tiles.url;
  api = await startTestApi({ env: { CONSOLE_DIST_DIR: CONSOLE_DIST, MAP_TILE_URL: tileUrl, MAP_TILE_SUBDOMAINS: 'a', MAP_TILE_DATUM: 'wgs84' } });
  city = await demoCity(api);
  const admin = await createStaff(api, 'admin');
  adminApi = await staffClient(api.url, admin.username, admin.password);
  tree = await adminApi.call('getAreaTree');
  device = await openDevice('city-data-desk', { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = device.page;
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (r.method() === 'PUT' && /^\/admin\/(catalogue|areas|departments|calendar)$/.test(pathname)) replacements.push(pathname);
  });
  await consoleSignIn(page, `${api.url}/console/`, admin);
  await page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '城市数据' }).click();
  await page.waitForURL(/\/console\/city-data/);
}, 300_000);

afterAll(async () => {
  const errors = device?.errors ?? [];
  await device?.close();
  await api?.close();
  await tiles?.close();
  if (errors.length) throw new Error(`uncaught errors:\n${errors.join('\n')}`);
});

describe('an administrator edits the city data in the console', () => {
  let category: Category;

  it('changes a category’s time limit: a negative one is refused on the field, a valid one is in effect after saving', async () => {
    category = city.publicCategory;
    const panel = page.getByTestId('city-data-catalogue');
    const row = panel.getByTestId(`category-row-${category.id}`);
    await row.waitFor();
    await row.getByTestId(`category-edit-${category.id}`).click();
    const modal = page.locator('.ant-modal:visible');
    const limit = formItem(modal, '处置时限');
    await limit.locator('input').fill('-3');
    await page.getByTestId('category-apply').click();
    await limit.locator('.ant-form-item-explain-error', { hasText: '处置时限必须大于 0' }).waitFor();
    await shot('city-data-01-catalogue-field-error');
    expect(replacements).toEqual([]);

    const next = category.timeLimit.value + 3;
    await limit.locator('input').fill(String(next));
    await limit.locator('.ant-form-item-explain-error').waitFor({ state: 'detached' });
    await page.getByTestId('category-apply').click();
    await modal.waitFor({ state: 'hidden' });
    await row
      .getByTestId('category-time-limit')
      .filter({ hasText: `${next} ` })
      .waitFor();
    await panel.getByTestId('catalogue-dirty').waitFor();
    await panel.getByTestId('catalogue-save').click();
    await panel
      .getByTestId('catalogue-saved')
      .filter({ hasText: /城市数据第 \d+ 版/ })
      .waitFor();
    expect(replacements).toEqual(['/admin/catalogue']);

    const stored = (await adminApi.call('getCatalogueData')).categories.find((c) => c.id === category.id)!;
    expect(stored.timeLimit).toEqual({ value: next, unit: category.timeLimit.unit });
    const listed = (await api.client().call('listCategories')).categories.find((c) => c.id === category.id)!;
    expect(listed.timeLimit.value).toBe(next);
    await shot('city-data-02-catalogue-saved');
  });

  it('refuses a new category with a code already in the list, on the code field', async () => {
    const panel = page.getByTestId('city-data-catalogue');
    await panel.getByTestId('category-add').click();
    const modal = page.locator('.ant-modal:visible');
    await formItem(modal, '类别代码').locator('input').fill(category.code);
    await choose(formItem(modal, '类型').locator('.ant-select'), category.family === 'event' ? '事件' : '部件');
    await formItem(modal, '大类代码').locator('input').fill(category.majorCode);
    await formItem(modal, '大类名称').locator('input').fill(category.majorName);
    await formItem(modal, '名称').locator('input').fill('重复的类别');
    await formItem(modal, '处置时限').locator('input').fill('2');
    await choose(formItem(modal, '默认处置部门').locator('.ant-select'), (await adminApi.call('listDepartments')).departments[0]!.name);
    await page.getByTestId('category-apply').click();
    await formItem(modal, '类别代码')
      .locator('.ant-form-item-explain-error', { hasText: `类别编号 ${category.id} 重复` })
      .waitFor();
    await shot('city-data-03-catalogue-duplicate-code');
    await modal.getByRole('button', { name: /取\s*消/ }).click();
    await modal.waitFor({ state: 'hidden' });
    expect(replacements).toEqual(['/admin/catalogue']);
  });

  it('adds a street with a grid to the areas tree and saves it; the API serves the new grid', async () => {
    await openTab('区域网格');
    await page.waitForURL(/\/city-data\/areas/);
    const panel = page.getByTestId('city-data-areas');
    const district = tree.districts[0]!;
    await panel.getByTestId(`area-node-${district.id}`).click();
    await panel.getByTestId('area-add-street').click();
    await panel.getByTestId('area-id').fill('E2E-ST1');
    await panel.getByTestId('area-name').fill('测试新街道');
    await panel.getByTestId('area-node-E2E-ST1').waitFor();
    await panel.getByTestId('area-add-grid').click();
    await panel.getByTestId('area-id').fill('E2E-ST1-G1');
    await panel.getByTestId('area-name').fill('测试新街道第1网格');
    await panel.getByTestId('area-node-E2E-ST1-G1').waitFor();
    await shot('city-data-04-areas-new-grid');
    await panel.getByTestId('areas-save').click();
    await panel.getByTestId('areas-saved').waitFor();
    expect(replacements).toEqual(['/admin/catalogue', '/admin/areas']);

    const served = await api.client().call('getAreaTree');
    const street = served.districts.find((d) => d.id === district.id)!.streets.find((s) => s.id === 'E2E-ST1')!;
    expect(street.name).toBe('测试新街道');
    expect(street.grids.map((g) => [g.id, g.name])).toEqual([['E2E-ST1-G1', '测试新街道第1网格']]);
    // The new grid is a place: its centroid locates to it.
    const located = await api
      .client()
      .call('locateArea', { query: { lat: String(street.grids[0]!.centroid.lat), lng: String(street.grids[0]!.centroid.lng) } });
    expect(located.grid.id).toBe('E2E-ST1-G1');
    await shot('city-data-05-areas-saved');
  });

  it('shows the API’s refusal of a grid numbered like a street on that grid’s number field', async () => {
    const panel = page.getByTestId('city-data-areas');
    const takenStreet = tree.districts[0]!.streets[0]!;
    await panel.getByTestId('area-node-E2E-ST1').click();
    await panel.getByTestId('area-add-grid').click();
    await panel.getByTestId('area-id').fill(takenStreet.id);
    await panel.getByTestId('area-name').fill('编号冲突的网格');
    await panel.getByTestId('areas-save').click();
    const message = `网格编号 ${takenStreet.id} 与街道或区的编号相同`;
    // The API's message, on the field of the grid it names, with the node marked and the summary naming it.
    await formItem(panel, '网格编号').locator('.ant-form-item-explain-error', { hasText: message }).waitFor();
    expect(await panel.getByTestId('area-name').inputValue()).toBe('编号冲突的网格');
    await panel.getByTestId(`area-node-${takenStreet.id}`).filter({ hasText: '编号冲突的网格' }).getByTestId('area-node-problem').waitFor();
    const summary = panel.getByTestId('areas-problems');
    await summary.filter({ hasText: '服务器未接受' }).waitFor();
    expect(await summary.innerText()).toContain(`网格「编号冲突的网格」 编号：${message}`);
    expect(replacements).toEqual(['/admin/catalogue', '/admin/areas', '/admin/areas']);
    await shot('city-data-06-areas-api-error');
    // Nothing changed on the server.
    const served = await api.client().call('getAreaTree');
    expect(served.districts[0]!.streets.find((s) => s.id === 'E2E-ST1')!.grids).toHaveLength(1);
  });

  it('names the categories still pointing at a department the administrator removed', async () => {
    await openTab('处置部门');
    const panel = page.getByTestId('city-data-departments');
    const departmentId = category.defaultDepartmentId;
    const row = panel.getByTestId(`department-row-${departmentId}`);
    await row.getByTestId(`department-edit-${departmentId}`).click();
    const modal = page.locator('.ant-modal:visible');
    await formItem(modal, '名称').locator('input').fill('');
    await page.getByTestId('department-apply').click();
    await formItem(modal, '名称').locator('.ant-form-item-explain-error', { hasText: '名称不能为空' }).waitFor();
    await modal.getByRole('button', { name: /取\s*消/ }).click();
    await modal.waitFor({ state: 'hidden' });

    await row.getByTestId(`department-remove-${departmentId}`).click();
    await page
      .locator('.ant-popconfirm:visible')
      .getByRole('button', { name: /删\s*除/ })
      .click();
    await row.waitFor({ state: 'detached' });
    await panel.getByTestId('departments-save').click();
    const summary = panel.getByTestId('departments-problems');
    await summary.filter({ hasText: `部门 ${departmentId} 不存在` }).waitFor();
    expect(await summary.innerText()).toMatch(/类别目录第 \d+ 行（[CE]\d+ [^）]+）：部门 /);
    await shot('city-data-07-departments-api-error');
    expect((await adminApi.call('getDepartmentsData')).departments.some((d) => d.id === departmentId)).toBe(true);
    await panel.getByRole('button', { name: '重新加载' }).click();
    await row.waitFor();
  });

  it('adds a holiday to the working calendar; a period ending before it starts is refused on its field', async () => {
    await openTab('工作日历');
    const panel = page.getByTestId('city-data-calendar');
    const before = (await adminApi.call('getCalendar')).calendar;
    const year = new Date().getFullYear() + 1;
    const holiday = `${year}-07-15`;
    expect(before.holidays).not.toContain(holiday);

    const start = before.workingHours[0]!.start;
    await panel.getByTestId('hours-end-0').fill(start);
    await panel.getByTestId('calendar-save').click();
    await panel.locator('.ant-form-item-explain-error', { hasText: '结束时间必须晚于开始时间' }).waitFor();
    await shot('city-data-08-calendar-field-error');
    expect(replacements.filter((r) => r === '/admin/calendar')).toEqual([]);
    await panel.getByTestId('hours-end-0').fill(before.workingHours[0]!.end);

    const picker = panel.getByPlaceholder('选择日期');
    await picker.click();
    await picker.fill(holiday);
    await picker.press('Enter');
    await panel.getByTestId('calendar-add-holiday').click();
    await panel.getByTestId(`holiday-${holiday}`).waitFor();
    await panel.getByTestId('calendar-save').click();
    await panel.getByTestId('calendar-saved').waitFor();
    const after = (await adminApi.call('getWorkCalendar')).calendar;
    expect(after.holidays).toContain(holiday);
    expect(after.holidays).toHaveLength(before.holidays.length + 1);
    expect(after.workingHours).toEqual(before.workingHours);
    await shot('city-data-09-calendar-saved');
  });
  it('refuses a save over a catalogue another administrator replaced meanwhile, and reloads it on request', async () => {
    await openTab('类别目录');
    const panel = page.getByTestId('city-data-catalogue');
    const shownVersion = Number((await panel.getByTestId('catalogue-version').innerText()).replace(/\D/g, ''));
    // Another administrator saves first (over the API, as their console would).
    const { categories, version } = await adminApi.call('getCatalogueData');
    expect(version).toBe(shownVersion);
    const other = categories[1]!;
    const theirs = await adminApi.call('replaceCatalogueData', {
      query: { baseVersion: String(version) },
      body: categories.map((c) => (c.id === other.id ? { ...c, name: `${c.name}（已改）` } : c)),
    });

    const row = panel.getByTestId(`category-row-${category.id}`);
    await row.getByTestId(`category-edit-${category.id}`).click();
    const modal = page.locator('.ant-modal:visible');
    await formItem(modal, '基础积分').locator('input').fill('33');
    await page.getByTestId('category-apply').click();
    await modal.waitFor({ state: 'hidden' });
    await panel.getByTestId('catalogue-save').click();
    const conflict = panel.getByTestId('catalogue-conflict');
    await conflict.filter({ hasText: `类别目录已被他人修改（您编辑的是第 ${version} 版，现在是第 ${theirs.version} 版）` }).waitFor();
    await shot('city-data-10-catalogue-conflict');
    expect((await adminApi.call('getCatalogueData')).categories.find((c) => c.id === category.id)!.basePoints).toBe(category.basePoints);

    await conflict.getByRole('button', { name: '重新加载' }).click();
    await conflict.waitFor({ state: 'detached' });
    await panel
      .getByTestId('catalogue-version')
      .filter({ hasText: `第 ${theirs.version} 版` })
      .waitFor();
    await panel
      .getByTestId(`category-row-${other.id}`)
      .filter({ hasText: `${other.name}（已改）` })
      .waitFor();
  });
  it('shows a new grid’s boundary on the map as typed, draws it with four clicks, drags a vertex and saves it; the API locates the drawn shape to it', async () => {
    await openTab('区域网格');
    const panel = page.getByTestId('city-data-areas');
    // The grid the API refused earlier is still in the editor: start again from the served tree.
    await panel.getByRole('button', { name: '重新加载' }).click();
    await panel.getByTestId('area-node-E2E-ST1').filter({ hasText: '1 个网格' }).click();
    await panel.getByTestId('area-add-grid').click();
    await panel.getByTestId('area-id').fill('E2E-ST1-G2');
    await panel.getByTestId('area-name').fill('地图绘制的网格');
    const field = panel.getByTestId('area-geometry');
    const placeholder = JSON.parse(await field.inputValue()) as GridGeometry;
    const [w, s, e, n] = bbox(placeholder);
    const map = panel.getByTestId('area-map');
    await map.locator('.leaflet-tile-loaded').first().waitFor();
    // The new grid's square highlighted, its sibling faintly (dashed).
    await map.getByTestId('area-map-selected').waitFor();
    expect(await map.locator('path.leaflet-interactive[stroke-dasharray]').count()).toBe(1);

    // The text drives the map: a valid boundary redraws it, invalid JSON is refused on the field and the map keeps the last valid shape.
    const selectedPath = map.getByTestId('area-map-selected');
    const shown = await selectedPath.getAttribute('d');
    const placeholderText = await field.inputValue();
    const inset = (w + e) / 2;
    await field.fill(
      JSON.stringify({
        type: 'Polygon',
        coordinates: [
          [
            [w, s],
            [inset, s],
            [inset, n],
            [w, n],
            [w, s],
          ],
        ],
      }),
    );
    await page.waitForFunction((before) => document.querySelector('[data-testid="area-map-selected"]')?.getAttribute('d') !== before, shown);
    const half = await selectedPath.getAttribute('d');
    await field.fill('{"type": "Polygon", "coordinates": [[');
    await formItem(panel, '边界（GeoJSON Polygon / MultiPolygon，GCJ-02 \\[经度, 纬度\\]）')
      .locator('.ant-form-item-explain-error', { hasText: '边界不是有效的 JSON' })
      .waitFor();
    expect(await selectedPath.getAttribute('d')).toBe(half);
    await field.fill(placeholderText);
    await panel.locator('.ant-form-item-explain-error').waitFor({ state: 'detached' });
    await page.waitForFunction((before) => document.querySelector('[data-testid="area-map-selected"]')?.getAttribute('d') === before, shown);

    // Drawing cancelled leaves the field as it was.
    await panel.getByTestId('area-draw-start').click();
    await map.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const first = (await map.boundingBox())!;
    await page.mouse.click(first.x + first.width / 2, first.y + first.height / 2);
    await panel.getByTestId('area-draw-count').filter({ hasText: '已点 1 个顶点' }).waitFor();
    await panel.getByTestId('area-draw-cancel').click();
    await panel.getByTestId('area-draw-start').waitFor();
    expect(await field.inputValue()).toBe(placeholderText);

    // Four clicks around the map's centre (the view is fitted to the placeholder square), and one undone.
    await panel.getByTestId('area-draw-start').click();
    await map.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = (await map.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(901);
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const corners: [number, number][] = [
      [-60, -45],
      [60, -45],
      [60, 45],
      [-60, 45],
      [0, 100],
    ];
    for (const [i, [dx, dy]] of corners.entries()) {
      await page.mouse.click(cx + dx, cy + dy);
      await panel
        .getByTestId('area-draw-count')
        .filter({ hasText: `已点 ${i + 1} 个顶点` })
        .waitFor();
    }
    await panel.getByTestId('area-draw-undo').click();
    await panel.getByTestId('area-draw-count').filter({ hasText: '已点 4 个顶点' }).waitFor();
    await panel.getByTestId('area-draw-finish').click();
    await panel.getByTestId('area-draw-start').waitFor();

    // The field holds the drawn square: a closed GCJ-02 ring, centred where the placeholder was
    // (vertices clicked on WGS-84 tiles and stored unconverted would be hundreds of metres off).
    const drawn = JSON.parse(await field.inputValue()) as GridGeometry;
    expect(drawn.type).toBe('Polygon');
    const ring = (drawn as Extract<GridGeometry, { type: 'Polygon' }>).coordinates[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[4]).toEqual(ring[0]);
    const centroid = { lng: ring.slice(0, 4).reduce((t, p) => t + p[0]!, 0) / 4, lat: ring.slice(0, 4).reduce((t, p) => t + p[1]!, 0) / 4 };
    expect(Math.abs(centroid.lng - (w + e) / 2)).toBeLessThan(2e-4);
    expect(Math.abs(centroid.lat - (s + n) / 2)).toBeLessThan(2e-4);
    // A square, smaller than the placeholder, with its left and right edges upright.
    expect(ring[0]![0]).toBeCloseTo(ring[3]![0]!, 5);
    expect(ring[1]![0]).toBeCloseTo(ring[2]![0]!, 5);
    expect(ring[1]![0]! - ring[0]![0]!).toBeGreaterThan(0);
    expect(ring[1]![0]! - ring[0]![0]!).toBeLessThan(e - w);
    expect(await panel.locator('.ant-form-item-explain-error').count()).toBe(0);

    // The drawn boundary's third vertex dragged 20 px right and 15 px down: only it moves in the field.
    await map.locator('.grid-vertex-handle').nth(3).waitFor();
    await page.mouse.move(cx + 60, cy + 45);
    await page.mouse.down();
    for (let step = 1; step <= 5; step += 1) await page.mouse.move(cx + 60 + 4 * step, cy + 45 + 3 * step);
    await page.mouse.up();
    await page.waitForFunction(
      (old) => !(document.querySelector('[data-testid="area-geometry"]') as HTMLTextAreaElement).value.includes(old),
      JSON.stringify(ring[2]),
    );
    const dragged = (JSON.parse(await field.inputValue()) as Extract<GridGeometry, { type: 'Polygon' }>).coordinates[0]!;
    expect([dragged[0], dragged[1], dragged[3], dragged[4]]).toEqual([ring[0], ring[1], ring[3], ring[4]]);
    expect(dragged[2]![0]).toBeGreaterThan(ring[2]![0]!);
    expect(dragged[2]![1]).toBeLessThan(ring[2]![1]!);
    const inside = {
      lng: dragged.slice(0, 4).reduce((t, p) => t + p[0]!, 0) / 4,
      lat: dragged.slice(0, 4).reduce((t, p) => t + p[1]!, 0) / 4,
    };

    await panel.getByTestId('areas-save').click();
    await panel.getByTestId('areas-saved').waitFor();
    await shot('city-data-11-grid-drawn');

    const stored = (await adminApi.call('getAreasData')).features.find((f) => f.properties.gridId === 'E2E-ST1-G2')!;
    expect(stored.geometry).toEqual({ type: 'Polygon', coordinates: [dragged] });
    expect(stored.properties.gridName).toBe('地图绘制的网格');
    const located = await api.client().call('locateArea', { query: { lat: String(inside.lat), lng: String(inside.lng) } });
    expect(located.grid.id).toBe('E2E-ST1-G2');
  });

  it('asks before leaving the screen with unsaved changes: staying keeps them, leaving discards them', async () => {
    await openTab('工作日历');
    const panel = page.getByTestId('city-data-calendar');
    const before = (await adminApi.call('getCalendar')).calendar;
    const saves = replacements.length;
    await panel.getByTestId('hours-end-0').fill('18:45');
    await panel.getByTestId('calendar-dirty').waitFor();
    const home = page.locator('[data-testid="side-menu"] .ant-menu-item', { hasText: '工作台首页' });

    await home.click();
    const dialog = page.locator('.ant-modal-confirm', { hasText: '有未保存的修改' });
    await dialog.getByText('工作日历的修改还没有保存').waitFor();
    await shot('city-data-12-leave-unsaved');
    await dialog.getByRole('button', { name: '留下继续编辑' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/city-data/);
    expect(await panel.getByTestId('hours-end-0').inputValue()).toBe('18:45');

    // Switching tabs is not leaving: the edit stays, nothing asks.
    await openTab('处置部门');
    await openTab('工作日历');
    expect(await page.locator('.ant-modal-confirm').count()).toBe(0);
    expect(await panel.getByTestId('hours-end-0').inputValue()).toBe('18:45');

    await home.click();
    await dialog.getByRole('button', { name: '放弃修改并离开' }).click();
    await page.waitForURL((url) => url.pathname === '/console/' || url.pathname === '/console');
    expect(replacements.length).toBe(saves);
    expect((await adminApi.call('getCalendar')).calendar.workingHours).toEqual(before.workingHours);
  });
});
