import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';

const REPO = path.resolve(__dirname, '../..');
const CONSOLE_DIR = path.join(REPO, 'console');
/** The staff console's build, served by the API at /console/ (CONSOLE_DIST_DIR). */
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');

/** The newest modification time of the files under `dir` (sources the build reads). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function isStale(): boolean {
  const index = path.join(CONSOLE_DIST, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < Math.max(newest(path.join(CONSOLE_DIR, 'src')), newest(path.join(REPO, 'shared', 'src')));
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds the console when its build is missing or older than its sources or shared/ (npm test
 * builds it first anyway). Test files run in parallel workers: one builds, the others wait for it
 * (a lock directory, created atomically; one older than ten minutes is a crashed run's).
 */
export function ensureConsoleBuild(): void {
  const lock = path.join(CONSOLE_DIR, '.build-lock');
  for (;;) {
    if (!isStale()) return;
    try {
      mkdirSync(lock);
    } catch {
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      sleep(500);
      continue;
    }
    try {
      if (isStale())
        execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
      return;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Signs in to the console at `consoleUrl` with a staff account. */
export async function consoleSignIn(
  page: Page,
  consoleUrl: string,
  account: { username: string; password: string; displayName: string },
): Promise<void> {
  await page.goto(consoleUrl);
  // A test that failed before signing out leaves its session: start from the sign-in page anyway,
  // so one failure does not fail every later test of the file.
  await page.evaluate(() => localStorage.removeItem('ssp.console.session'));
  await page.goto(consoleUrl);
  await page.waitForURL(/\/console\/login/);
  await page.getByTestId('login-username').fill(account.username);
  await page.getByTestId('login-password').fill(account.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-name').filter({ hasText: account.displayName }).waitFor();
}

/** The map's tiles: one plain tile for every address, from loopback (MAP_TILE_URL with subdomain `a`); the paths asked are kept. */
export async function startTileServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#e8eef3' } })
    .png()
    .toBuffer();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.end(tile);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/{s}/{z}/{x}/{y}.png`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
