/**
 * Transport-level security of the API (issue 9): login throttling and per-route rate
 * limits (429 + Retry-After), security headers and the CORS allowlist on every answer,
 * secrets only from the environment, and openids and phone numbers masked in the logs.
 * Who may call which route is api/test/authorisation-matrix.test.ts; the staff lockout
 * (423) is api/test/auth-staff.test.ts; the reports-per-day and public-statistics limits'
 * own timing is in reports.test.ts and stats.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { maskOpenid } from '../src/core/mask';
import { seedDemo } from '../src/seed/demo';
import type { Services } from '../src/services';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { call, registeredRoutes, type Answer } from './helpers/authz';
import { loginCitizen, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';

const ALLOWED_ORIGIN = 'https://admin.suishoupai.example.cn';
// 30 s into a minute: fixed one-minute windows have 30 s left.
const clock = new TestClock(new Date('2026-11-23T02:00:30Z'));
let api: TestApi;
let wechat: FakeWeChat;
let h5Dir: string;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  h5Dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-h5-'));
  writeFileSync(path.join(h5Dir, 'index.html'), '<!doctype html><title>随手拍</title>');
  writeFileSync(path.join(h5Dir, 'app.js'), 'console.log(1)');
  wechat = await startFakeWeChat();
  api = await startTestApi({
    clock,
    env: {
      ...wechat.env,
      DEV_LOGIN_ENABLED: 'true',
      CORS_ORIGINS: ALLOWED_ORIGIN,
      H5_DIST_DIR: h5Dir,
      // Behind the reverse proxy: the client is the address the proxy appended to X-Forwarded-For.
      TRUST_PROXY: 'true',
      LOGIN_RATE_PER_MINUTE: '5',
      STAFF_LOGIN_RATE_PER_USERNAME_PER_MINUTE: '3',
      MEDIA_UPLOADS_PER_MINUTE: '3',
      NEARBY_RATE_PER_MINUTE: '3',
      STATS_PUBLIC_RATE_PER_MINUTE: '3',
      REPORTS_PER_DAY: '2',
    },
  });
  city = await demoCity(api);
});
afterAll(async () => {
  await api?.close();
  await wechat?.close();
  rmSync(h5Dir, { recursive: true, force: true });
});

const from = (ip: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...headers });

/** The one shape of every throttled answer: 429, RATE_LIMITED (or WeChat's own), and a whole number of seconds to wait. */
function expectThrottled(res: Answer, maxSeconds = 60): number {
  expect(res.status).toBe(429);
  expect(res.json.error.code).toBe('RATE_LIMITED');
  expect(res.json.error.message).toMatch(/[\u4e00-\u9fff]/);
  const retryAfter = res.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSeconds);
  return Number(retryAfter);
}

async function createStaff(username: string, password: string): Promise<void> {
  await api.services.auth.createStaff({ username, password, displayName: username, role: 'operator' });
}

// ---------------------------------------------------------------- login throttling

describe('login throttling', () => {
  it('limits staff password logins per client IP, before any password is checked', async () => {
    await createStaff('wang.ops', 'wang-ops-password');
    const login = (ip: string, username: string, password = 'wrong-password') =>
      call(api, 'POST', '/auth/staff/login', from(ip), { username, password });

    for (let i = 1; i <= 5; i += 1) expect((await login('10.0.0.1', `nobody${i}`)).status).toBe(401);
    // The right password from the same client is refused too: the limit comes before the check.
    expect(expectThrottled(await login('10.0.0.1', 'wang.ops', 'wang-ops-password'))).toBe(30);
    // A forged left-most X-Forwarded-For entry does not make a new client.
    expectThrottled(await login('10.0.0.99, 10.0.0.1', 'wang.ops', 'wang-ops-password'));
    // Another client is not affected.
    expect((await login('10.0.0.2', 'wang.ops', 'wang-ops-password')).status).toBe(200);

    clock.advance(30_000);
    expect((await login('10.0.0.1', 'wang.ops', 'wang-ops-password')).status).toBe(200);
  });

  it('limits attempts on one username from many IPs, before the account lockout', async () => {
    await createStaff('li.ops', 'li-ops-password');
    const login = (ip: string, username: string, password: string) => call(api, 'POST', '/auth/staff/login', from(ip), { username, password });

    for (let i = 1; i <= 3; i += 1) expect((await login(`10.0.1.${i}`, 'Li.Ops', 'wrong-password')).status).toBe(401);
    expectThrottled(await login('10.0.1.4', 'li.ops', 'li-ops-password'));
    // Another username from the same client goes on (the per-IP limit is not reached).
    expect((await login('10.0.1.4', 'wang.ops', 'wang-ops-password')).status).toBe(200);

    clock.advance(60_000);
    // Three wrong passwords did not lock the account (five do): the right one now signs in.
    expect((await login('10.0.1.5', 'li.ops', 'li-ops-password')).status).toBe(200);
  });

  it('limits WeChat logins per client IP without spending a code2Session call on the refused ones', async () => {
    const login = (ip: string) => call(api, 'POST', '/auth/wechat', from(ip), { code: wechat.newCode(`throttle-${ip}`) });
    for (let i = 0; i < 5; i += 1) expect((await login('10.0.2.1')).status).toBe(200);
    const calls = wechat.sessionCalls.length;
    expectThrottled(await login('10.0.2.1'));
    expect(wechat.sessionCalls.length).toBe(calls);
    expect((await login('10.0.2.2')).status).toBe(200);
    clock.advance(60_000);
  });

  it('answers throttled browsers with Retry-After readable through CORS', async () => {
    for (let i = 0; i < 5; i += 1) await call(api, 'POST', '/auth/staff/login', from('10.0.0.3'), { username: 'x', password: 'y' });
    const res = await call(api, 'POST', '/auth/staff/login', from('10.0.0.3', { origin: ALLOWED_ORIGIN }), { username: 'x', password: 'y' });
    expectThrottled(res);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    clock.advance(60_000);
  });
});

// ---------------------------------------------------------------- per-route limits

describe('per-route rate limits', () => {
  let carol: TestCitizen;
  let dave: TestCitizen;
  beforeAll(async () => {
    carol = await loginCitizen(api, 'carol-limits');
    dave = await loginCitizen(api, 'dave-limits');
  });

  const limits: [string, () => Promise<Answer>, () => Promise<Answer>, number][] = [
    ['photo uploads per signed-in user', () => uploadAnswer(carol), () => uploadAnswer(dave), 60],
    [
      'nearby look-ups per citizen',
      () => call(api, 'GET', `/reports/nearby?lat=${city.point.lat}&lng=${city.point.lng}&category=${city.publicCategory.id}`, carol.auth),
      () => call(api, 'GET', `/reports/nearby?lat=${city.point.lat}&lng=${city.point.lng}&category=${city.publicCategory.id}`, dave.auth),
      60,
    ],
    [
      'public statistics per client IP',
      () => call(api, 'GET', '/stats/public/summary', from('10.0.3.1')),
      () => call(api, 'GET', '/stats/public/summary', from('10.0.3.2')),
      60,
    ],
  ];

  async function uploadAnswer(who: TestCitizen): Promise<Answer> {
    const form = new FormData();
    form.append('photos', new Blob([new Uint8Array(Buffer.from('not a photo'))], { type: 'image/jpeg' }), 'p.jpg');
    const res = await fetch(`${api.url}/media`, { method: 'POST', headers: who.auth, body: form });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: JSON.parse(text) };
  }

  it.each(limits)('limits %s with 429 and Retry-After; others go on', async (_name, mine, someoneElse, maxSeconds) => {
    const limit = 3;
    for (let i = 0; i < limit; i += 1) expect((await mine()).status).not.toBe(429);
    expectThrottled(await mine(), maxSeconds);
    expect((await someoneElse()).status).not.toBe(429);
    clock.advance(60_000);
    expect((await mine()).status).not.toBe(429);
  });

  it('limits reports per citizen and Beijing day, Retry-After counting to midnight', async () => {
    const erin = await loginCitizen(api, 'erin-limits');
    const send = async () => {
      const photoIds = await uploadPhotos(api, erin, 1);
      return call(api, 'POST', '/reports', erin.auth, {
        categoryId: city.publicCategory.id,
        location: city.point,
        photoIds,
        clientRequestId: randomUUID(),
      });
    };
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(201);
    expectThrottled(await send(), 24 * 3600);
  });
});

// ---------------------------------------------------------------- headers and CORS on every answer

/** A concrete URL for a registered route: its parameters filled with harmless values. */
function concrete(route: string): { method: string; url: string } {
  const [method, template] = route.split(' ') as [string, string];
  const url = template
    .replace(':format', 'json')
    .replace(':code', 'C0101')
    .replace(':districtId', 'nowhere')
    .replace(/:id/g, '0123456789abcdef01234567');
  return { method, url };
}

/** Reads whose answer is the same for every caller may be cached publicly even when a token was sent. */
const CALLER_INDEPENDENT = /^(\/openapi\.json|\/docs|\/stats\/public\/|\/media\/)/;

describe('security headers and CORS', () => {
  let routes: { method: string; url: string }[];
  let token: Record<string, string>;
  beforeAll(async () => {
    routes = [
      ...registeredRoutes(api).map(concrete),
      { method: 'GET', url: '/no-such-route' },
      { method: 'DELETE', url: '/categories' },
      { method: 'GET', url: '/app/' },
      { method: 'GET', url: '/app/app.js' },
      { method: 'GET', url: '/app/missing.js' },
      { method: 'GET', url: '/console/' },
      { method: 'GET', url: '/console/desk' },
    ];
    token = (await loginCitizen(api, 'frank-headers')).auth;
  });

  function expectSecurityHeaders(res: Answer, url: string): void {
    const h = (name: string) => res.headers.get(name);
    expect([url, h('x-content-type-options'), h('x-frame-options'), h('referrer-policy')]).toEqual([url, 'nosniff', 'DENY', 'no-referrer']);
    expect(h('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    expect(h('content-security-policy')).toContain("frame-ancestors 'none'");
    if (url.startsWith('/console/')) expect(h('content-security-policy')).toMatch(/default-src 'self'; script-src 'self';/);
    else if (!url.startsWith('/app/')) expect(h('content-security-policy')).toContain("default-src 'none'");
    expect(h('x-request-id')).toBeTruthy();
  }

  it('sends the security headers and CORS for an allowed origin on every route, error and static file', async () => {
    const statuses = new Set<number>();
    for (const { method, url } of routes) {
      const res = await call(api, method, url, { origin: ALLOWED_ORIGIN }, method === 'GET' || method === 'DELETE' ? undefined : {});
      statuses.add(res.status);
      expectSecurityHeaders(res, url);
      expect([url, res.headers.get('access-control-allow-origin')]).toEqual([url, ALLOWED_ORIGIN]);
      expect(res.headers.get('vary')).toMatch(/Origin/i);
    }
    // The walk met successes, client errors of every kind, and throttling.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 404, 405]));
  });

  it('gives a disallowed origin no CORS headers at all, and the same security headers', async () => {
    for (const { method, url } of routes) {
      const res = await call(api, method, url, { origin: 'https://evil.example' });
      expectSecurityHeaders(res, url);
      expect([url, res.headers.get('access-control-allow-origin')]).toEqual([url, null]);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('answers a preflight for an allowed origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/me/reports`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
      });
    const ok = await preflight(ALLOWED_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('keeps every answer to a signed-in caller out of caches (no-store) unless it is the same for everyone', async () => {
    const cacheable: string[] = [];
    for (const { method, url } of routes) {
      const res = await call(api, method, url, token, method === 'GET' || method === 'DELETE' ? undefined : {});
      const cacheControl = res.headers.get('cache-control');
      if (cacheControl === 'no-store') continue;
      if (CALLER_INDEPENDENT.test(url) || url.startsWith('/app/') || url.startsWith('/console/')) cacheable.push(url);
      else throw new Error(`${method} ${url} answered a signed-in caller with Cache-Control ${cacheControl}`);
    }
    // Personalised public reads (the leaderboard shows the caller's own rank) are not among the cacheable.
    expect(cacheable).not.toContain('/leaderboard');
  });
});

// ---------------------------------------------------------------- secrets only from the environment

describe('secrets', () => {
  const SRC = path.resolve(__dirname, '..', 'src');
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
    });
  const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

  it('refuses to start in production without the secrets, or with the published development secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    const devSecret = loadConfig({ NODE_ENV: 'development' }).jwtSecret;
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: devSecret })).toThrow(/JWT_SECRET: must not be the published development secret/);
    const production = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 's'.repeat(48),
      WECHAT_PUSH_TOKEN: 'push',
      WECHAT_SECRET: 'wechat-secret-from-env',
    });
    expect(production.jwtSecret).toBe('s'.repeat(48));
    expect(production.wechat.secret).toBe('wechat-secret-from-env');
  });

  it('keeps the rate limits on by default outside tests', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(48), WECHAT_PUSH_TOKEN: 'push' }).rateLimits).toEqual({
      loginPerIp: 30,
      staffLoginPerUsername: 10,
      mediaUploadsPerUser: 30,
      nearbyPerCitizen: 60,
    });
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(48), WECHAT_PUSH_TOKEN: 'push' }).trustProxy).toBe(false);
  });

  it('refuses to seed the demo accounts (published passwords) in production', async () => {
    const services = {
      ctx: { config: loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(48), WECHAT_PUSH_TOKEN: 'push' }) },
    } as unknown as Services;
    await expect(seedDemo(services)).rejects.toThrow(/refused in production/);
  });

  it('reads the environment only in config.ts (and forwarding secrets by their configured variable name)', () => {
    const readers = sources(SRC)
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map(relative);
    expect(readers.sort()).toEqual(['config.ts', 'forwarding/targets.ts']);
  });

  it('has no secret-looking literal in the source except the development-only ones', () => {
    const ASSIGNED = /(secret|passw(or)?d|token|api_?key|private_?key|access_?key)\w*['"]?\s*[:=]\s*['"`]([^'"`\s]{8,})['"`]/gi;
    const KEY_LIKE = /['"`]([A-Za-z0-9+/_-]{32,}={0,2})['"`]/g;
    const PEM_OR_CLOUD = /-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|LTAI[0-9A-Za-z]{12,}/g;
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const re of [ASSIGNED, KEY_LIKE, PEM_OR_CLOUD]) {
        for (const m of text.matchAll(re)) {
          const literal = m[3] ?? m[1] ?? m[0];
          // Mixed letters and digits, not an identifier, a message or a path.
          if (re === KEY_LIKE && !(/\d/.test(literal) && /[a-z]/i.test(literal) && !/^[a-z]+(-[a-z]+)*$/.test(literal))) continue;
          found.push(`${relative(file)}: ${literal}`);
        }
      }
    }
    // Allowed: the development JWT secret (refused in production, above) and the demo accounts (seeding refused in production).
    const allowed = (entry: string) =>
      entry.startsWith('config.ts: dev-only-insecure-jwt-secret') || /^seed\/demo\.ts: demo-[a-z0-9]+-2026$/.test(entry);
    expect(found.filter((entry) => !allowed(entry))).toEqual([]);
    expect(found.some((entry) => entry.startsWith('config.ts'))).toBe(true);
  });
});

// ---------------------------------------------------------------- logs

describe('logs', () => {
  it('never hold a raw openid or phone number, only their masked forms', async () => {
    const logs = api.logs;
    logs.lines.length = 0;
    const phone = '13812345678';
    const openid = wechat.openidOf('mask-user');
    // Real openids use "-" and "_" too, also at the very end.
    const dashOpenid = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2-';

    const signIn = await call(api, 'POST', '/auth/wechat', from('10.0.9.1'), { code: wechat.newCode('mask-user') });
    expect(signIn.status).toBe(200);
    const auth = { authorization: `Bearer ${signIn.json.accessToken}` };
    expect((await call(api, 'PATCH', '/me', auth, { phone })).json.phoneMasked).toBe('138****5678');

    // Error paths that carry the identifiers into log lines: WeChat's error text, request paths, request ids.
    const failing = wechat.newCode('mask-fail');
    wechat.scriptCode(failing, { errcode: 40099, errmsg: `bad user ${openid} ${dashOpenid} tel +86 138-1234-5678 / ${phone}` });
    expect((await call(api, 'POST', '/auth/wechat', from('10.0.9.2'), { code: failing })).status).toBe(503);
    expect((await call(api, 'GET', `/me/reports/${openid}`, auth)).status).toBe(404);
    expect((await call(api, 'GET', `/open311/v2/requests/${phone}.json`)).status).toBe(404);
    expect((await call(api, 'GET', '/healthz', { 'x-request-id': phone })).status).toBe(200);
    expect((await call(api, 'PATCH', '/me', auth, { phone: `${phone}0` })).status).toBe(400);

    const text = logs.text;
    expect(text).toContain('citizen signed in with WeChat');
    expect(text).toContain('WeChat code2Session failed');
    for (const raw of [openid, dashOpenid, phone, '138-1234-5678', '+86 138']) expect(text).not.toContain(raw);
    expect(text).toContain(maskOpenid(openid));
    expect(text).toContain(maskOpenid(dashOpenid));
    expect(text).toContain('138****5678');
  });
});
