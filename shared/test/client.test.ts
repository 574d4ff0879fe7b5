import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiRequestError, buildUrl, createApiClient, fetchTransport as makeFetchTransport, fillPath, singleFlight } from '../src';

/*
 * The contract's client against a real loopback server that answers a few of the
 * contract's paths the way the API would (or would not, to test failures).
 */
const fetchTransport = makeFetchTransport();

let server: http.Server;
let baseUrl: string;
const seen: { method?: string; url?: string; auth?: string; body?: string }[] = [];
const validToken = 'fresh-token';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-request-id', 'req-abc-123');
      if (req.url === '/healthz') {
        res.end(JSON.stringify({ value: 42 }));
      } else if (req.url === '/me' && req.method === 'PATCH') {
        res.end(body);
      } else if (req.url === '/reports') {
        res.statusCode = 400;
        res.end(
          JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: '描述太长', details: [{ field: 'description', issue: 'too long' }] } }),
        );
      } else if (req.url === '/me/points') {
        if (req.headers.authorization === `Bearer ${validToken}`) return res.end(JSON.stringify({ secret: true }));
        res.statusCode = 401;
        res.end(JSON.stringify({ error: { code: 'TOKEN_EXPIRED', message: '登录已过期' } }));
      } else if (req.url === '/me/claims') {
        res.statusCode = 409;
        res.end(JSON.stringify({ error: { code: 'CODE_FROM_A_NEWER_API', message: '该奖品已下架' } }));
      } else if (req.url === '/city') {
        res.statusCode = 502;
        res.setHeader('content-type', 'text/html');
        res.end('<html>bad gateway</html>');
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: '' } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fillPath', () => {
  it('fills and encodes path parameters, and refuses a missing one', () => {
    expect(fillPath('/me/reports/:id/rating', { id: 'a b/c' })).toBe('/me/reports/a%20b%2Fc/rating');
    expect(fillPath('/open311/v2/requests/:id.:format', { id: 'x', format: 'json' })).toBe('/open311/v2/requests/x.json');
    expect(() => fillPath('/me/reports/:id', {})).toThrow('missing path parameter "id"');
  });
});

describe('buildUrl', () => {
  it('joins base, path and encoded query, skipping empty values', () => {
    expect(buildUrl('http://x/', '/a', { q: '井盖 丢失', n: 2, empty: '', no: undefined })).toBe(
      'http://x/a?q=%E4%BA%95%E7%9B%96%20%E4%B8%A2%E5%A4%B1&n=2',
    );
    expect(buildUrl('', 'a')).toBe('/a');
  });
});

describe('api client', () => {
  it('calls an operation by name and validates the answer with its schema', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    // GET /healthz answers { value: 42 } here, which is not a Health: the client says so.
    await expect(client.call('health')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    const loose = createApiClient({ baseUrl, transport: fetchTransport, validateResponses: false });
    await expect(loose.call('health')).resolves.toEqual({ value: 42 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/healthz' });
  });

  it('sends JSON bodies and the bearer token', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport, getAccessToken: () => 'tok-1', validateResponses: false });
    await expect(client.call('updateMe', { body: { nickname: '中文' } })).resolves.toEqual({ nickname: '中文' });
    expect(seen.at(-1)?.auth).toBe('Bearer tok-1');
  });

  it('unwraps the error envelope into ApiRequestError', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    const err = await client.call('createReport', { body: {} as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: '描述太长', requestId: 'req-abc-123' });
    expect((err as ApiRequestError).details).toEqual([{ field: 'description', issue: 'too long' }]);
  });

  it('uses the code default message when the API sends none', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    await expect(client.call('getMyReport', { params: { id: 'nope' } })).rejects.toMatchObject({ code: 'NOT_FOUND', message: '请求的内容不存在' });
  });

  it('keeps the message of a code this build does not know, under a code it does', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    await expect(client.call('listMyClaims')).rejects.toMatchObject({
      status: 409,
      code: 'UNKNOWN_API_ERROR',
      message: '该奖品已下架',
      requestId: 'req-abc-123',
    });
  });

  it('maps a non-envelope failure and a schema mismatch to friendly errors', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    await expect(client.call('getCity')).rejects.toMatchObject({ status: 502, code: 'INTERNAL' });
  });

  it('maps a network failure to NETWORK_ERROR', async () => {
    const client = createApiClient({ baseUrl: 'http://127.0.0.1:1', transport: fetchTransport });
    await expect(client.call('health')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR', message: '网络不给力，请检查网络后重试' });
  });

  it('refreshes an expired token once and retries', async () => {
    let token = 'stale-token';
    let refreshes = 0;
    const client = createApiClient({
      baseUrl,
      transport: fetchTransport,
      validateResponses: false,
      getAccessToken: () => token,
      refreshAccessToken: async () => {
        refreshes += 1;
        token = validToken;
        return true;
      },
    });
    await expect(client.call('getMyPoints')).resolves.toEqual({ secret: true });
    expect(refreshes).toBe(1);
  });

  it('gives up with TOKEN_EXPIRED when the refresh fails', async () => {
    let refreshes = 0;
    const client = createApiClient({
      baseUrl,
      transport: fetchTransport,
      validateResponses: false,
      getAccessToken: () => 'stale-token',
      refreshAccessToken: async () => {
        refreshes += 1;
        return false;
      },
    });
    await expect(client.call('getMyPoints')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(refreshes).toBe(1);
  });

  it('shares one refresh between concurrent requests that all meet an expired token', async () => {
    let token = 'stale-token';
    let refreshes = 0;
    const client = createApiClient({
      baseUrl,
      transport: fetchTransport,
      validateResponses: false,
      getAccessToken: () => token,
      refreshAccessToken: async () => {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 50));
        token = validToken;
        return true;
      },
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.call('getMyPoints')));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ secret: true })));
    expect(refreshes).toBe(1);
  });

  it('retries without refreshing again when another request already renewed the token', async () => {
    let token = 'stale-token';
    let refreshes = 0;
    const client = createApiClient({
      baseUrl,
      validateResponses: false,
      transport: async (req) => {
        const res = await fetchTransport(req);
        // The token changes while this request is in flight (another request refreshed it).
        token = validToken;
        return res;
      },
      getAccessToken: () => token,
      refreshAccessToken: async () => {
        refreshes += 1;
        return true;
      },
    });
    await expect(client.call('getMyPoints')).resolves.toEqual({ secret: true });
    expect(refreshes).toBe(0);
  });

  it('lets the hook sign in when a request went out with no token at all', async () => {
    let token: string | null = null;
    const client = createApiClient({
      baseUrl,
      validateResponses: false,
      transport: async (req) => {
        if (!req.header.Authorization) return { statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: '请先登录' } }, header: {} };
        return fetchTransport(req);
      },
      getAccessToken: () => token,
      refreshAccessToken: async () => {
        token = validToken;
        return true;
      },
    });
    await expect(client.call('getMyPoints')).resolves.toEqual({ secret: true });
  });

  it('answers status, body and headers without throwing for callers that test errors', async () => {
    const client = createApiClient({ baseUrl, transport: fetchTransport });
    const res = await client.callRaw('createReport', { body: {} as never });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    const raw = await client.unchecked('POST', '/me', { body: { a: 1 } });
    expect(raw.status).toBe(404);
  });
});

describe('singleFlight', () => {
  it('runs once for concurrent callers and again after it settled', async () => {
    let runs = 0;
    const once = singleFlight(async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 10));
      return runs;
    });
    expect(await Promise.all([once(), once(), once()])).toEqual([1, 1, 1]);
    expect(await once()).toBe(2);
  });

  it('shares a failure, then allows a new attempt', async () => {
    let runs = 0;
    const once = singleFlight(async () => {
      runs += 1;
      if (runs === 1) throw new Error('offline');
      return 'ok';
    });
    await expect(Promise.all([once(), once()])).rejects.toThrow('offline');
    await expect(once()).resolves.toBe('ok');
  });
});
