/**
 * Load benchmark: `npx tsx bench/load.ts [--duration 10] [--connections 20]` (npm run bench:load)
 *   --warmup 2        seconds per scenario before the measured run, not counted
 *   --timeout 30      seconds per request before autocannon counts an error
 *   --submissions N   report submission runs N requests instead of the duration (default 5 × connections)
 *   --citizens 40  --points 10 (query points)  --per-point 8 (reports seeded near each point)
 *   --pool N          the API's MONGODB_MAX_POOL_SIZE (default: the configuration's default, 50)
 *
 * Gets a throwaway database from scripts/db (provideDatabase, purpose 'test': TEST_MONGODB_URI
 * when set, else a mongod, else the project's stand-in; the header says which), loads the demo
 * city the way `npm start` does (seedDemo: city data, staff, demo cases), then runs two servers
 * on loopback, each in a child process of its own (so autocannon, here in the parent, does not
 * share an event loop with the server it measures):
 *   - the real API (buildApp + background workers, as api/src/main.ts) with the
 *     configuration `npm start` uses (DEV_LOGIN_ENABLED=true, LOG_LEVEL info to a
 *     discarded stdout, the default connection pool), plus the bench overrides printed
 *     in the header;
 *   - a bare Koa app answering a fixed JSON body: the framework's ceiling here.
 * Data prepared over HTTP: citizens through the dev login, photos uploaded through
 * POST /media, reports near a few query points. Then autocannon runs, one after the
 * other: ceiling, tracking (detail and list), nearby lookup, public statistics, report
 * submission, ceiling again; before each, the API works off what the last run left
 * queued. Prints a markdown table with ratios to the ceiling and exits 1 when a
 * scenario got more than 1 % non-2xx responses or errors (timeouts included).
 */
// harness first: it points '@ssp/shared' at the sources before anything loads it.
import {
  arg,
  argText,
  benchClient,
  call,
  cannon,
  describeFailedRun,
  expectStatus,
  inParallel,
  jitter,
  offset,
  pick,
  probe,
  quiesce,
  reportFailedRuns,
  run,
  runFailed,
  settle,
  startServer,
  stopServers,
  type LatLng,
  type Measured,
  type Scenario,
} from './harness';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';

const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
const { createServices } = require('../api/src/services') as typeof import('../api/src/services');

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const DURATION = arg('duration', 10);
  const CONNECTIONS = arg('connections', 20);
  const WARMUP = arg('warmup', 2);
  const TIMEOUT = arg('timeout', 30);
  const POOL = process.argv.includes('--pool') ? arg('pool', 1) : undefined;
  const SUBMISSIONS = Math.max(arg('submissions', 5 * CONNECTIONS), CONNECTIONS);
  const CITIZENS = arg('citizens', 40);
  const POINTS = arg('points', 10);
  const PER_POINT = arg('per-point', 8);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-load-'));
  let stopDb = async () => {};
  let closeParentDb = async () => {};
  const cleanup = async () => {
    await stopServers();
    await closeParentDb().catch(() => undefined);
    await stopDb().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    run.interrupted = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const { provideDatabase } = require('../scripts/db') as typeof import('../scripts/db');
    const local = await provideDatabase({ purpose: 'test', dataDir: path.join(tmp, 'db'), log: (m) => process.stderr.write(`[db] ${m}\n`) });
    stopDb = () => local.stop();

    // What `npm start` sets, then the bench's own overrides.
    const asNpmStart: Record<string, string> = { MONGODB_URI: local.uriFor('suishoupai'), DEV_LOGIN_ENABLED: 'true', LOG_LEVEL: 'info' };
    const defaultPool = loadConfig({}).mongodbMaxPoolSize;
    if (POOL !== undefined) asNpmStart.MONGODB_MAX_POOL_SIZE = String(POOL);
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
      `# ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()}`,
      `# Node ${process.version}; autocannon ${autocannonVersion}; every process on this machine (loopback)`,
      `# database: ${local.description}`,
      `# ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARMUP} s warm-up (report submission: ${SUBMISSIONS} requests after ${CONNECTIONS}), request timeout ${TIMEOUT} s; API and bare Koa each in a child process of their own, autocannon in the parent`,
      `# API config ${POOL === undefined ? `as npm start: MONGODB_MAX_POOL_SIZE default (${defaultPool})` : `as npm start except MONGODB_MAX_POOL_SIZE=${POOL} (default ${defaultPool})`}, ${Object.entries(
        asNpmStart,
      )
        .filter(([k]) => k !== 'MONGODB_URI' && k !== 'MONGODB_MAX_POOL_SIZE')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} (logs to a discarded stdout)`,
      `# bench overrides: ${Object.entries(overrides)
        .filter(([k]) => k !== 'MEDIA_DIR')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; MEDIA_DIR in a temp dir`,
    ];
    process.stderr.write(`${header.join('\n')}\n`);

    // Load the demo city as `npm start` does (node api/dist/cli.js seed-demo) before the API starts.
    const config = loadConfig(apiEnv);
    const db = await connectDatabase(config);
    closeParentDb = () => db.close();
    const services = createServices({ config, db, logger: createLogger('error'), clock: { now: () => new Date() } });
    const t0 = Date.now();

    const { seedDemo } = require('../api/src/seed/demo') as typeof import('../api/src/seed/demo');
    await seedDemo(services);
    process.stderr.write(`demo city and demo cases loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    // Query points: the grid centroids nearest the city centre, each with one public category
    // (not one the demo forwards to an external platform, which would only add failing deliveries).
    const city = await services.catalogue.getCity();
    const forwarded = new Set((services.city.forwarding?.rules ?? []).flatMap((r) => r.categoryIds ?? []));
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

    const sharp = require('sharp') as typeof import('sharp');
    const runId = Date.now().toString(36);
    const citizens = await inParallel(
      Array.from({ length: CITIZENS }, (_v, i) => i),
      4,
      async (i) => {
        const login = await expectStatus<{ accessToken: string; user: { id: string } }>(
          'dev login',
          [200],
          call(api.url, 'POST', '/auth/dev-login', { json: { devUser: `bench${i}` } }),
        );
        const form = new FormData();
        for (let k = 0; k < 2; k += 1) {
          const jpeg = await sharp({
            create: { width: 640, height: 480, channels: 3, background: { r: (i * 37 + k * 90) % 256, g: (i * 91) % 256, b: 120 } },
          })
            .jpeg()
            .toBuffer();
          form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), `p${k}.jpg`);
        }
        const uploaded = await expectStatus<{ photos: { id: string }[] }>(
          'photo upload',
          [201],
          call(api.url, 'POST', '/media', { token: login.accessToken, form }),
        );
        return { id: login.user.id, token: login.accessToken, photoIds: uploaded.photos.map((p) => p.id), reportIds: [] as string[] };
      },
    );

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
    const seeded = await inParallel(seedJobs, 4, async (p, i) => {
      const c = citizens[i % citizens.length]!;
      const at = await near(p.at, 25);
      const res = await benchClient(api.url, c.token).callRaw('createReport', { body: JSON.parse(reportBody(c, at, p.categoryId)) });
      if (res.status !== 201) throw new Error(`seed report: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      const id = (res.body as { id: string }).id;
      c.reportIds.push(id);
      return { citizen: c, id };
    });
    const nearbyCheck = await expectStatus<{ items: unknown[] }>(
      'nearby',
      [200],
      call(api.url, 'GET', `/reports/nearby?lat=${points[0]!.at.lat}&lng=${points[0]!.at.lng}&category=${points[0]!.categoryId}`, {
        token: citizens[0]!.token,
      }),
    );
    const cases = () => db.collection('cases').countDocuments();
    process.stderr.write(
      `prepared: ${citizens.length} citizens with 2 photos each, ${seeded.length} reports near ${points.length} points (${nearbyCheck.items.length} found near the first), ${await cases()} cases in the database\n`,
    );

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
          return {
            path: `/reports/nearby?lat=${at.lat.toFixed(6)}&lng=${at.lng.toFixed(6)}&category=${p.categoryId}`,
            headers: bearer(pick(citizens).token),
          };
        },
      },
      { name: 'public statistics summary', route: 'GET /stats/public/summary', url: `${api.url}/stats/public/summary` },
      {
        name: 'report submission (photos pre-uploaded)',
        route: 'POST /reports',
        url: api.url,
        method: 'POST',
        // A fixed number of requests: every run creates the same number of cases, so the
        // database (and the following runs) grow alike from run to run.
        amount: SUBMISSIONS,
        next: () => {
          // Round robin over the citizens (daily quota), a fresh clientRequestId each time.
          const c = citizens[(rr += 1) % citizens.length]!;
          const spot = pick(submitSpots);
          return {
            path: '/reports',
            headers: { ...bearer(c.token), 'content-type': 'application/json' },
            body: reportBody(c, spot.at, spot.categoryId),
          };
        },
      },
      { name: 'ceiling again (drift)', route: 'GET / (bare Koa)', url: koa.url },
    ];

    const results: Measured[] = [];
    // --only <text>: just the scenarios whose name contains it (e.g. with API_CPU_PROF, to profile one path).
    const only = argText('only');
    for (const s of scenarios.filter((sc) => !only || sc.name.includes(only))) {
      await settle(api.url);
      await quiesce(db);
      const idle = (await probe(s, 10)).median;
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
      ...results.map(
        (r) =>
          `| ${r.name} | \`${r.route}\` | ${f(r.rps, 1)} | ${f(r.p50)} | ${f(r.p99)} | ${r.ok} | ${r.non2xx} | ${r.errors} | ${ratio(r.rps / ceilingRps)} | ${ratio(r.p99 / ceilingP99)}× | ${f(r.idle ?? NaN)} | ${r.route.includes('bare Koa') ? '–' : r.cases} |`,
      ),
      '',
      `req/s = 2xx responses per second over the measured ${DURATION} s (report submission: over the time its ${SUBMISSIONS} requests took); p50/p99 of the 2xx responses. Ceiling = mean of the two bare Koa runs (${f(ceilingRps, 0)} req/s, p99 ${f(ceilingP99)} ms).`,
      'idle ms = median of 10 requests sent one after the other before the run (nothing else in flight): the cost of one request.',
      `load average after the runs: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    reportFailedRuns(results.filter(runFailed).map(describeFailedRun));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
}

main().catch((err) => {
  if (!run.interrupted) process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
