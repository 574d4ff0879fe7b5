/**
 * The browser version's map picker (issue 18): tiles come from the deployment's tile URL
 * (served here by a loopback tile server) and a tap on the map sets the report's location.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { TestApi } from '../api/test/helpers/harness';
import { citizenLogin, openRoute, startApp, type DemoCity } from './helpers/app';
import { byTestId, openDevice, storageValue, type Device } from './helpers/browser';

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
});

it('shows the deployment’s map tiles and sets the location where the citizen taps', async () => {
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
  const box = (await map.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2 + 60, box.y + box.height / 2 - 40);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('ssp.reportDraft') ?? '{}')?.data?.location?.source === 'map');
  const after = (await storageValue<{ location: { lat: number; lng: number; source: string } }>(page, 'ssp.reportDraft'))!.location;
  // North-east of where it was, by tens of metres at zoom 16.
  expect(after.lat).toBeGreaterThan(before.lat);
  expect(after.lng).toBeGreaterThan(before.lng);
  expect(after.lat - before.lat).toBeLessThan(0.005);
  await byTestId(page, 'location-place').filter({ hasNotText: '还没有位置' }).waitFor();
});
