/**
 * The browser version's map picker (issue 18): tiles come from the deployment's tile URL
 * (served here by a loopback tile server) and a tap on the map sets the report's location.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { TestApi } from '../api/test/helpers/harness';
import { citizenClient } from './helpers/api';
import { choosePhotos, citizenLogin, jpegFile, openRoute, removeTempFiles, startApp, type DemoCity } from './helpers/app';
import { byTestId, fill, openDevice, press, storageValue, tap, type Device } from './helpers/browser';

let api: TestApi;
let city: DemoCity;
let appUrl: string;
let tiles: http.Server;
const tileRequests: string[] = [];
const devices: Device[] = [];

beforeAll(async () => {
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#dfe7d2' } })
    .png()
    .toBuffer();
  tiles = http.createServer((req, res) => {
    tileRequests.push(req.url ?? '');
    res.writeHead(/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '') ? 200 : 404, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(png);
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const tileUrl = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}/{z}/{x}/{y}.png`;
  ({ api, city, appUrl } = await startApp({ MAP_TILE_URL: tileUrl, MAP_TILE_SUBDOMAINS: 'a' }));
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await api?.close();
  await new Promise<void>((resolve) => tiles.close(() => resolve()));
  removeTempFiles();
});

type Draft = { location: { lat: number; lng: number; source: string } };
const draftLocation = async (page: Device['page']) => (await storageValue<Draft>(page, 'ssp.reportDraft'))!.location;

it('shows the deployment’s map tiles, sets the location where the citizen taps or drags the marker, and the report gets it', async () => {
  const d = await openDevice('map-picker', { at: city.point });
  devices.push(d);
  const page = d.page;
  await openRoute(page, appUrl);
  await citizenLogin(page, appUrl, 'map-user', '用地图的市民');
  await openRoute(page, appUrl, 'pages/report/index');
  const map = byTestId(page, 'site-map');
  await map.waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0, undefined, { timeout: 15_000 });
  expect(tileRequests.some((u) => /^\/1[0-8]\/\d+\/\d+\.png$/.test(u))).toBe(true);
  // Located by the device first; then a tap on the map, up and to the right of the centre.
  await page.waitForFunction(() => !!JSON.parse(localStorage.getItem('ssp.reportDraft') ?? '{}')?.data?.location);
  const before = (await storageValue<{ location: { lat: number; lng: number } }>(page, 'ssp.reportDraft'))!.location;
  // The marker is drawn at the located point and the map pans there (animated): let it settle.
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-marker-icon.loc__pin').length === 1);
  await page.waitForTimeout(600);
  await map.scrollIntoViewIfNeeded();
  const box = (await map.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2 + 60, box.y + box.height / 2 - 40);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('ssp.reportDraft') ?? '{}')?.data?.location?.source === 'map');
  const after = await draftLocation(page);
  // North-east of where it was, by tens of metres at zoom 16.
  expect(after.lat).toBeGreaterThan(before.lat);
  expect(after.lng).toBeGreaterThan(before.lng);
  expect(after.lat - before.lat).toBeLessThan(0.005);
  await byTestId(page, 'location-place').filter({ hasNotText: '还没有位置' }).waitFor();

  // The marker is drawn where the point is, and dragging it west moves the point west.
  const pin = page.locator('.leaflet-marker-icon.loc__pin');
  // Let the pan to the tapped point finish before grabbing the marker.
  await page.waitForTimeout(600);
  const pinBox = (await pin.boundingBox())!;
  const [px, py] = [pinBox.x + pinBox.width / 2, pinBox.y + pinBox.height / 2];
  await page.mouse.move(px, py);
  await page.mouse.down();
  await page.mouse.move(px - 40, py, { steps: 5 });
  await page.mouse.move(px - 80, py, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((lng) => (JSON.parse(localStorage.getItem('ssp.reportDraft') ?? '{}')?.data?.location?.lng ?? lng) < lng, after.lng);
  const dragged = await draftLocation(page);
  expect(dragged.source).toBe('map');
  expect(dragged.lng).toBeLessThan(after.lng);
  expect(Math.abs(dragged.lat - after.lat)).toBeLessThan(0.0003);
  // The coordinate fields show the same point (kept for keyboard and screen-reader users).
  await tap(page, 'manual-location');
  expect(Number(await page.locator('[data-testid="lng"]:visible input').first().inputValue())).toBe(dragged.lng);

  // Submitted, the report carries the point picked on the map.
  await choosePhotos(page, () => tap(page, 'photo-add'), [await jpegFile('map-picked')]);
  await byTestId(page, 'photo-done').first().waitFor();
  await tap(page, 'category-field');
  await fill(page, 'category-search', city.publicCategory.name);
  await press(byTestId(page, 'category-option').filter({ hasText: city.publicCategory.name }).first());
  await fill(page, 'description', '地图上选的位置，路灯不亮');
  await tap(page, 'submit');
  await byTestId(page, 'report-success').waitFor();
  const client = await citizenClient(page, api.url);
  const mine = await client.call('listMyReports');
  const detail = await client.call('getMyReport', { params: { id: mine.items[0]!.id } });
  expect(detail.location).toEqual({ lat: dragged.lat, lng: dragged.lng });
});
