/**
 * Issue 18 (weak network) in the browser: a photo picked without a connection uploads
 * by itself when the connection returns, and one left waiting when the app is closed
 * uploads when it is opened again. The address fills from reverse geocoding (a loopback
 * Tencent-protocol geocoder) and stays editable.
 */
import type { TestApi } from '../api/test/helpers/harness';
import { startFakeGeocoder } from '../api/test/fakes/geocoder-server';
import { choosePhotos, citizenLogin, jpegFile, openRoute, removeTempFiles, startApp, type DemoCity } from './helpers/app';
import { byTestId, fill, openDevice, storageValue, tap, type Device } from './helpers/browser';

let api: TestApi;
let city: DemoCity;
let appUrl: string;
let geocoder: Awaited<ReturnType<typeof startFakeGeocoder>>;
const devices: Device[] = [];

beforeAll(async () => {
  geocoder = await startFakeGeocoder('e2e-geo-key');
  ({ api, city, appUrl } = await startApp({ GEOCODER_URL: geocoder.url, GEOCODER_KEY: 'e2e-geo-key' }));
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await api?.close();
  await geocoder?.close();
  removeTempFiles();
});

const uploadedPhotos = async (page: Device['page']) => (await storageValue<{ photos: unknown[] }>(page, 'ssp.reportDraft'))?.photos.length ?? 0;

describe('reporting on a weak network', () => {
  it('uploads a photo picked offline once the connection is back, and fills an editable address', async () => {
    const d = await openDevice('weak-1', { at: city.point });
    devices.push(d);
    const page = d.page;
    await openRoute(page, appUrl);
    await citizenLogin(page, appUrl, 'weak-net-1', '信号不好的市民');
    await openRoute(page, appUrl, 'pages/report/index');
    await byTestId(page, 'photo-add').waitFor();

    // The address comes from the geocoder at the located position; the citizen can change it.
    const address = page.locator('[data-testid="address"]:visible input').first();
    await page.waitForFunction(
      () =>
        (document.querySelector('.taro_page_show [data-testid="address"] input, [data-testid="address"] input') as HTMLInputElement | null)?.value !==
        '',
    );
    expect(await address.inputValue()).toBe('岳阳楼区洞庭南路(岳阳楼东)');
    await fill(page, 'address', '洞庭南路 12 号门口');
    expect(await address.inputValue()).toBe('洞庭南路 12 号门口');

    await d.context.setOffline(true);
    await choosePhotos(page, () => tap(page, 'photo-add'), [await jpegFile('offline')]);
    await page.waitForTimeout(1500);
    expect(await byTestId(page, 'photo-done').count()).toBe(0);
    await d.context.setOffline(false);
    await byTestId(page, 'photo-done').first().waitFor({ timeout: 20_000 });
    expect(await uploadedPhotos(page)).toBe(1);
    expect((await storageValue<{ address: string }>(page, 'ssp.reportDraft'))?.address).toBe('洞庭南路 12 号门口');
  });

  it('keeps a photo still waiting when the app is closed, and uploads it when the app opens again', async () => {
    const d = await openDevice('weak-2', { at: city.point });
    devices.push(d);
    let page = d.page;
    await openRoute(page, appUrl);
    await citizenLogin(page, appUrl, 'weak-net-2', '关掉应用的市民');
    await openRoute(page, appUrl, 'pages/report/index');
    await byTestId(page, 'photo-add').waitFor();
    await d.context.setOffline(true);
    await choosePhotos(page, () => tap(page, 'photo-add'), [await jpegFile('closed')]);
    await page.waitForTimeout(800);
    expect(await storageValue<unknown[]>(page, 'ssp.pendingPhotos')).toHaveLength(1);
    // The app is closed; later, with a connection, it is opened again.
    await page.close();
    await d.context.setOffline(false);
    page = await d.context.newPage();
    await openRoute(page, appUrl, 'pages/report/index');
    await byTestId(page, 'photo-done').first().waitFor({ timeout: 20_000 });
    expect(await uploadedPhotos(page)).toBe(1);
    expect(await storageValue<unknown[]>(page, 'ssp.pendingPhotos')).toEqual([]);
  });
});
