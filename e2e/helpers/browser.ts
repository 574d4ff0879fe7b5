import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { LatLng } from '@ssp/shared';
import { wgs84ToGcj02 } from '@ssp/shared';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/screenshots');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** GCJ-02 → WGS-84 by fixed-point iteration: what a browser's GPS must report so the app lands on `p`. */
export function gcjToWgs(p: LatLng): LatLng {
  let w = { ...p };
  for (let i = 0; i < 5; i += 1) {
    const g = wgs84ToGcj02(w);
    w = { lat: w.lat - (g.lat - p.lat), lng: w.lng - (g.lng - p.lng) };
  }
  return w;
}

export interface Device {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors (a failing test prints them). */
  errors: string[];
  close(): Promise<void>;
}

/**
 * One phone: its own Chromium with a fresh user-data-dir (so its own storage), a
 * 360×780 viewport (or a desk's screen: `viewport`), Chinese locale, Beijing time, and optionally a GPS position
 * (given in GCJ-02 like the city data; the browser reports WGS-84 as real ones do).
 */
export async function openDevice(
  name: string,
  opts: { at?: LatLng; userAgent?: string; viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {},
): Promise<Device> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ssp-e2e-${name}-`));
  const wgs = opts.at ? gcjToWgs(opts.at) : undefined;
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: opts.viewport ?? { width: 360, height: 780 },
    deviceScaleFactor: opts.deviceScaleFactor ?? 2,
    locale: 'zh-CN',
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    timezoneId: 'Asia/Shanghai',
    geolocation: wgs ? { latitude: wgs.lat, longitude: wgs.lng, accuracy: 10 } : undefined,
    permissions: wgs ? ['geolocation'] : [],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  return {
    name,
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The visible element carrying data-testid (Taro puts it on the component's host
 * element). Pages lower in the H5 page stack stay in the DOM, hidden, hence :visible.
 */
export function byTestId(page: Page, id: string): Locator {
  return page.locator(`[data-testid="${id}"]:visible`);
}

/** Types into a Taro <Input>/<Textarea> (a native field inside the host element). */
export async function fill(page: Page, id: string, value: string): Promise<void> {
  const field = page.locator(`[data-testid="${id}"]:visible input, [data-testid="${id}"]:visible textarea`).first();
  await field.fill(value);
  await field.blur();
}

/**
 * Taps the element as a finger would: scrolls it to the centre of its page, checks that
 * nothing covers its middle (a dialog, a mask), and clicks the element found there, in
 * one step so a layout shift cannot move the target in between. (Playwright's own
 * actionability check misreads Taro's pull-to-refresh wrapper as covering everything
 * below the first screen.)
 */
export async function press(target: Locator, timeoutMs = 10_000): Promise<void> {
  await target.waitFor({ state: 'visible' });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await target.evaluate((el) => {
      el.scrollIntoView({ block: 'center', inline: 'nearest' });
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) as HTMLElement | null;
      if (!hit || !(hit === el || el.contains(hit))) return hit ? `${hit.tagName}.${String(hit.className)}` : 'nothing';
      hit.click();
      return null;
    });
    if (result === null) return;
    // A closing dialog or toast may still cover it for a moment.
    if (Date.now() > deadline) throw new Error(`element is covered by ${result}`);
    await target.page().waitForTimeout(100);
  }
}

export async function tap(page: Page, id: string): Promise<void> {
  await press(byTestId(page, id).first());
}

export async function tapText(page: Page, text: string): Promise<void> {
  await press(page.getByText(text, { exact: true }).locator('visible=true').first());
}

/** Confirms the open Taro.showModal dialog (its confirm button reads `confirmText`). */
export async function confirmModal(page: Page, confirmText: string): Promise<void> {
  await press(page.locator('.taro__modal .taro-model__confirm:visible', { hasText: confirmText }));
}

/** The value Taro storage keeps under `key` on H5 (localStorage, wrapped as { data }). */
export async function storageValue<T>(page: Page, key: string): Promise<T | undefined> {
  const raw = await page.evaluate((k) => localStorage.getItem(k), key);
  return raw ? (JSON.parse(raw) as { data: T }).data : undefined;
}

/** Forgets cached HTTP answers (as after a few minutes away: public statistics are cached for five). */
export async function clearHttpCache(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

/** Taps a tab of the bottom tab bar. */
export async function tapTab(page: Page, label: string): Promise<void> {
  await press(page.locator('.weui-tabbar__label:visible', { hasText: label }));
}

/**
 * Saves what the phone shows (360×780) into test-artifacts/screenshots/<name>.png: from
 * the top of the page unless `keepScroll`, once toasts are gone and images loaded.
 */
export async function shot(page: Page, name: string, opts: { keepScroll?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page
    .locator('.taro__toast')
    .first()
    .waitFor({ state: 'hidden', timeout: 5000 })
    .catch(() => undefined);
  if (!opts.keepScroll) {
    await page.evaluate(() => document.querySelectorAll('.taro_page').forEach((p) => ((p as HTMLElement).scrollTop = 0)));
  }
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(300);
  await page.screenshot({ path: file });
  return file;
}
