import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { buildOpenApiDocument, operations, toOpenApiPath, type OpenApiDocument } from '@ssp/shared';
import { buildRouter } from '../src/app';
import { createLogger } from '../src/core/logger';
import { contractCheck } from '../src/openapi/contract-check';
import { mergeHandlers, operationsRouter } from '../src/core/operations';
import { demoCity } from './helpers/city';
import { LogCapture, startTestApi, type TestApi } from './helpers/harness';

let api: TestApi;
let served: OpenApiDocument;

beforeAll(async () => {
  api = await startTestApi();
  await demoCity(api);
  served = (await (await fetch(`${api.url}/openapi.json`)).json()) as OpenApiDocument;
});
afterAll(async () => {
  await api.close();
});

/** `GET /me/reports/:id` for every route the Koa router really serves. */
function servedRoutes(): string[] {
  const router = buildRouter(
    { config: api.config, db: api.db, logger: createLogger('silent'), version: 'test' },
    api.services,
    buildOpenApiDocument({ version: 'test' }),
  );
  const routes = new Set<string>();
  for (const layer of router.stack) {
    for (const method of layer.methods) {
      if (method !== 'HEAD') routes.add(`${method} ${layer.path}`);
    }
  }
  return [...routes].sort();
}

describe('the OpenAPI contract', () => {
  it('lists exactly the routes the API serves', () => {
    const contract = operations.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    const routes = servedRoutes();
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.filter((r) => !contract.includes(r))).toEqual([]); // served but undocumented
    expect(contract.filter((r) => !routes.includes(r))).toEqual([]); // documented but not served
  });

  it('is served at /openapi.json as OpenAPI 3.1 with every operation', () => {
    expect(served.openapi).toBe('3.1.0');
    const count = Object.values(served.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(count).toBe(operations.length);
    const ids = Object.values(served.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path parameter, and every $ref resolves', () => {
    for (const [path, methods] of Object.entries(served.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(methods)) {
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name as string)
          .sort();
        expect({ path, declared }).toEqual({ path, declared: inPath });
      }
    }
    const refs = [...JSON.stringify(served).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(served.components.schemas).toHaveProperty([ref]);
  });

  it('requires a bearer token exactly where the contract names callers', () => {
    for (const op of operations) {
      const documented = served.paths[toOpenApiPath(op.path)]![op.method]!;
      const needsLogin = Array.isArray(op.access);
      expect({ route: `${op.method} ${op.path}`, security: documented.security !== undefined }).toEqual({
        route: `${op.method} ${op.path}`,
        security: needsLogin,
      });
    }
  });

  it('has a readable docs page naming every route', async () => {
    const res = await fetch(`${api.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('随手拍 API');
    for (const path of Object.keys(served.paths)) expect(html).toContain(path);
  });

  it('answers the public reads in the shapes the contract declares', async () => {
    // The response check is on in tests: a disagreement would come back as a 500.
    const publicGets = operations.filter((op) => op.method === 'get' && op.access === 'public' && !op.path.includes(':') && !op.query);
    expect(publicGets.length).toBeGreaterThan(5);
    for (const op of publicGets) {
      const res = await fetch(`${api.url}${op.path}`);
      expect({ path: op.path, status: res.status }).toEqual({ path: op.path, status: 200 });
    }
  });
});

describe('the response check', () => {
  async function serve(register: (router: Router) => void) {
    const logs = new LogCapture();
    const app = new Koa();
    const router = new Router();
    register(router);
    app.use(async (ctx, next) => {
      ctx.state.log = createLogger('info', logs);
      await next();
    });
    app.use(contractCheck(buildOpenApiDocument({ version: 'test' })));
    app.use(router.routes());
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, logs, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('fails a response with a field the contract does not have', async () => {
    const fake = await serve((r) => r.get('/healthz', (ctx) => (ctx.body = { status: 'ok', uptimeSeconds: 1, version: 'x', openid: 'o-leak' })));
    const res = await fetch(`${fake.url}/healthz`);
    expect(res.status).toBe(500);
    expect(fake.logs.text).toContain('response breaks the API contract');
    expect(fake.logs.text).toContain('additionalProperty');
    await fake.close();
  });

  it('fails a route missing from the contract and an undeclared status', async () => {
    const fake = await serve((r) => {
      r.get('/secret-route', (ctx) => (ctx.body = { ok: true }));
      r.get('/city', (ctx) => {
        ctx.status = 202;
        ctx.body = {};
      });
    });
    expect((await fetch(`${fake.url}/secret-route`)).status).toBe(500);
    expect(fake.logs.text).toContain('GET /secret-route is not in the contract');
    expect((await fetch(`${fake.url}/city`)).status).toBe(500);
    expect(fake.logs.text).toContain('status 202 is not declared');
    await fake.close();
  });

  it('passes a response that keeps the contract', async () => {
    const fake = await serve((r) => r.get('/healthz', (ctx) => (ctx.body = { status: 'ok', uptimeSeconds: 1, version: 'x' })));
    expect((await fetch(`${fake.url}/healthz`)).status).toBe(200);
    await fake.close();
  });
});

describe('routes registered from the contract', () => {
  const handlersOf = () => {
    const router = buildRouter(
      { config: api.config, db: api.db, logger: createLogger('silent'), version: 'test' },
      api.services,
      buildOpenApiDocument({ version: 'test' }),
    );
    return router;
  };

  it('names every route after its operation, so each route has exactly one handler from one domain', () => {
    const names = handlersOf()
      .stack.map((layer) => layer.name)
      .filter(Boolean);
    expect(new Set(names).size).toBe(operations.length);
    expect([...names].sort()).toEqual(operations.map((op) => op.id).sort());
  });

  it('refuses to start with an operation handled twice or not at all', () => {
    const handler = () => undefined;
    expect(() => mergeHandlers({ health: handler }, { readiness: handler }, { health: handler })).toThrow('operation health has two handlers');
    const all = Object.fromEntries(operations.map((op) => [op.id, handler]));
    expect(() => operationsRouter(all as never)).not.toThrow();
    delete all.confirmFixed;
    expect(() => operationsRouter(all as never)).toThrow('no handler for operation confirmFixed');
    expect(() => operationsRouter({ ...Object.fromEntries(operations.map((op) => [op.id, handler])), notAnOperation: handler } as never)).toThrow(
      'handlers for operations not in the contract: notAnOperation',
    );
  });

  it('checks access before anything else and parses input with the contract’s schemas', async () => {
    const client = api.client();
    // No token on a citizen route: 401 before the body is even looked at.
    expect((await client.callRaw('rateMyReport', { params: { id: '0'.repeat(24) }, body: { score: 9 } as never })).status).toBe(401);
    // The dev login route is off here: sign in through the service.
    const login = await api.services.auth.devLogin({ devUser: 'contract-citizen' });
    const citizen = { id: login.user.id, api: api.client(login.accessToken) };
    const bad = await citizen.api.callRaw('rateMyReport', { params: { id: '0'.repeat(24) }, body: { score: 9 } as never });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('score');
    // A malformed id the API issues names nothing: 404, like an unknown one.
    expect((await citizen.api.callRaw('getMyReport', { params: { id: 'not-an-id' } })).status).toBe(404);
    // The typed client validates answers with the same schemas.
    const me = await citizen.api.call('getMe');
    expect(me.id).toBe(citizen.id);
  });
});
