import { healthSchema, readinessSchema } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('health and readiness', () => {
  it('reports the process up', async () => {
    const res = await fetch(`${api.url}/healthz`);
    expect(res.status).toBe(200);
    expect(healthSchema.parse(await res.json()).status).toBe('ok');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports the database reachable', async () => {
    const res = await fetch(`${api.url}/readyz`);
    expect(res.status).toBe(200);
    expect(readinessSchema.parse(await res.json())).toEqual({ status: 'ready', database: 'up' });
  });

  it('echoes a sane incoming request id', async () => {
    const res = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'client-req-12345' } });
    expect(res.headers.get('x-request-id')).toBe('client-req-12345');
  });
});

describe('readiness without a database', () => {
  it('answers 503 in the error envelope once the connection is closed', async () => {
    const other = await startTestApi();
    await other.db.close();
    const res = await fetch(`${other.url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; details: unknown } };
    expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.details).toEqual([{ field: 'database', issue: 'down' }]);
    await other.close().catch(() => undefined);
  });
});
