/**
 * City-scale benchmark: `npx tsx bench/city.ts` (npm run bench:city)
 *   --cases 200000     cases of the city-year loaded before measuring
 *   --citizens 20000   citizens (the reporters and backers of those cases)
 *   --connections 20   requests in flight, for the API and for the raw database runs alike
 *   --duration 10      seconds per scenario (after --warmup 2 seconds, not counted)
 *   --submissions N    report submission runs N requests instead of the duration (default 25 × connections:
 *                      a p99 over 100 would be their second-worst, the first burst of 20 at once)
 *   --logins 1000      citizens who sign in (dev login) and make the citizen requests
 *   --timeout 30       seconds per request before autocannon counts an error
 *   SHOW_COMMANDS=1    also print the recorded commands of one submission
 *   JAVA_TOOL_OPTIONS  the stand-in's JVM options (scripts/db/standin.ts gives it 60 % of the RAM unless an -Xmx is named)
 *
 * Gets a throwaway database from scripts/db (provideDatabase, purpose 'test': TEST_MONGODB_URI
 * when set, else a mongod, else the project's stand-in), loads the demo city as `npm start`
 * does (seedDemo), then a city-year straight through the driver (insertMany in chunks):
 *   - citizens with the documents the dev login writes (devUser `city<i>`, so the citizens
 *     who sign in below are these documents);
 *   - cases of the twelve months up to now from bench/city-year.ts: event logs as the
 *     workflow writes them, recent cases still in progress; reporters among the citizens
 *     (a few report a lot, most a few), backers too; spread over the grids (uneven, a point
 *     inside the grid each) and categories; case numbers per day as the counter gives them;
 *   - the statistics rollups, rebuilt from the event logs (StatsService.rebuild()).
 * Then the real API (harness.ts: a child process with its background loops, the production
 * pool size) and a bare Koa app, and per hot path: autocannon against the API, then the
 * same database operations issued directly with the driver, as many in flight for as long.
 * The operations are those the services issue (read from their code), with the per-minute
 * window count of the rate-limited routes (nearby, public statistics) before them; every scenario's
 * commands are also recorded once through the services with command monitoring and printed
 * beside the reproduction's, so a difference shows. Report submission is replayed from
 * such a recording (every command of one submission, with fresh ids), since it is ~20
 * commands across the case, quota, counter, outbox, points and statistics collections.
 * Prints a markdown table: API req/s, p50, p99; raw database req/s, p50, p99; the API
 * overhead as ratios; and the targets beside them (not asserted).
 */
// harness first: it points '@ssp/shared' at the sources before anything loads it.
import {
  arg,
  call,
  cannon,
  expectStatus,
  describeFailedRun,
  inParallel,
  jitter,
  offset,
  percentile,
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
import { performance } from 'node:perf_hooks';
import { BSON, MongoClient, ObjectId, type Db, type Document } from 'mongodb';

const { EJSON } = BSON;

const mongoose = require('mongoose') as typeof import('mongoose');
const shared = require('@ssp/shared') as typeof import('@ssp/shared');
const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
const { createServices } = require('../api/src/services') as typeof import('../api/src/services');
const { seedDemo } = require('../api/src/seed/demo') as typeof import('../api/src/seed/demo');
const { getCaseModel } = require('../api/src/cases/models') as typeof import('../api/src/cases/models');
const { getCitizenModel } = require('../api/src/auth/models') as typeof import('../api/src/auth/models');
const { provideDatabase } = require('../scripts/db') as typeof import('../scripts/db');
const { standInHeap } = require('../scripts/db/standin') as typeof import('../scripts/db/standin');
const { cityOf, random, synthCase, DAY, YEAR_MS } = require('./city-year') as typeof import('./city-year');

type Services = import('../api/src/services').Services;
type CityGrid = import('./city-year').CityGrid;
type SynthDoc = import('./city-year').SynthDoc;

const DB_NAME = 'suishoupai_city';

// ---------------------------------------------------------------- loading the city-year

interface Loaded {
  citizenIds: string[];
  /** Case ids per reporter (citizen id), oldest first. */
  byReporter: Map<string, ObjectId[]>;
  /** Open cases of the last 30 days: where duplicates are looked up. */
  recentOpen: { at: LatLng; categoryId: string }[];
  /** Points inside each grid. */
  spots: Map<string, LatLng[]>;
  events: number;
  lines: string[];
}

/** Points inside the grid (the catalogue's own point-in-grid test), for case locations. */
async function spotsIn(services: Services, grid: CityGrid, rnd: ReturnType<typeof random>, want = 300): Promise<LatLng[]> {
  const spots: LatLng[] = [];
  for (let attempt = 0; attempt < 20 * want && spots.length < want; attempt += 1) {
    const at = offset(grid.centroid, (rnd.next() * 2 - 1) * 800, (rnd.next() * 2 - 1) * 800);
    if ((await services.catalogue.locate(at.lat, at.lng))?.grid.id === grid.id) spots.push(at);
  }
  return spots.length ? spots : [grid.centroid];
}

async function loadCityYear(services: Services, n: number, citizens: number): Promise<Loaded> {
  const db = services.ctx.db;
  const Case = getCaseModel(db);
  const Citizen = getCitizenModel(db);
  // The indexes exist before the data, as in a running deployment.
  await Promise.all([Case.createIndexes(), Citizen.createIndexes(), services.stats.ensureIndexes()]);
  const city = await cityOf(services);
  const staff = new Map((await services.auth.listStaff()).map((s) => [s.role === 'department' ? 'department' : s.role, s.id]));
  const rnd = random(20_251_203);
  const now = Date.now();
  const start = now - YEAR_MS;
  const lines: string[] = [];

  // Citizens, as the dev login leaves them (api/src/auth: upsert by devUser with the schema's defaults).
  let t = performance.now();
  const citizenIds: string[] = [];
  for (let from = 0; from < citizens; from += 2000) {
    const docs = [];
    for (let i = from; i < Math.min(citizens, from + 2000); i += 1) {
      const createdAt = new Date(start - rnd.next() * 2 * YEAR_MS);
      const _id = new ObjectId(ObjectId.generate(Math.floor(createdAt.getTime() / 1000)));
      citizenIds.push(_id.toHexString());
      docs.push({
        _id,
        devUser: `city${i}`,
        nickname: i % 3 === 0 ? shared.DEFAULT_NICKNAME : `市民${i}`,
        createdAt,
        lastLoginAt: new Date(now - rnd.next() * 30 * DAY),
      });
    }
    await Citizen.collection.insertMany(docs, { ordered: false });
  }
  lines.push(`citizens: ${citizens} inserted in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Case locations: points inside each grid.
  const spots = new Map<string, LatLng[]>();
  for (const grid of city.grids) spots.set(grid.id, await spotsIn(services, grid, rnd));

  // Case numbers continue the day counters the demo cases started.
  const counters = db.collection<{ _id: string; seq: number }>('counters');
  const dayCount = new Map((await counters.find({}).toArray()).map((c) => [c._id, c.seq]));
  const byReporter = new Map<string, ObjectId[]>();
  const recentOpen: Loaded['recentOpen'] = [];
  const lastOf = new Map<string, ObjectId>();
  const open = new Set<string>(shared.OPEN_CASE_STATES);
  let events = 0;
  let batch: SynthDoc[] = [];
  t = performance.now();
  const genRnd = random(2026);
  for (let i = 0; i < n; i += 1) {
    const { doc } = synthCase(i, n, city, genRnd, {
      start,
      cutAt: now,
      // A few citizens report a lot, most a few (~7 a citizen on average at the defaults: 70 % of cases come from citizens).
      reporterOf: () => citizenIds[Math.floor(citizens * rnd.next() ** 1.5)]!,
      supporterOf: () => citizenIds[Math.floor(citizens * rnd.next())]!,
      locationOf: (grid) => {
        const at = pick(spots.get(grid.id)!);
        return offset(at, jitter(5), jitter(5));
      },
      photosOf: (k) => Array.from({ length: 1 + (k % 3) }, (_v, j) => `bench${String(k).padStart(9, '0')}p${j}`.padEnd(22, 'x')),
      staffOf: (role) => staff.get(role) ?? null,
    });
    events += doc.events.length;
    const day = `case:${shared.shanghaiDay(doc.createdAt).replace(/-/g, '')}`;
    const seq = (dayCount.get(day) ?? 0) + 1;
    dayCount.set(day, seq);
    doc.caseNo = `${day.slice(5)}-${String(seq).padStart(5, '0')}`;
    const sameKind = `${doc.gridId}:${doc.categoryId}`;
    if (doc.rejectReason === 'duplicate') doc.duplicateOf = lastOf.get(sameKind) ?? null;
    lastOf.set(sameKind, doc._id);
    if (doc.reporterId) {
      const mine = byReporter.get(doc.reporterId) ?? [];
      mine.push(doc._id);
      byReporter.set(doc.reporterId, mine);
    }
    if (open.has(doc.state) && doc.createdAt.getTime() > now - 30 * DAY) recentOpen.push({ at: doc.location, categoryId: doc.categoryId });
    batch.push(doc);
    if (batch.length === 1000 || i === n - 1) {
      await Case.collection.insertMany(batch as never[], { ordered: false });
      batch = [];
      if ((i + 1) % 20_000 === 0) process.stderr.write(`  inserted ${i + 1} cases (${((performance.now() - t) / 1000).toFixed(0)} s)\n`);
    }
  }
  await counters.bulkWrite([...dayCount].map(([_id, seq]) => ({ updateOne: { filter: { _id }, update: { $max: { seq } }, upsert: true } })));
  const insertS = (performance.now() - t) / 1000;
  lines.push(`cases: ${n} with ${events} events inserted in ${insertS.toFixed(1)} s (${Math.round(n / insertS)} cases/s)`);

  t = performance.now();
  const built = await services.stats.rebuild({ graceMs: 0 });
  lines.push(`statistics rollups: ${built.events} events → ${built.rows} rows, rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { citizenIds, byReporter, recentOpen, spots, events, lines };
}

// ---------------------------------------------------------------- recording what a request sends

interface Recorded {
  name: string;
  collection: string;
  command: Document;
  databaseName: string;
  started: number;
  ended: number;
}

const NOT_THE_REQUEST = new Set([
  'create',
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'createIndexes',
  'listIndexes',
  'buildInfo',
  'getMore',
  'killCursors',
]);

/** Records the commands `fn` sends through `client` (whose connection monitors commands). */
async function record(client: MongoClient, fn: () => Promise<unknown>): Promise<Recorded[]> {
  const recorded = new Map<number, Recorded>();
  const onStart = (e: { requestId: number; commandName: string; command: Document; databaseName: string }) => {
    if (NOT_THE_REQUEST.has(e.commandName)) return;
    const collection = String(e.command[e.commandName] ?? '');
    recorded.set(e.requestId, {
      name: e.commandName,
      collection,
      command: e.command,
      databaseName: e.databaseName,
      started: performance.now(),
      ended: Infinity,
    });
  };
  const onEnd = (e: { requestId: number }) => {
    const r = recorded.get(e.requestId);
    if (r) r.ended = performance.now();
  };
  client.on('commandStarted', onStart);
  client.on('commandSucceeded', onEnd);
  client.on('commandFailed', onEnd);
  try {
    await fn();
  } finally {
    client.off('commandStarted', onStart);
    client.off('commandSucceeded', onEnd);
    client.off('commandFailed', onEnd);
  }
  return [...recorded.values()];
}

const describe = (cmds: Recorded[]) => {
  const counts = new Map<string, number>();
  for (const c of cmds) counts.set(`${c.name} ${c.collection}`, (counts.get(`${c.name} ${c.collection}`) ?? 0) + 1);
  return [...counts].map(([k, v]) => (v > 1 ? `${k} ×${v}` : k)).join(', ') || '(none)';
};

/** Session and routing fields the driver adds per send; a replay gets its own. */
const PER_SEND = new Set(['lsid', 'txnNumber', '$clusterTime', '$db', '$readPreference', 'autocommit', 'startTransaction']);

/**
 * One recorded submission, replayable with fresh ids: the case's id, number and client
 * request id, the ids of other inserted documents, and the citizen (and their photos) swapped.
 * Commands that overlapped in the recording (sent together) are sent together again.
 */
function replayer(cmds: Recorded[], fixed: { caseId: string; caseNo: string; clientRequestId: string; citizenId: string; photoIds: string[] }) {
  const fresh = new Set<string>([fixed.caseId]);
  for (const c of cmds) {
    if (c.name !== 'insert') continue;
    for (const d of (c.command.documents ?? []) as Document[]) if (d._id instanceof ObjectId) fresh.add(d._id.toHexString());
  }
  const waves: string[][] = [];
  let waveEnd = -Infinity;
  for (const c of [...cmds].sort((a, b) => a.started - b.started)) {
    const text = EJSON.stringify(Object.fromEntries(Object.entries(c.command).filter(([k]) => !PER_SEND.has(k))), { relaxed: false });
    if (c.started < waveEnd && waves.length) waves[waves.length - 1]!.push(text);
    else waves.push([text]);
    waveEnd = Math.max(waveEnd, c.ended);
  }
  const tokens = [...fresh, fixed.caseNo, fixed.clientRequestId, fixed.citizenId, ...fixed.photoIds];
  const pattern = new RegExp(tokens.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  let seq = 0;
  return {
    commands: cmds.length,
    waves: waves.length,
    /** Sends the submission's commands once, as `citizen` with `photoIds`. */
    async send(db: Db, citizen: { id: string; photoIds: string[] }): Promise<void> {
      seq += 1;
      const swap = new Map<string, string>(tokens.map((s) => [s, s]));
      for (const id of fresh) swap.set(id, new ObjectId().toHexString());
      swap.set(fixed.caseNo, `R${String(seq).padStart(fixed.caseNo.length - 1, '0')}`);
      swap.set(fixed.clientRequestId, `raw-${Date.now().toString(36)}-${seq}`);
      swap.set(fixed.citizenId, citizen.id);
      fixed.photoIds.forEach((p, j) => swap.set(p, citizen.photoIds[j] ?? p));
      for (const wave of waves) {
        const results = await Promise.all(
          wave.map((text) =>
            db.command(
              EJSON.parse(
                text.replace(pattern, (m) => swap.get(m) ?? m),
                { relaxed: false },
              ) as Document,
            ),
          ),
        );
        for (const r of results) {
          // A duplicate key is what the service meets, and takes as done, when the API's effect
          // sweep ran this case's effect first (it finds replayed cases as it finds the API's own).
          const errors = ((r.writeErrors as { code?: number; errmsg?: string }[] | undefined) ?? []).filter((e) => e.code !== 11000);
          if (errors.length) throw new Error(`replayed write failed: ${errors[0]!.errmsg}`);
        }
      }
    },
  };
}

// ---------------------------------------------------------------- raw database runs

interface RawMeasured {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  firstError: string | null;
}

/** `op` as many at a time as the API got, for a duration or a fixed number: the raw database figures. */
async function rawRun(op: (k: number) => Promise<void>, connections: number, runFor: { seconds: number } | { amount: number }): Promise<RawMeasured> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const t0 = performance.now();
  const deadline = 'seconds' in runFor ? t0 + runFor.seconds * 1000 : Infinity;
  const more = () => ('amount' in runFor ? next < runFor.amount : performance.now() < deadline);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (more()) {
        const k = next++;
        const t = performance.now();
        try {
          await op(k);
          latencies.push(performance.now() - t);
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: latencies.length,
    errors,
    firstError,
  };
}

/** The index the server would read for a find (explain's winning plan), e.g. "IXSCAN reporterId_1_createdAt_-1". */
async function planOf(db: Db, find: Document): Promise<string> {
  try {
    const res = (await db.command({ explain: find, verbosity: 'queryPlanner' })) as Document;
    const stages: string[] = [];
    const winning = res.queryPlanner?.winningPlan as Document | undefined;
    // MongoDB 7+ may wrap the classic plan in queryPlan (slot-based engine).
    for (let s = (winning?.queryPlan ?? winning) as Document | undefined; s; s = s.inputStage as Document | undefined) {
      stages.push(s.indexName ? `${s.stage} ${s.indexName}` : String(s.stage));
    }
    return stages.join(' ← ') || 'n/a';
  } catch (err) {
    return `explain failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

// ---------------------------------------------------------------- main

interface Row {
  name: string;
  route: string;
  api: Measured;
  raw?: RawMeasured;
  target?: number;
  apiCommands?: string;
  rawCommands?: string;
  plan?: string;
  idle?: { median: number; first: number };
  rawIdle?: number;
}

async function main(): Promise<void> {
  const CASES = arg('cases', 200_000);
  const CITIZENS = arg('citizens', 20_000);
  const CONNECTIONS = arg('connections', 20);
  const DURATION = arg('duration', 10);
  const WARMUP = arg('warmup', 2);
  const TIMEOUT = arg('timeout', 30);
  const SUBMISSIONS = Math.max(arg('submissions', 25 * CONNECTIONS), CONNECTIONS);
  const LOGINS = arg('logins', 1000);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-city-'));
  const closers: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    await stopServers();
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    run.interrupted = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const local = await provideDatabase({ purpose: 'test', dataDir: path.join(tmp, 'db'), log: (m) => process.stderr.write(`[db] ${m}\n`) });
    closers.push(() => local.stop());

    const asNpmStart = { MONGODB_URI: local.uriFor(DB_NAME), DEV_LOGIN_ENABLED: 'true', LOG_LEVEL: 'info' };
    const overrides = {
      MEDIA_DIR: path.join(tmp, 'media'),
      // Submissions rotate over a few dozen citizens; the default 20 a day is for one person.
      REPORTS_PER_DAY: '1000',
      // All load comes from one IP (127.0.0.1); the default 120/min would answer 429.
      STATS_PUBLIC_RATE_PER_MINUTE: '100000',
      // The signed-in citizens make every look-up; the default 60 per citizen and minute is for one person.
      NEARBY_RATE_PER_MINUTE: '100000',
      // Tokens are made once, before the runs; a long run must not outlive them.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    };
    const apiEnv: Record<string, string> = { ...asNpmStart, ...overrides };
    const config = loadConfig(apiEnv);
    const autocannonVersion = (JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version;
    const cpus = os.cpus();
    const header = [
      `# city bench — ${new Date().toISOString()}`,
      `# ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}; ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()}; load average at start ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      `# Node ${process.version}; autocannon ${autocannonVersion}; mongodb driver ${(JSON.parse(readFileSync(require.resolve('mongodb/package.json'), 'utf8')) as { version: string }).version}; every process on this machine (loopback)`,
      `# database: ${local.description}${local.kind === 'standin' ? ` (heap ${standInHeap()})` : ''}`,
      `# API as npm start runs it (DEV_LOGIN_ENABLED=true LOG_LEVEL=info to a discarded stdout, MONGODB_MAX_POOL_SIZE default ${config.mongodbMaxPoolSize}) with its background loops, in a child process; bare Koa in another; autocannon and the raw database runs in the parent`,
      `# bench overrides: ${Object.entries(overrides)
        .filter(([k]) => k !== 'MEDIA_DIR')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; MEDIA_DIR in a temp dir`,
      `# ${CONNECTIONS} connections / requests in flight, ${DURATION} s per scenario after ${WARMUP} s warm-up (report submission: ${SUBMISSIONS} requests after ${CONNECTIONS}), request timeout ${TIMEOUT} s`,
    ];
    process.stderr.write(`${header.join('\n')}\n`);

    // ------------------------------------------------------------ data
    const db = await connectDatabase({ ...config, mongodbSocketTimeoutMs: 600_000, mongodbServerSelectionTimeoutMs: 30_000 });
    closers.push(() => db.close());
    const services = createServices({ config, db, logger: createLogger('error'), clock: { now: () => new Date() } });
    let t = performance.now();
    await seedDemo(services);
    const demoS = (performance.now() - t) / 1000;
    t = performance.now();
    const loaded = await loadCityYear(services, CASES, CITIZENS);
    const loadS = (performance.now() - t) / 1000;
    const caseCount = await db.collection('cases').countDocuments();
    const citizenCount = await db.collection('citizens').countDocuments();
    const reporters = [...loaded.byReporter.values()].map((ids) => ids.length).sort((a, b) => a - b);
    const dataLines = [
      `# data: the demo city (loaded with its demo cases in ${demoS.toFixed(1)} s) and a city-year loaded in ${loadS.toFixed(1)} s:`,
      ...loaded.lines.map((l) => `#   ${l}`),
      `#   in the database: ${caseCount} cases, ${citizenCount} citizens; ${reporters.length} citizens have reports (median ${percentile(reporters, 50)}, p99 ${percentile(reporters, 99)}, max ${reporters[reporters.length - 1]}), ${loaded.recentOpen.length} open cases from the last 30 days`,
    ];
    process.stderr.write(`${dataLines.join('\n')}\n`);

    // ------------------------------------------------------------ servers and sign-ins
    const [api, koa] = await Promise.all([startServer('api', { ...process.env, ...apiEnv }), startServer('koa', { ...process.env })]);
    // The public statistics are published once at start (api/src/main.ts does it; the bench's API child
    // leaves it to its first request or its background loop) before anything is measured: on the
    // stand-in that read of twelve months of cohort rows takes seconds, and it would land in whichever
    // run it overlapped.
    let publishedAtStartMs = performance.now();
    await expectStatus('public summary', [200], call(api.url, 'GET', '/stats/public/summary'));
    publishedAtStartMs = performance.now() - publishedAtStartMs;
    const rnd = random(42);
    const devIndex = new Map(loaded.citizenIds.map((id, i) => [id, i]));
    const withReports = [...loaded.byReporter.keys()].sort(() => rnd.next() - 0.5).slice(0, LOGINS);
    t = performance.now();
    const citizens = await inParallel(withReports, 4, async (id) => {
      const login = await expectStatus<{ accessToken: string; user: { id: string } }>(
        'dev login',
        [200],
        call(api.url, 'POST', '/auth/dev-login', { json: { devUser: `city${devIndex.get(id)}` } }),
      );
      // The relation the scenarios rely on: the citizen who signs in is the reporter of these cases.
      if (login.user.id !== id) throw new Error(`dev login of city${devIndex.get(id)} gave citizen ${login.user.id}, not the inserted ${id}`);
      return { id, token: login.accessToken, cases: loaded.byReporter.get(id)!, photoIds: [] as string[] };
    });
    const staffLogin = await expectStatus<{ accessToken: string; staff: { id: string } }>(
      'dispatcher login',
      [200],
      call(api.url, 'POST', '/auth/staff/login', { json: { username: 'dispatcher', password: 'demo-dispatcher-2026' } }),
    );

    const sharp = require('sharp') as typeof import('sharp');
    const submitters = citizens.slice(0, Math.min(citizens.length, 2 * CONNECTIONS));
    await inParallel(submitters, 4, async (c, i) => {
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
        call(api.url, 'POST', '/media', { token: c.token, form }),
      );
      c.photoIds = uploaded.photos.map((p) => p.id);
    });
    process.stderr.write(
      `signed in: ${citizens.length} citizens (dev login, each the inserted document) and the dispatcher; ${submitters.length} citizens uploaded 2 photos each (${((performance.now() - t) / 1000).toFixed(1)} s)\n`,
    );

    // ------------------------------------------------------------ what the requests ask
    const forwarded = new Set((services.city.forwarding?.rules ?? []).flatMap((r) => r.categoryIds ?? []));
    const categories = (await services.catalogue.allCategories()).filter((c) => c.publicReportable && !forwarded.has(c.id));
    const allSpots = [...loaded.spots.values()].flat();
    const open = [...shared.OPEN_CASE_STATES];
    const { duplicateRadiusM, duplicateMaxAgeDays } = config.reports;
    // Half the look-ups where an open case of the category is (a duplicate to find), half anywhere.
    const lookups = Array.from({ length: 5000 }, (_v, k) => {
      if (k % 2 === 0 && loaded.recentOpen.length) {
        const c = pick(loaded.recentOpen);
        return { at: offset(c.at, jitter(20), jitter(20)), categoryId: c.categoryId };
      }
      return { at: offset(pick(allSpots), jitter(5), jitter(5)), categoryId: pick(categories).id };
    });
    // Submissions at points inside the service area (near its edge a jittered point may not be).
    const submitSpots: { at: LatLng; categoryId: string }[] = [];
    while (submitSpots.length < 1000) {
      const at = offset(pick(allSpots), jitter(5), jitter(5));
      if (await services.catalogue.locate(at.lat, at.lng)) submitSpots.push({ at, categoryId: pick(categories).id });
    }
    const tracked = () => {
      const c = pick(citizens);
      return { citizen: c, caseId: pick(c.cases) };
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const runId = Date.now().toString(36);
    let seq = 0;
    const reportInput = (c: (typeof citizens)[number]) => {
      const spot = pick(submitSpots);
      return {
        categoryId: spot.categoryId,
        description: '路边井盖破损，存在安全隐患',
        location: spot.at,
        photoIds: c.photoIds,
        anonymous: false,
        clientRequestId: `city-${runId}-${(seq += 1)}`,
      };
    };
    let turn = 0;
    const nextSubmitter = () => submitters[(turn += 1) % submitters.length]!;

    // The same database work through the driver, for the comparison.
    const rawClient = new MongoClient(local.uriFor(DB_NAME), { maxPoolSize: config.mongodbMaxPoolSize });
    await rawClient.connect();
    closers.push(() => rawClient.close());
    const monitoredClient = new MongoClient(local.uriFor(DB_NAME), { maxPoolSize: 10, monitorCommands: true });
    await monitoredClient.connect();
    closers.push(() => monitoredClient.close());
    const raw = (rdb: Db) => {
      const cases = rdb.collection('cases');
      // The per-minute window a rate-limited route counts in before it answers (RateLimitStore.hit).
      const countWindow = async (key: string) => {
        const start = Date.now() - (Date.now() % 60_000);
        await rdb
          .collection<{ _id: string }>('rate_limit_windows')
          .findOneAndUpdate(
            { _id: `${key}@${start}` },
            { $inc: { count: 1 }, $setOnInsert: { key, windowStart: new Date(start), expiresAt: new Date(start + 60_000) } },
            { upsert: true, returnDocument: 'after', projection: { count: 1 } },
          );
      };
      return {
        // ReportService.detailFor → CaseWorkflow.get (findById, whole document); detail() reads a merged case's number.
        tracking: async (r: { caseId: ObjectId }) => {
          const doc = await cases.findOne({ _id: r.caseId });
          if (doc?.duplicateOf) await cases.findOne({ _id: doc.duplicateOf }, { projection: { caseNo: 1 } });
        },
        // ReportService.listMine: first page (limit 20, one more to know whether a next page exists).
        mine: async (citizenId: string) => {
          await cases
            .find({ reporterId: citizenId }, { sort: { createdAt: -1, _id: -1 }, limit: 21, projection: { events: 0, effects: 0 } })
            .toArray();
        },
        // ReportService.nearby: category, open states, 30 days, a lat/lng box; distances in the app.
        nearby: async (q: { at: LatLng; categoryId: string }, citizenId: string) => {
          await countWindow(`nearby:${citizenId}`);
          const box = shared.boundingBox(q.at, duplicateRadiusM);
          await cases
            .find(
              {
                categoryId: q.categoryId,
                state: { $in: open },
                createdAt: { $gte: new Date(Date.now() - duplicateMaxAgeDays * DAY) },
                'location.lat': { $gte: box.minLat, $lte: box.maxLat },
                'location.lng': { $gte: box.minLng, $lte: box.maxLng },
              },
              { limit: 200 },
            )
            .toArray();
        },
        // CaseService.queue, the dispatcher's first tab (待派遣: state filed), most urgent first.
        queue: async () => {
          await cases.find({ state: 'filed' }, { sort: { dueAt: 1, _id: 1 }, limit: 21, projection: { events: 0, effects: 0 } }).toArray();
        },
        // StatsService.summary, public: the generation from stats_meta; the published cells come from the process's cache.
        publicSummary: async () => {
          await countWindow('stats-public:127.0.0.1');
          await rdb.collection('stats_meta').findOne({ _id: 'rollups' as never });
        },
      };
    };
    const rawOps = raw(rawClient.db());
    const probeOps = raw(monitoredClient.db());

    // The services over a monitored connection: what one request of each scenario sends.
    const probeDb = mongoose.createConnection(local.uriFor(DB_NAME), {
      bufferCommands: false,
      maxPoolSize: 10,
      monitorCommands: true,
    } as import('mongoose').ConnectOptions);
    await probeDb.asPromise();
    closers.push(() => probeDb.close());
    const probeServices = createServices({ config, db: probeDb, logger: createLogger('error'), clock: { now: () => new Date() } });
    const probeClient = probeDb.getClient() as unknown as MongoClient;
    const dispatcher = { kind: 'staff' as const, userId: staffLogin.staff.id, role: 'dispatcher' as const };
    const recordBoth = async (apiCall: () => Promise<unknown>, rawCall: () => Promise<unknown>) => {
      await apiCall();
      const apiCmds = await record(probeClient, apiCall);
      const rawCmds = await record(monitoredClient, rawCall);
      return { apiCommands: describe(apiCmds), rawCommands: describe(rawCmds) };
    };
    const sampleTrack = tracked();
    const sampleLookup = lookups[0]!;
    const publicQuery = shared.statsQuerySchema.parse({});
    const recordings = {
      tracking: await recordBoth(
        () => probeServices.reports.detailFor(sampleTrack.citizen.id, String(sampleTrack.caseId)),
        () => probeOps.tracking({ caseId: sampleTrack.caseId }),
      ),
      mine: await recordBoth(
        () => probeServices.reports.listMine(sampleTrack.citizen.id, { limit: 20 }),
        () => probeOps.mine(sampleTrack.citizen.id),
      ),
      nearby: await recordBoth(
        async () => {
          await probeServices.rateLimits.hit(`nearby:${sampleTrack.citizen.id}`, 60_000);
          await probeServices.reports.nearby(sampleTrack.citizen.id, sampleLookup.at.lat, sampleLookup.at.lng, sampleLookup.categoryId);
        },
        () => probeOps.nearby(sampleLookup, sampleTrack.citizen.id),
      ),
      queue: await recordBoth(
        () => probeServices.cases.queue(dispatcher, shared.caseQueueQuerySchema.parse({ state: 'filed' })),
        () => probeOps.queue(),
      ),
      publicSummary: await recordBoth(
        async () => {
          await probeServices.rateLimits.hit('stats-public:127.0.0.1', 60_000);
          await probeServices.stats.summary(publicQuery, { kind: 'public' });
        },
        () => probeOps.publicSummary(),
      ),
    };
    // How many published cells a cached public summary merges per request (a private cache of the service: n/a if it moved).
    const cache = (probeServices.stats as unknown as { publicCells?: Map<string, { cells?: unknown[] }> }).publicCells;
    const publishedCells = cache instanceof Map ? [...cache.values()].reduce((n, v) => n + (v.cells?.length ?? 0), 0) : NaN;
    // One submission recorded (after one to warm the services' caches and indexes), replayed with fresh ids.
    const warmBy = submitters[0]!;
    await probeServices.reports.create(warmBy.id, reportInput(warmBy));
    await probeServices.relay.settled(); // its effects, run after its answer, stay out of the recording
    const by = submitters[1 % submitters.length]!;
    const input = reportInput(by);
    let created: { _id: ObjectId; caseNo: string } | null = null;
    // With its effects: the API answers before they run, but they are database work the submission causes.
    const submitCmds = await record(probeClient, async () => {
      created = (await probeServices.reports.create(by.id, input)).doc as unknown as { _id: ObjectId; caseNo: string };
      await probeServices.relay.settled();
    });
    const replay = replayer(submitCmds, {
      caseId: created!._id.toHexString(),
      caseNo: created!.caseNo,
      clientRequestId: input.clientRequestId,
      citizenId: by.id,
      photoIds: by.photoIds,
    });
    await replay.send(rawClient.db(), by);
    const submitRecording = {
      apiCommands: describe(submitCmds),
      rawCommands:
        `the same ${replay.commands} commands replayed in ${replay.waves} round trips one after the other${replay.waves < replay.commands ? ' (commands that overlapped in the recording sent together)' : ''}` +
        ` — one submission recorded alone, with its effects (the API answers once the case is stored and runs the effects after); under load the API groups the writes and look-ups of concurrent submissions (api/src/core/group-commit.ts), so it sends fewer commands per submission than this replay`,
    };
    if (process.env.SHOW_COMMANDS === '1') {
      for (const c of submitCmds) process.stderr.write(`  [submission] ${c.name} ${c.collection} ${EJSON.stringify(c.command).slice(0, 400)}\n`);
    }

    // The plans the server picks for the reads (explain).
    const since = new Date(Date.now() - duplicateMaxAgeDays * DAY);
    const box = shared.boundingBox(sampleLookup.at, duplicateRadiusM);
    const plans = {
      tracking: await planOf(rawClient.db(), { find: 'cases', filter: { _id: sampleTrack.caseId } }),
      mine: await planOf(rawClient.db(), {
        find: 'cases',
        filter: { reporterId: sampleTrack.citizen.id },
        sort: { createdAt: -1, _id: -1 },
        limit: 21,
      }),
      nearby: await planOf(rawClient.db(), {
        find: 'cases',
        filter: {
          categoryId: sampleLookup.categoryId,
          state: { $in: open },
          createdAt: { $gte: since },
          'location.lat': { $gte: box.minLat, $lte: box.maxLat },
          'location.lng': { $gte: box.minLng, $lte: box.maxLng },
        },
        limit: 200,
      }),
      queue: await planOf(rawClient.db(), { find: 'cases', filter: { state: 'filed' }, sort: { dueAt: 1, _id: 1 }, limit: 21 }),
      publicSummary: await planOf(rawClient.db(), { find: 'stats_meta', filter: { _id: 'rollups' } }),
    };
    const filedCount = await db.collection('cases').countDocuments({ state: 'filed' });

    // ------------------------------------------------------------ scenarios
    type CityScenario = Scenario & { raw?: (k: number) => Promise<void>; target?: number; key?: keyof typeof plans | 'submission' };
    const scenarios: CityScenario[] = [
      { name: 'ceiling: bare Koa, fixed JSON', route: 'GET / (bare Koa)', url: koa.url },
      {
        name: 'case tracking: one report',
        route: 'GET /me/reports/:id',
        url: api.url,
        key: 'tracking',
        target: 50,
        next: () => {
          const r = tracked();
          return { path: `/me/reports/${String(r.caseId)}`, headers: bearer(r.citizen.token) };
        },
        raw: () => rawOps.tracking(tracked()),
      },
      {
        name: 'my reports (first page)',
        route: 'GET /me/reports',
        url: api.url,
        key: 'mine',
        target: 50,
        next: () => ({ path: '/me/reports', headers: bearer(pick(citizens).token) }),
        raw: () => rawOps.mine(pick(citizens).id),
      },
      {
        name: 'nearby duplicates',
        route: 'GET /reports/nearby',
        url: api.url,
        key: 'nearby',
        next: () => {
          const q = pick(lookups);
          return {
            path: `/reports/nearby?lat=${q.at.lat.toFixed(6)}&lng=${q.at.lng.toFixed(6)}&category=${q.categoryId}`,
            headers: bearer(pick(citizens).token),
          };
        },
        raw: () => rawOps.nearby(pick(lookups), pick(citizens).id),
      },
      {
        name: 'staff queue (dispatcher, 待派遣)',
        route: 'GET /staff/cases?state=filed',
        url: api.url,
        key: 'queue',
        next: () => ({ path: '/staff/cases?state=filed&limit=20', headers: bearer(staffLogin.accessToken) }),
        raw: () => rawOps.queue(),
      },
      {
        name: 'public statistics summary',
        route: 'GET /stats/public/summary',
        url: `${api.url}/stats/public/summary`,
        key: 'publicSummary',
        raw: () => rawOps.publicSummary(),
      },
      {
        name: 'report submission (photos pre-uploaded)',
        route: 'POST /reports',
        url: api.url,
        method: 'POST',
        key: 'submission',
        target: 100,
        amount: SUBMISSIONS,
        next: () => {
          const c = nextSubmitter();
          return { path: '/reports', headers: { ...bearer(c.token), 'content-type': 'application/json' }, body: JSON.stringify(reportInput(c)) };
        },
        raw: () => replay.send(rawClient.db(), nextSubmitter()),
      },
      { name: 'ceiling again (drift)', route: 'GET / (bare Koa)', url: koa.url },
    ];

    const rows: Row[] = [];
    for (const s of scenarios) {
      const alone = s.amount ? 3 : 10;
      await settle(api.url);
      await quiesce(db);
      // One request first, alone: the public summary's cache is filled by it (not by 20 at once).
      const first = (await probe(s, 1)).first;
      await cannon(s, s.amount ? { amount: CONNECTIONS } : { seconds: WARMUP }, CONNECTIONS, TIMEOUT, false);
      await settle(api.url);
      await quiesce(db);
      // Then, warm, one at a time: the cost of one request with nothing else in flight.
      const idle = { first, median: (await probe(s, alone)).median };
      const m = await cannon(s, s.amount ? { amount: s.amount } : { seconds: DURATION }, CONNECTIONS, TIMEOUT, true);
      const row: Row = { name: s.name, route: s.route, api: m, target: s.target, idle };
      if (s.raw) {
        await settle(api.url);
        await quiesce(db);
        await rawRun(s.raw, CONNECTIONS, s.amount ? { amount: CONNECTIONS } : { seconds: WARMUP });
        const times: number[] = [];
        for (let k = 0; k < alone; k += 1) {
          const t0 = performance.now();
          await s.raw(k);
          times.push(performance.now() - t0);
        }
        row.rawIdle = percentile(
          times.sort((a, b) => a - b),
          50,
        );
        row.raw = await rawRun(s.raw, CONNECTIONS, s.amount ? { amount: s.amount } : { seconds: DURATION });
        process.stderr.write(
          `  ${s.name} · raw database: ${row.raw.rps.toFixed(1)} op/s, p50 ${row.raw.p50.toFixed(2)} ms, p99 ${row.raw.p99.toFixed(2)} ms, errors ${row.raw.errors}${row.raw.firstError ? ` (${row.raw.firstError})` : ''}\n`,
        );
      }
      if (s.key) {
        const rec = s.key === 'submission' ? submitRecording : recordings[s.key];
        Object.assign(row, rec, { plan: s.key === 'submission' ? undefined : plans[s.key] });
      }
      rows.push(row);
    }

    // ------------------------------------------------------------ report
    const f = (v: number | undefined, digits = 2) => (v !== undefined && Number.isFinite(v) ? v.toFixed(v >= 100 ? 0 : digits) : '–');
    const x = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${Number(v.toPrecision(2))}×` : '–');
    const ceilings = rows.filter((r) => r.route.includes('bare Koa'));
    const lines = [
      '',
      ...header,
      ...dataLines,
      `#   staff queue: ${filedCount} cases in state filed before the runs; nearby look-ups: half within 20 m of a recent open case of its category, half anywhere in a grid`,
      `#   citizen requests by ${citizens.length} citizens who signed in through POST /auth/dev-login (each checked to be the inserted citizen); submissions rotate over ${submitters.length} of them`,
      `# load average after the runs ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      '',
      '| scenario | route | API req/s | API p50 ms | API p99 ms | API alone ms | raw DB op/s | raw p50 ms | raw p99 ms | raw alone ms | overhead p50 | overhead p99 | raw ÷ API req/s | target p99 | target overhead ≤ 2× | non-2xx / errors |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|',
      ...rows.map((r) => {
        const o50 = r.raw ? r.api.p50 / r.raw.p50 : undefined;
        const o99 = r.raw ? r.api.p99 / r.raw.p99 : undefined;
        const orps = r.raw ? r.raw.rps / r.api.rps : undefined;
        const latency = r.target ? `< ${r.target} ms ${r.api.p99 < r.target ? '✓' : '✗'}` : '–';
        const overhead = r.raw ? (Math.max(o50!, o99!, orps!) <= 2 ? '✓' : '✗') : '–';
        return `| ${r.name} | \`${r.route}\` | ${f(r.api.rps, 1)} | ${f(r.api.p50)} | ${f(r.api.p99)} | ${f(r.idle?.median)} | ${f(r.raw?.rps, 1)} | ${f(r.raw?.p50)} | ${f(r.raw?.p99)} | ${f(r.rawIdle)} | ${x(o50)} | ${x(o99)} | ${x(orps)} | ${latency} | ${overhead} | ${r.api.non2xx} / ${r.api.errors}${r.raw ? ` · raw ${r.raw.errors}` : ''} |`;
      }),
      '',
      `API req/s = 2xx responses per second over the measured ${DURATION} s (submission: over the time its ${SUBMISSIONS} requests took), p50/p99 over the 2xx responses; raw DB = the same database operations through the driver from the bench process, ${CONNECTIONS} in flight, for as long (as many). overhead = API latency ÷ raw latency; raw ÷ API req/s = how many more the database alone serves. Targets (shown, not asserted): tracking and my reports p99 < 50 ms, submission p99 < 100 ms, overhead ≤ 2× (✓ when p50, p99 and req/s ratios all are). API alone / raw alone = median of requests (operations) sent one at a time after the warm-up, nothing else in flight. Ceiling: bare Koa ${ceilings.map((c) => `${f(c.api.rps, 0)} req/s p99 ${f(c.api.p99)} ms`).join(', then ')}.`,
      `The public summary's first request after the API started (its cache of published cells empty, before the runs) took ${f(publishedAtStartMs)} ms; the runs measure it cached: ${Number.isFinite(publishedCells) ? publishedCells : 'n/a'} published cells of the 12 months, merged once per cut and kept as long as the cells (re-published by the API's background loop ahead of their expiry).`,
      '',
      'Database commands per request (recorded once each with command monitoring: through the services, and the raw reproduction) and the plan the server picks for the read:',
      ...rows.filter((r) => r.apiCommands).map((r) => `- ${r.name}: API ${r.apiCommands} · raw ${r.rawCommands}${r.plan ? ` · plan ${r.plan}` : ''}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const rawFailed = (r: (typeof rows)[number]) => !!r.raw && (r.raw.errors > 0.01 * r.raw.ok || r.raw.ok === 0);
    reportFailedRuns(
      rows
        .filter((r) => runFailed(r.api) || rawFailed(r))
        .map((r) => `${describeFailedRun(r.api)}${r.raw?.errors ? `; raw database errors ${r.raw.errors}: ${r.raw.firstError}` : ''}`),
    );
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
