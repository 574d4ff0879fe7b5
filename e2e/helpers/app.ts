import { existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { StaffRole } from '@ssp/shared';
import { startTestApi, type TestApi } from '../../api/test/helpers/harness';
import { demoCity } from '../../api/test/helpers/city';
import { byTestId, fill, tap } from './browser';

export const H5_DIST_DIR = path.resolve(__dirname, '../../miniapp/dist/h5');

export type DemoCity = Awaited<ReturnType<typeof demoCity>>;

/** Real time, plus however far a test moved it on (e.g. past the public statistics' five-minute cache). */
export class MovableClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** The real API serving the built H5 app at /app/, with the demo city loaded. */
export async function startApp(env: Record<string, string> = {}): Promise<{ api: TestApi; city: DemoCity; appUrl: string; clock: MovableClock }> {
  if (!existsSync(path.join(H5_DIST_DIR, 'index.html'))) {
    throw new Error(
      `The H5 build is missing (${path.join(H5_DIST_DIR, 'index.html')}). Build it first: npm run build:h5 -w miniapp (npm test does this before jest).`,
    );
  }
  // STATS_MIN_CELL=1: a test city with a handful of cases still shows its public figures.
  const clock = new MovableClock();
  const api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', H5_DIST_DIR: H5_DIST_DIR, STATS_MIN_CELL: '1', ...env }, clock });
  const city = await demoCity(api);
  return { api, city, appUrl: `${api.url}/app/`, clock };
}

let staffCounter = 0;

/** A staff account created the way an administrator would (auth service), for the UI to log in with. */
export async function createStaff(
  api: TestApi,
  role: StaffRole,
  departmentId?: string,
): Promise<{ username: string; password: string; displayName: string }> {
  staffCounter += 1;
  const username = `e2e-${role}-${staffCounter}`;
  const password = `e2e-pass-${role}-${staffCounter}`;
  const displayName = {
    operator: '受理员小王',
    dispatcher: '派遣员老李',
    department: '处置员小赵',
    supervisor: '监督员小张',
    publicity: '宣传科小陈',
    admin: '管理员',
  }[role];
  await api.services.auth.createStaff({ username, password, displayName, role, departmentId });
  return { username, password, displayName };
}

let photoCounter = 0;
const tempFiles: string[] = [];

export function removeTempFiles(): void {
  for (const f of tempFiles.splice(0)) rmSync(f, { force: true });
}

/** A real JPEG on disk (what a phone camera would hand the file chooser), different each call. */
export async function jpegFile(label: string): Promise<string> {
  photoCounter += 1;
  const file = path.join(os.tmpdir(), `ssp-e2e-${process.pid}-${photoCounter}-${label}.jpg`);
  const hue = (photoCounter * 67) % 255;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900"><rect width="1200" height="900" fill="rgb(${hue},${120 + (hue % 80)},${200 - (hue % 90)})"/><circle cx="600" cy="450" r="220" fill="#333"/><text x="600" y="470" font-size="80" text-anchor="middle" fill="#fff">${label}</text></svg>`;
  writeFileSync(file, await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer());
  tempFiles.push(file);
  return file;
}

/** Opens an app route (hash router), e.g. 'pages/report/index'. */
export async function openRoute(page: Page, appUrl: string, route = 'pages/index/index'): Promise<void> {
  await page.goto(`${appUrl}#/${route}`);
}

/** The H5 体验登录 form: a nickname and a demo account key. */
export async function citizenLogin(page: Page, appUrl: string, devUser: string, nickname: string): Promise<void> {
  await openRoute(page, appUrl, 'pages/login/index');
  await fill(page, 'login-nickname', nickname);
  await fill(page, 'login-devuser', devUser);
  await tap(page, 'login-submit');
  await page.waitForFunction(() => !location.hash.includes('pages/login'));
}

export async function staffLoginUi(page: Page, appUrl: string, account: { username: string; password: string; displayName: string }): Promise<void> {
  await openRoute(page, appUrl, 'packageStaff/login/index');
  await fill(page, 'staff-username', account.username);
  await fill(page, 'staff-password', account.password);
  await tap(page, 'staff-login');
  await byTestId(page, 'staff-name').filter({ hasText: account.displayName }).waitFor();
}

/** Picks files in the app's photo chooser (Taro.chooseMedia opens a native file input on H5). */
export async function choosePhotos(page: Page, trigger: () => Promise<void>, files: string[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), trigger()]);
  await chooser.setFiles(files);
}
