/**
 * Rate limits count in the database (api/src/core/rate-limit.ts), so several API processes
 * on one database allow the limit together, not each. The limits' per-route behaviour is
 * in security.test.ts.
 */
import { RateLimitStore } from '../src/core/rate-limit';
import { call } from './helpers/authz';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';

// 45 s into a minute: 15 s left in the window.
const clock = new TestClock(new Date('2026-11-23T02:00:45Z'));
const env = { STATS_PUBLIC_RATE_PER_MINUTE: '4', LOGIN_RATE_PER_MINUTE: '3', TRUST_PROXY: 'true' };
let first: TestApi;
let second: TestApi;

beforeAll(async () => {
  first = await startTestApi({ clock, env });
  // A second app with its own services (and memory) on the same database: another process, as far as limits go.
  second = await startTestApi({ clock, env, mongodbUri: first.config.mongodbUri });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('limits shared through the database', () => {
  it('allows the public statistics limit once across two app instances, not once each', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const api = i % 2 === 0 ? first : second;
      statuses.push((await call(api, 'GET', '/stats/public/summary', from('10.9.0.1'))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await call(second, 'GET', '/stats/public/summary', from('10.9.0.1'));
    expect(refused.json.error.code).toBe('RATE_LIMITED');
    expect(refused.headers.get('retry-after')).toBe('15');
    // Another client is counted apart; the next window starts afresh on both.
    expect((await call(first, 'GET', '/stats/public/summary', from('10.9.0.2'))).status).toBe(200);
    clock.advance(15_000);
    expect((await call(second, 'GET', '/stats/public/summary', from('10.9.0.1'))).status).toBe(200);
    expect((await call(first, 'GET', '/stats/public/summary', from('10.9.0.1'))).status).toBe(200);
  });

  it('shares the login limit per IP between the WeChat and staff logins and across instances', async () => {
    const staff = (api: TestApi) => call(api, 'POST', '/auth/staff/login', from('10.9.1.1'), { username: 'nobody', password: 'wrong-password' });
    expect((await staff(first)).status).toBe(401);
    expect((await staff(second)).status).toBe(401);
    expect((await call(first, 'POST', '/auth/wechat', from('10.9.1.1'), { code: 'x' })).status).not.toBe(429);
    expect((await staff(second)).status).toBe(429);
    expect((await staff(first)).status).toBe(429);
  });
});

describe('the window store', () => {
  it('counts concurrent hits exactly once each, from two connections', async () => {
    const stores = [first, second].map((api) => new RateLimitStore(api.db, clock, api.services.ctx.logger));
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.hit('test:burst', 60_000)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('removes windows that are over, and only those', async () => {
    const store = new RateLimitStore(first.db, clock, first.services.ctx.logger);
    await store.hit('test:old', 60_000);
    clock.advance(60_000);
    await store.hit('test:new', 60_000);
    const windows = first.db.collection('rate_limit_windows');
    expect(await windows.countDocuments({ key: 'test:old' })).toBe(1);
    expect(await store.removeExpired()).toBeGreaterThanOrEqual(1);
    expect(await windows.countDocuments({ key: 'test:old' })).toBe(0);
    expect(await windows.countDocuments({ key: 'test:new' })).toBe(1);
  });
});
