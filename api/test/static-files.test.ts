/**
 * The built H5 app under /app/ (api/src/core/static-files.ts) and compression of the whole
 * API: 304 on a repeat request, long caching for content-hashed assets only, gzip/brotli
 * when accepted, nothing outside the build folder ever served. Security headers on these
 * answers are in security.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Koa from 'koa';
import { serveStaticSite } from '../src/core/static-files';
import { startTestApi, type TestApi } from './helpers/harness';
import { demoCity } from './helpers/city';
import { acceptedCoding } from '../src/core/compression';

let api: TestApi;
let outer: string;
let h5Dir: string;
let consoleDir: string;
const CONSOLE_INDEX = '<!doctype html><title>随手拍 工作台</title><script src="/console/assets/index-3f2a9c1d.js"></script>';
const INDEX = '<!doctype html><title>随手拍</title><script src="js/app.3f2a9c1d.js"></script>';
const BIG_JS = `console.log(${JSON.stringify('随手拍'.repeat(2000))});\n`;

beforeAll(async () => {
  // The build folder sits beside files that must never be served through it.
  outer = mkdtempSync(path.join(os.tmpdir(), 'ssp-static-'));
  writeFileSync(path.join(outer, 'secret.txt'), 'TOP-SECRET');
  h5Dir = path.join(outer, 'h5');
  mkdirSync(path.join(h5Dir, 'js'), { recursive: true });
  writeFileSync(path.join(h5Dir, 'index.html'), INDEX);
  writeFileSync(path.join(h5Dir, 'js', 'app.3f2a9c1d.js'), BIG_JS);
  writeFileSync(path.join(h5Dir, 'small.txt'), 'tiny');
  writeFileSync(path.join(h5Dir, '.env'), 'TOP-SECRET');
  consoleDir = path.join(outer, 'console');
  mkdirSync(path.join(consoleDir, 'assets'), { recursive: true });
  writeFileSync(path.join(consoleDir, 'index.html'), CONSOLE_INDEX);
  writeFileSync(path.join(consoleDir, 'assets', 'index-3f2a9c1d.js'), 'console.log(1);');
  writeFileSync(path.join(consoleDir, '.env'), 'TOP-SECRET');
  api = await startTestApi({ env: { H5_DIST_DIR: h5Dir, CONSOLE_DIST_DIR: consoleDir } });
});
afterAll(async () => {
  await api?.close();
  rmSync(outer, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the path exactly as written and only the headers given (fetch normalises `..`, adds no-cache and decompresses). */
function raw(base: string, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const get = (rawPath: string, headers: Record<string, string> = {}) => raw(api.url, rawPath, headers);

describe('the H5 app under /app/', () => {
  it('serves index.html at /app/ without long caching, and answers a repeat request with 304', async () => {
    const first = await get('/app/');
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe(INDEX);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache');
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(first.headers['last-modified']).toBeTruthy();

    const byTag = await get('/app/', { 'if-none-match': etag });
    expect([byTag.status, byTag.body.length]).toEqual([304, 0]);
    expect(byTag.headers.etag).toBe(etag);
    const byDate = await get('/app/index.html', { 'if-modified-since': first.headers['last-modified']! });
    expect([byDate.status, byDate.body.length]).toEqual([304, 0]);
    // Another version than the one the client holds: the file again.
    expect((await get('/app/', { 'if-none-match': 'W/"0-0"' })).status).toBe(200);
  });

  it('caches content-hashed assets for a year and answers their repeat request with 304', async () => {
    const first = await get('/app/js/app.3f2a9c1d.js');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/app/js/app.3f2a9c1d.js', { 'if-none-match': first.headers.etag! })).status).toBe(304);
    expect((await get('/app/small.txt')).headers['cache-control']).toBe('public, max-age=604800');
  });

  it('redirects / and /app to /app/, answers HEAD without a body, and leaves other methods to the API', async () => {
    for (const from of ['/', '/app']) {
      const res = await get(from);
      expect([from, res.status, res.headers.location]).toEqual([from, 302, '/app/']);
    }
    const head = await raw(api.url, '/app/', {}, 'HEAD');
    expect([head.status, head.body.length]).toEqual([200, 0]);
    expect((await raw(api.url, '/app/', {}, 'POST')).status).toBe(404);
  });

  it.each([
    '/app/../secret.txt',
    '/app/%2e%2e/secret.txt',
    '/app/..%2fsecret.txt',
    '/app/%2e%2e%2fsecret.txt',
    '/app/js/..%2f..%2fsecret.txt',
    '/app/%2fetc%2fpasswd',
    '/app/..%5csecret.txt',
    '/app/.env',
    '/app/%2eenv',
    '/app/secret.txt%00.js',
    '/app/%E0%A4%A',
    '/app/js/',
    '/app/missing.js',
  ])('refuses %s with the 404 envelope, serving nothing outside the build', async (rawPath) => {
    const res = await get(rawPath);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('TOP-SECRET');
    expect(JSON.parse(res.body.toString()).error.code).toBe('NOT_FOUND');
  });
});

describe('compression', () => {
  it('gzips and brotli-compresses what the client accepts, above 1 KB, and says so in Vary', async () => {
    const gz = await get('/app/js/app.3f2a9c1d.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/Accept-Encoding/);
    expect(zlib.gunzipSync(gz.body).toString()).toBe(BIG_JS);
    expect(gz.body.length).toBeLessThan(Buffer.byteLength(BIG_JS) / 4);

    const br = await get('/app/js/app.3f2a9c1d.js', { 'accept-encoding': 'br, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(BIG_JS);

    const plain = await get('/app/js/app.3f2a9c1d.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(BIG_JS);
    expect((await get('/app/small.txt', { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
  });

  it('compresses the API JSON too, with the body unchanged', async () => {
    const plain = await get('/openapi.json');
    const gz = await get('/openapi.json', { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toContain('application/json');
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    // A 304 has no body to compress.
    const etag = plain.headers.etag;
    if (etag) expect((await get('/openapi.json', { 'accept-encoding': 'gzip', 'if-none-match': etag })).headers['content-encoding']).toBeUndefined();
  });
});

describe('compression of the API JSON answers (up to 64 KB: in one synchronous call)', () => {
  it('sends a list of a few KB whole, with its length, in the coding the client prefers', async () => {
    await demoCity(api);
    const plain = await get('/categories');
    expect(plain.status).toBe(200);
    const size = plain.body.length;
    expect(size).toBeGreaterThan(1024);
    expect(size).toBeLessThanOrEqual(64 * 1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const decoded = JSON.parse(plain.body.toString());

    const cases: [string, string | undefined][] = [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['x-gzip', 'gzip'],
      ['*', 'br'],
      ['br;q=0, gzip;q=0', undefined],
      ['identity', undefined],
      ['deflate', undefined],
    ];
    for (const [accept, coding] of cases) {
      const res = await get('/categories', { 'accept-encoding': accept });
      expect([accept, res.status, res.headers['content-encoding']]).toEqual([accept, 200, coding]);
      expect(res.headers.vary).toMatch(/Accept-Encoding/);
      expect(res.headers['content-type']).toContain('application/json');
      // One whole body with its length, not a chunked stream.
      expect(res.headers['transfer-encoding']).toBeUndefined();
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      const body = coding === 'br' ? zlib.brotliDecompressSync(res.body) : coding === 'gzip' ? zlib.gunzipSync(res.body) : res.body;
      expect(JSON.parse(body.toString())).toEqual(decoded);
      if (coding) expect(res.body.length).toBeLessThan(size / 2);
    }
    // A HEAD has no body to compress.
    const head = await raw(api.url, '/categories', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-encoding']).toBeUndefined();
  });

  it('streams larger answers through zlib instead (the event loop is not held by them)', async () => {
    const plain = await get('/openapi.json');
    expect(plain.body.length).toBeGreaterThan(64 * 1024);
    const br = await get('/openapi.json', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(zlib.brotliDecompressSync(br.body).toString())).toEqual(JSON.parse(plain.body.toString()));
  });
});

describe('acceptedCoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0.2, gzip;q=0.8', 'gzip'],
    ['BR ; Q=1', 'br'],
    ['*;q=0', null],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=abc', 'gzip'],
    ['compress, identity', null],
  ])('%s → %s', (header, coding) => {
    expect(acceptedCoding(header)).toBe(coding);
  });
});

describe('a second mount', () => {
  it('serves another build under another prefix, alone', async () => {
    const app = new Koa();
    app.use(serveStaticSite('/console', h5Dir));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'not here';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await raw(base, '/console')).headers.location).toBe('/console/');
      const page = await raw(base, '/console/');
      expect([page.status, page.body.toString()]).toEqual([200, INDEX]);
      expect((await raw(base, '/console/', { 'if-none-match': page.headers.etag! })).status).toBe(304);
      expect((await raw(base, '/app/')).status).toBe(404);
      expect((await raw(base, '/console/%2e%2e/secret.txt')).body.toString()).toBe('not here');
    } finally {
      server.close();
    }
  });
});

describe('the staff console under /console/ (history router)', () => {
  const html = { accept: 'text/html,application/xhtml+xml' };

  it('serves its files, and index.html for any page path a browser asks for', async () => {
    expect((await get('/console')).headers.location).toBe('/console/');
    const page = await get('/console/', html);
    expect([page.status, page.body.toString(), page.headers['cache-control']]).toEqual([200, CONSOLE_INDEX, 'no-cache']);
    const deep = await get('/console/cases/65f000000000000000000001', html);
    expect([deep.status, deep.body.toString(), deep.headers['content-type']]).toEqual([200, CONSOLE_INDEX, 'text/html; charset=utf-8']);
    expect((await get('/console/cases/65f000000000000000000001', { ...html, 'if-none-match': deep.headers.etag! })).status).toBe(304);
    const asset = await get('/console/assets/index-3f2a9c1d.js');
    expect([asset.status, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
  });

  it('answers 404 for a missing file, a dotfile, a path outside the build and a non-HTML request', async () => {
    expect((await get('/console/assets/missing-3f2a9c1d.js', html)).status).toBe(404);
    expect((await get('/console/.env', html)).status).toBe(404);
    expect((await get('/console/%2e%2e/secret.txt', html)).body.toString()).not.toContain('TOP-SECRET');
    expect((await get('/console/cases', { accept: 'application/json' })).status).toBe(404);
    expect((await raw(api.url, '/console/cases', html, 'POST')).status).not.toBe(200);
  });
});
