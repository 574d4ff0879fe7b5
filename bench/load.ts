/**
 * Load benchmark: `npx tsx bench/load.ts [--duration 10] [--connections 20]` (npm run bench:load)
 *   --warmup 2        seconds per scenario before the measured run, not counted
 *   --timeout 30      seconds per request before autocannon counts an error
 *   --submissions N   report submission runs N requests instead of the duration (default 5 × connections)
 *   --citizens 40  --points 10 (query points)  --per-point 8 (reports seeded near each point)
 *   --pool 1          the API's MONGODB_MAX_POOL_SIZE (npm start uses 1 against FerretDB)
 *
 * Starts its own FerretDB in a temp dir, loads the demo city the way `npm start` does
 * (seedDemo: city data, staff, demo cases), then runs two servers on loopback, each in
 * a child process of its own (so autocannon, here in the parent, does not share an
 * event loop with the server it measures):
 *   - the real API (buildApp + background workers, as api/src/main.ts) with the
 *     configuration `npm start` uses against FerretDB (MONGODB_MAX_POOL_SIZE=1,
 *     DEV_LOGIN_ENABLED=true, LOG_LEVEL info to a discarded stdout), plus the bench
 *     overrides printed in the header;
 *   - a bare Koa app answering a fixed JSON body: the framework's ceiling here.
 * Data prepared over HTTP: citizens through the dev login, photos uploaded through
 * POST /media, reports near a few query points. Then autocannon runs, one after the
 * other: ceiling, tracking (detail and list), nearby lookup, public statistics, report
 * submission, ceiling again; before each, the API works off what the last run left
 * queued. Prints a markdown table with ratios to the ceiling and exits 1 when a
 * scenario got more than 1 % non-2xx responses or errors (timeouts included).
 */
import Module from 'node:module';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

// Run straight from the sources: point '@ssp/shared' at shared/src (its dist/ may be unbuilt).
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = (request, ...rest) =>
  resolveFilename(request === '@ssp/shared' ? path.resolve(__dirname, '..', 'shared', 'src', 'index.ts') : request, ...rest);

/* eslint-disable @typescript-eslint/no-require-imports */
const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
const { createServices } = require('../api/src/services') as typeof import('../api/src/services');
/* eslint-enable @typescript-eslint/no-require-imports */

type LatLng = { lat: number; lng: number };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** The body the bare Koa app answers: about the size of a small API answer. */
const FIXED_BODY = { id: '6650f0c2a1b2c3d4e5f60718', status: 'processing', caseNo: 'C20260101-0001', items: [1, 2, 3], ok: true };

// ---------------------------------------------------------------- child processes (servers)

async function serve(kind: 'api' | 'koa'): Promise<void> {
  let server: http.Server;
  let close = async () => {};
  if (kind === 'koa') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Koa = require('koa') as typeof import('koa');
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = FIXED_BODY;
    });
    server = http.createServer(app.callback());
  } else {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { buildApp } = require('../api/src/app') as typeof import('../api/src/app');
    const { createApiServer } = require('../api/src/core/http-server') as typeof import('../api/src/core/http-server');
    const { startWorkers } = require('../api/src/workers') as typeof import('../api/src/workers');
    const { systemClock } = require('../api/src/context') as typeof import('../api/src/context');
    const { version } = require('../api/package.json') as { version: string };
    /* eslint-enable @typescript-eslint/no-require-imports */
    // As api/src/main.ts: config from the environment, workers running.
    const config = loadConfig(process.env);
    const logger = createLogger(config.logLevel);
    const db = await connectDatabase(config);
    const services = createServices({ config, db, logger, clock: systemClock });
    const app = buildApp({ config, db, logger, version, services });
    const workers = startWorkers(services);
    server = createApiServer(app, logger);
    close = async () => {
      await workers.stop();
      await db.close().catch(() => undefined);
    };
  }
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await close();
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && void stop());
  // The parent went away (crash, Ctrl+C): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.send!({ port: (server.address() as AddressInfo).port });
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

function startServer(kind: 'api' | 'koa', env: NodeJS.ProcessEnv): Promise<Server> {
  // process.execArgv carries tsx's loader flags, so the child runs this same file through tsx.
  const stdout = process.env.VERBOSE === '1' ? 'inherit' : 'ignore';
  const child: ChildProcess = fork(__filename, ['--serve', kind], { env, stdio: ['ignore', stdout, 'inherit', 'ipc'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send('stop');
      else child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ url: `http://127.0.0.1:${m.port}`, stop }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with code ${code} before listening`)));
    children.push({ stop });
  });
}

const children: { stop(): Promise<void> }[] = [];
/** Set on Ctrl+C: the cleanup then breaks what main is doing, which need not be reported. */
let interrupted = false;

// ---------------------------------------------------------------- HTTP helpers (data preparation)

async function call<T>(base: string, method: string, route: string, opts: { token?: string; json?: unknown; form?: FormData } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: opts.form ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json)) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function expectStatus<T>(what: string, expected: number[], p: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await p;
  if (!expected.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A point `northM` metres north and `eastM` metres east of `p`. */
function offset(p: LatLng, northM: number, eastM: number): LatLng {
  return { lat: p.lat + northM / 111_320, lng: p.lng + eastM / (111_320 * Math.cos((p.lat * Math.PI) / 180)) };
}
const jitter = (m: number) => (Math.random() * 2 - 1) * m;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- autocannon

interface Scenario {
  name: string;
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  /** A fixed number of requests instead of the duration (for a route too slow to answer within it). */
  amount?: number;
  /** Fills in the per-request path, headers and body. */
  next?: () => { path: string; headers?: Record<string, string>; body?: string };
}

interface Measured {
  name: string;
  route: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  codes: Record<string, number>;
  sample: string | null;
  cases?: number;
  /** Median of single requests one after the other before the run. */
  idle?: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function cannon(s: Scenario, run: { seconds: number } | { amount: number }, connections: number, timeout: number, measure: boolean): Promise<Measured> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as typeof import('autocannon');
  const latencies: number[] = [];
  let sample: string | null = null;
  const options: import('autocannon').Options = {
    url: s.url,
    connections,
    pipelining: 1,
    ...('amount' in run ? { amount: run.amount } : { duration: run.seconds }),
    timeout,
    method: s.method ?? 'GET',
    requests: [
      {
        setupRequest: (req) => (s.next ? { ...req, ...s.next() } : req),
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && sample === null) sample = `${status} ${String(body).slice(0, 300)}`;
        },
      },
    ],
  };
  const result = await new Promise<import('autocannon').Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    // autocannon's own histogram keeps whole milliseconds; collect the exact times (2xx only, as it does).
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count]));
  const ok = result['2xx'];
  if (measure) process.stderr.write(`  ${s.name}: ${(ok / result.duration).toFixed(1)} req/s over ${result.duration} s, codes ${JSON.stringify(codes)}, errors ${result.errors}\n`);
  return {
    name: s.name,
    route: s.route,
    rps: ok / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    codes,
    sample,
  };
}

/** Median time of `n` requests one after the other, nothing else running: the cost of one request. */
async function probe(s: Scenario, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = s.next?.() ?? { path: '' };
    const t = performance.now();
    const res = await fetch(`${s.url}${r.path}`, { method: s.method ?? 'GET', headers: r.headers, body: r.body });
    await res.arrayBuffer();
    times.push(performance.now() - t);
    if (res.status < 200 || res.status > 299) throw new Error(`${s.name}: HTTP ${res.status} before the run`);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/**
 * Waits until the API has worked off what the last run left queued: autocannon drops its
 * connections at the deadline, but the requests already sent still run, in order, on the
 * API's one database connection. /readyz pings the database through that same queue.
 */
async function settle(apiUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${apiUrl}/readyz`).catch(() => null);
    await res?.arrayBuffer();
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not settle within 120 s after a run');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const DURATION = arg('duration', 10);
  const CONNECTIONS = arg('connections', 20);
  const WARMUP = arg('warmup', 2);
  const TIMEOUT = arg('timeout', 30);
  const POOL = arg('pool', 1);
  const SUBMISSIONS = Math.max(arg('submissions', 5 * CONNECTIONS), CONNECTIONS);
  const CITIZENS = arg('citizens', 40);
  const POINTS = arg('points', 10);
  const PER_POINT = arg('per-point', 8);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-load-'));
  let stopDb = async () => {};
  let closeParentDb = async () => {};
  const cleanup = async () => {
    for (const child of children.splice(0)) await child.stop().catch(() => undefined);
    await closeParentDb().catch(() => undefined);
    await stopDb().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    interrupted = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startLocalDatabase, FERRETDB_VERSION } = require('../scripts/db') as typeof import('../scripts/db');
    const local = await startLocalDatabase({ dataDir: path.join(tmp, 'db'), log: (m) => process.stderr.write(`[db] ${m}\n`) });
    stopDb = () => local.stop();
    const dbKind = local.kind === 'ferretdb' ? `FerretDB ${FERRETDB_VERSION} (SQLite backend)` : 'local mongod';

    // What `npm start` sets against its local FerretDB, then the bench's own overrides.
    if (POOL !== 1) process.stderr.write(`note: --pool ${POOL}; npm start uses 1 against FerretDB, whose concurrent updates of one document are not atomic (case numbers can collide into 409s, counters lose increments)\n`);
    const asNpmStart = { MONGODB_URI: `${local.uri}suishoupai`, DEV_LOGIN_ENABLED: 'true', MONGODB_MAX_POOL_SIZE: String(POOL), LOG_LEVEL: 'info' };
    const overrides = {
      MEDIA_DIR: path.join(tmp, 'media'),
      // Spread over many citizens anyway; the cap keeps a long run from meeting 429s.
      REPORTS_PER_DAY: '1000',
      // All load comes from one IP (127.0.0.1); the default 120/min would answer 429.
      STATS_PUBLIC_RATE_PER_MINUTE: '100000',
      // A few dozen citizens make every look-up; the default 60 per citizen and minute is for one person.
      NEARBY_RATE_PER_MINUTE: '100000',
      // Tokens are made once, before the runs; a long run must not outlive them.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    };
    const apiEnv: Record<string, string> = { ...asNpmStart, ...overrides };
    const autocannonVersion = (JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version;
    const cpus = os.cpus();
    const header = [
      `# load bench — ${new Date().toISOString()}`,
      `# ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()}`,
      `# Node ${process.version}; autocannon ${autocannonVersion}; ${dbKind}, started by the bench; every process on this machine (loopback)`,
      `# ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s warm-up (report submission: ${SUBMISSIONS} requests after ${CONNECTIONS}), request timeout ${TIMEOUT} s; API and bare Koa each in a child process of their own, autocannon in the parent`,
      `# API config ${POOL === 1 ? 'as npm start' : `as npm start except MONGODB_MAX_POOL_SIZE (npm start: 1)`}: ${Object.entries(asNpmStart).filter(([k]) => k !== 'MONGODB_URI').map(([k, v]) => `${k}=${v}`).join(' ')} (logs to a discarded stdout)`,
      `# bench overrides: ${Object.entries(overrides).filter(([k]) => k !== 'MEDIA_DIR').map(([k, v]) => `${k}=${v}`).join(' ')}; MEDIA_DIR in a temp dir`,
    ];
    process.stderr.write(`${header.join('\n')}\n`);

    // Load the demo city as `npm start` does (node api/dist/cli.js seed-demo) before the API starts.
    const config = loadConfig(apiEnv);
    const db = await connectDatabase(config);
    closeParentDb = () => db.close();
    const services = createServices({ config, db, logger: createLogger('error'), clock: { now: () => new Date() } });
    const t0 = Date.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { seedDemo } = require('../api/src/seed/demo') as typeof import('../api/src/seed/demo');
    await seedDemo(services);
    process.stderr.write(`demo city and demo cases loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    // Query points: the grid centroids nearest the city centre, each with one public category
    // (not one the demo forwards to an external platform, which would only add failing deliveries).
    const city = await services.catalogue.getCity();
    const forwarded = new Set(
      (JSON.parse(readFileSync(path.join(config.cityDataDir, 'forwarding.json'), 'utf8')) as { rules: { categoryIds?: string[] }[] }).rules.flatMap((r) => r.categoryIds ?? []),
    );
    const categories = (await services.catalogue.allCategories())
      .filter((c) => c.publicReportable && !forwarded.has(c.id))
      .sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0));
    const dist = (a: LatLng, b: LatLng) => Math.hypot(a.lat - b.lat, (a.lng - b.lng) * Math.cos((a.lat * Math.PI) / 180));
    const grids = (await services.catalogue.areaTree()).districts
      .flatMap((d) => d.streets.flatMap((s) => s.grids))
      .sort((a, b) => dist(a.centroid, city.center) - dist(b.centroid, city.center))
      .slice(0, POINTS);
    const points = grids.map((g, i) => ({ at: g.centroid, categoryId: categories[i % Math.min(categories.length, 8)]!.id }));
    // Report locations checked to lie inside the service area (else 422).
    const near = async (p: LatLng, radiusM: number): Promise<LatLng> => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const at = offset(p, jitter(radiusM), jitter(radiusM));
        if (await services.catalogue.locate(at.lat, at.lng)) return at;
      }
      throw new Error(`no point inside the service area within ${radiusM} m of ${JSON.stringify(p)}`);
    };
    const submitSpots: { at: LatLng; categoryId: string }[] = [];
    for (let i = 0; i < 500; i += 1) {
      const p = points[i % points.length]!;
      submitSpots.push({ at: await near(p.at, 30), categoryId: pick(categories.slice(0, 8)).id });
    }

    const [api, koa] = await Promise.all([startServer('api', { ...process.env, ...apiEnv }), startServer('koa', { ...process.env })]);

    // Citizens (dev login) and their photos (POST /media, two small real JPEGs each).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sharp = require('sharp') as typeof import('sharp');
    const runId = Date.now().toString(36);
    const citizens = await inParallel(Array.from({ length: CITIZENS }, (_v, i) => i), 4, async (i) => {
      const login = await expectStatus<{ accessToken: string; user: { id: string } }>('dev login', [200], call(api.url, 'POST', '/auth/dev-login', { json: { devUser: `bench${i}` } }));
      const form = new FormData();
      for (let k = 0; k < 2; k += 1) {
        const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: (i * 37 + k * 90) % 256, g: (i * 91) % 256, b: 120 } } }).jpeg().toBuffer();
        form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), `p${k}.jpg`);
      }
      const uploaded = await expectStatus<{ photos: { id: string }[] }>('photo upload', [201], call(api.url, 'POST', '/media', { token: login.accessToken, form }));
      return { id: login.user.id, token: login.accessToken, photoIds: uploaded.photos.map((p) => p.id), reportIds: [] as string[] };
    });

    // Existing reports near the query points, spread over the citizens.
    let seq = 0;
    const reportBody = (c: (typeof citizens)[number], at: LatLng, categoryId: string) =>
      JSON.stringify({
        categoryId,
        description: '路边井盖破损，存在安全隐患',
        location: at,
        photoIds: c.photoIds,
        clientRequestId: `bench-${runId}-${(seq += 1)}`,
      });
    const seedJobs = points.flatMap((p) => Array.from({ length: PER_POINT }, () => p));
    // With more than one connection, FerretDB's non-atomic updates of one document can answer 409.
    const seeded = await inParallel(seedJobs, POOL === 1 ? 4 : 1, async (p, i) => {
      const c = citizens[i % citizens.length]!;
      const at = await near(p.at, 25);
      const res = await fetch(`${api.url}/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
        body: reportBody(c, at, p.categoryId),
      });
      if (res.status !== 201) throw new Error(`seed report: HTTP ${res.status} ${await res.text()}`);
      const id = ((await res.json()) as { id: string }).id;
      c.reportIds.push(id);
      return { citizen: c, id };
    });
    const nearbyCheck = await expectStatus<{ items: unknown[] }>('nearby', [200], call(api.url, 'GET', `/reports/nearby?lat=${points[0]!.at.lat}&lng=${points[0]!.at.lng}&category=${points[0]!.categoryId}`, { token: citizens[0]!.token }));
    const cases = () => db.collection('cases').countDocuments();
    process.stderr.write(
      `prepared: ${citizens.length} citizens with 2 photos each, ${seeded.length} reports near ${points.length} points (${nearbyCheck.items.length} found near the first), ${await cases()} cases in the database\n`,
    );

    // The API's background loops work off what seeding queued (demo walkthrough notifications,
    // effects) and what submissions queue: measure only once they have nothing left to do.
    const quiesce = async () => {
      const t = Date.now();
      const owed = async () => {
        let n = await db.collection('cases').countDocuments({ 'effects.0': { $exists: true } });
        for (const name of ['notification_outbox', 'forwarding_outbox']) {
          n += await db.collection(name).countDocuments({ status: 'pending', nextAttemptAt: { $lte: new Date() } });
        }
        return n;
      };
      while ((await owed()) > 0) {
        if (Date.now() - t > 600_000) throw new Error('the API\'s background loops did not finish within 10 minutes');
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (Date.now() - t > 2000) process.stderr.write(`  (waited ${((Date.now() - t) / 1000).toFixed(0)} s for the background loops)\n`);
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const withReports = citizens.filter((c) => c.reportIds.length);
    let rr = 0;
    const scenarios: Scenario[] = [
      { name: 'ceiling: bare Koa, fixed JSON', route: 'GET / (bare Koa)', url: koa.url },
      {
        name: 'case tracking: one report',
        route: 'GET /me/reports/:id',
        url: api.url,
        next: () => {
          const r = pick(seeded);
          return { path: `/me/reports/${r.id}`, headers: bearer(r.citizen.token) };
        },
      },
      {
        name: 'case tracking: my reports',
        route: 'GET /me/reports',
        url: api.url,
        next: () => ({ path: '/me/reports', headers: bearer(pick(withReports).token) }),
      },
      {
        name: 'nearby-duplicate lookup',
        route: 'GET /reports/nearby',
        url: api.url,
        next: () => {
          const p = pick(points);
          const at = offset(p.at, jitter(10), jitter(10));
          return { path: `/reports/nearby?lat=${at.lat.toFixed(6)}&lng=${at.lng.toFixed(6)}&category=${p.categoryId}`, headers: bearer(pick(citizens).token) };
        },
      },
      { name: 'public statistics summary', route: 'GET /stats/public/summary', url: `${api.url}/stats/public/summary` },
      {
        name: 'report submission (photos pre-uploaded)',
        route: 'POST /reports',
        url: api.url,
        method: 'POST',
        // At ~0.3 s of database time each, serialised on one connection, 20 concurrent
        // submissions answer only after several seconds: a time-boxed run counts few or none.
        amount: SUBMISSIONS,
        next: () => {
          // Round robin over the citizens (daily quota), a fresh clientRequestId each time.
          const c = citizens[(rr += 1) % citizens.length]!;
          const spot = pick(submitSpots);
          return { path: '/reports', headers: { ...bearer(c.token), 'content-type': 'application/json' }, body: reportBody(c, spot.at, spot.categoryId) };
        },
      },
      { name: 'ceiling again (drift)', route: 'GET / (bare Koa)', url: koa.url },
    ];

    const results: Measured[] = [];
    for (const s of scenarios) {
      await settle(api.url);
      await quiesce();
      const idle = await probe(s, 10);
      await cannon(s, s.amount ? { amount: CONNECTIONS } : { seconds: WARMUP }, CONNECTIONS, TIMEOUT, false);
      await settle(api.url);
      const before = await cases();
      const m = await cannon(s, s.amount ? { amount: s.amount } : { seconds: DURATION }, CONNECTIONS, TIMEOUT, true);
      Object.assign(m, { cases: before, idle });
      if (s.method === 'POST') process.stderr.write(`  cases created during the measured run: ${(await cases()) - before} (2xx counted: ${m.ok})\n`);
      results.push(m);
    }

    // ------------------------------------------------------------ report
    const ceilings = results.filter((r) => r.route.includes('bare Koa'));
    const ceilingRps = ceilings.reduce((a, r) => a + r.rps, 0) / ceilings.length;
    const ceilingP99 = ceilings.reduce((a, r) => a + r.p99, 0) / ceilings.length;
    const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(v >= 100 ? 0 : digits) : 'n/a');
    const ratio = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(2))) : 'n/a');
    const lines = [
      '',
      ...header,
      `# data: ${citizens.length} citizens, ${seeded.length} seeded reports near ${points.length} points; the demo city's cases besides`,
      '',
      '| scenario | route | req/s | p50 ms | p99 ms | 2xx | non-2xx | errors | req/s ÷ ceiling | p99 ÷ ceiling | idle ms | cases in db |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...results.map((r) =>
        `| ${r.name} | \`${r.route}\` | ${f(r.rps, 1)} | ${f(r.p50)} | ${f(r.p99)} | ${r.ok} | ${r.non2xx} | ${r.errors} | ${ratio(r.rps / ceilingRps)} | ${ratio(r.p99 / ceilingP99)}× | ${f(r.idle ?? NaN)} | ${r.route.includes('bare Koa') ? '–' : r.cases} |`,
      ),
      '',
      `req/s = 2xx responses per second over the measured ${DURATION} s (report submission: over the time its ${SUBMISSIONS} requests took); p50/p99 of the 2xx responses. Ceiling = mean of the two bare Koa runs (${f(ceilingRps, 0)} req/s, p99 ${f(ceilingP99)} ms).`,
      'idle ms = median of 10 requests sent one after the other before the run (nothing else in flight): the cost of one request.',
      `load average after the runs: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const bad = results.filter((r) => r.non2xx + r.errors > 0.01 * (r.ok + r.non2xx + r.errors) || r.ok === 0);
    if (bad.length) {
      for (const r of bad) {
        process.stderr.write(`\n✖ ${r.name}: ${r.non2xx} non-2xx and ${r.errors} errors out of ${r.ok + r.non2xx + r.errors} (status codes ${JSON.stringify(r.codes)})${r.sample ? `; first non-2xx: ${r.sample}` : ''}\n`);
      }
      process.stderr.write('\n✖ more than 1 % of the requests failed in the scenarios above: their figures are meaningless\n');
      process.exitCode = 1;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt > 0) {
  serve(process.argv[serveAt + 1] as 'api' | 'koa').catch((err) => {
    process.stderr.write(`server failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    if (!interrupted) process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
