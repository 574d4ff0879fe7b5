/**
 * Statistics benchmark: rollups against a plain aggregation over the cases collection.
 *
 *   npx tsx bench/stats.ts [--cases 200000] [--also 2000000] [--calls 50] [--plain-calls 3] [--event-samples 5]
 *
 * Generates a year (2025) of synthetic cases for the demo city — event logs as the
 * workflow writes them (screening, dispatch, returns, postponements, rework, reopening,
 * ratings, backers; some late, some left open) — stores them as case documents, builds
 * the rollups with `StatsService.rebuild()` (the same pure function as the case-event
 * subscriber), then measures, median and p95:
 *   - summary, monthly time series and department ranking through the service and over
 *     HTTP (staff, unsuppressed), plus a filtered summary, a daily series and the public
 *     (anonymised) summary, cold and cached;
 *   - the added cost per case event (`onCaseEvent`) on empty rollups and at full size,
 *     next to the case's own update at full size;
 *   - the plain aggregation over case documents ($match/$group by state, by department
 *     and state, and one $match/$group per month for the series).
 * With --also M, the rollup side only at M cases: events are generated and folded in
 * memory and only the tiers those three queries read are stored (storing M case
 * documents and the fine tiers as well takes far longer; the printed insert and
 * rebuild rates say how long).
 *
 * The database is scripts/db's provideDatabase({ purpose: 'test' }): TEST_MONGODB_URI
 * when set, else a mongod, else the project's stand-in; the header says which.
 */
import Module from 'node:module';
import http from 'node:http';
import { benchClient } from './harness';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

// Run straight from the sources: point '@ssp/shared' at shared/src (its dist/ may be unbuilt).
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = (request, ...rest) =>
  resolveFilename(request === '@ssp/shared' ? path.resolve(__dirname, '..', 'shared', 'src', 'index.ts') : request, ...rest);

const { SATISFIED_MIN_SCORE } = require('@ssp/shared') as typeof import('@ssp/shared');
const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
const { createServices } = require('../api/src/services') as typeof import('../api/src/services');
const { buildApp } = require('../api/src/app') as typeof import('../api/src/app');
const { signAccessToken } = require('../api/src/auth/tokens') as typeof import('../api/src/auth/tokens');
const { getCaseModel } = require('../api/src/cases/models') as typeof import('../api/src/cases/models');
const { toCaseView, toEventMessage } = require('../api/src/cases/events') as typeof import('../api/src/cases/events');
const { TIERS, getRollupModel } = require('../api/src/stats/models') as typeof import('../api/src/stats/models');
const { RollupBatch } = require('../api/src/stats/rollups') as typeof import('../api/src/stats/rollups');
const { applyEvent, emptyFold } = require('../api/src/stats/increments') as typeof import('../api/src/stats/increments');
const { provideDatabase } = require('../scripts/db') as typeof import('../scripts/db');
const { cityOf, random, synthCase } = require('./city-year') as typeof import('./city-year');

type CaseEvent = import('../api/src/cases/models').CaseEvent;
type LocalDatabase = import('../scripts/db').LocalDatabase;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const CASES = arg('cases', 200_000);
const ALSO = arg('also', 0);
const CALLS = arg('calls', 50);
const PLAIN_CALLS = arg('plain-calls', 3);
const EVENT_SAMPLES = arg('event-samples', 5);

/** The calendar year 2025 (Beijing time), every case finished. */
const YEAR_2025 = { start: Date.parse('2025-01-01T00:00:00+08:00') };

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const rows: string[][] = [];
async function measure(label: string, n: number, run: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  rows.push([label, String(n), ms(percentile(times, 50)), ms(percentile(times, 95))]);
  process.stderr.write(`  ${label}: median ${ms(percentile(times, 50))}\n`);
}

// ---------------------------------------------------------------- run

async function open(server: LocalDatabase, name: string, extraEnv: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: server.uriFor(name),
    STATS_PUBLIC_RATE_PER_MINUTE: '100000',
    ...extraEnv,
  });
  const db = await connectDatabase({ ...config, mongodbServerSelectionTimeoutMs: 30_000, mongodbSocketTimeoutMs: 600_000 });
  const services = createServices({ config, db, logger: createLogger('silent'), clock: { now: () => new Date() } });
  return { config, db, services };
}

const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const STAFF = { kind: 'staff' } as const;

async function fullRun(dbServer: LocalDatabase, n: number): Promise<void> {
  const { config, db, services } = await open(dbServer, `bench_stats_${n}_${Date.now().toString(36)}`);
  const city = await cityOf(services);
  const Case = getCaseModel(db);
  const rnd = random(2025);
  const lines: string[] = [];

  // Per-event cost on empty rollups (the first cases' events).
  {
    const samples: { doc: ReturnType<typeof synthCase>['doc']; event: CaseEvent }[] = [];
    for (let i = 0; samples.length < 300; i += 1) {
      const c = synthCase(i, 300, city, random(i + 7), YEAR_2025);
      for (const event of c.events) samples.push({ doc: c.doc, event });
    }
    let k = 0;
    await measure('per case event · onCaseEvent · empty rollups', 300, async () => {
      const s = samples[k++]!;
      await services.stats.onCaseEvent(toEventMessage(s.doc, s.event), toCaseView(s.doc), {
        id: `warm:${k}`,
        type: 'stats',
        data: { seq: s.event.seq },
      });
    });
    for (const tier of TIERS) await getRollupModel(db, tier).deleteMany({});
  }

  // Case documents.
  let t = performance.now();
  let batch: unknown[] = [];
  let events = 0;
  const sample: { doc: ReturnType<typeof synthCase>['doc']; event: CaseEvent }[] = [];
  for (let i = 0; i < n; i += 1) {
    const c = synthCase(i, n, city, rnd, YEAR_2025);
    events += c.events.length;
    if (i % Math.max(1, Math.floor(n / EVENT_SAMPLES)) === 0) sample.push({ doc: c.doc, event: c.events[c.events.length - 1]! });
    batch.push(c.doc);
    if (batch.length === 2000 || i === n - 1) {
      await Case.collection.insertMany(batch as never[], { ordered: false });
      batch = [];
      if (i % 20_000 < 2000) process.stderr.write(`  inserted ${i + 1} cases\n`);
    }
  }
  const insertS = (performance.now() - t) / 1000;
  lines.push(`case documents: ${n} cases, ${events} events, inserted in ${insertS.toFixed(1)} s (${Math.round(n / insertS)} cases/s)`);

  t = performance.now();
  const built = await services.stats.rebuild({ graceMs: 0, flushRows: Number.POSITIVE_INFINITY });
  const rebuildS = (performance.now() - t) / 1000;
  lines.push(`rebuild from the event logs: ${built.events} events → ${built.rows} rollup rows in ${rebuildS.toFixed(1)} s`);
  const counts = await Promise.all(TIERS.map(async (tier) => `${tier.name} ${await getRollupModel(db, tier).countDocuments({})}`));
  lines.push(`rollup rows per tier: ${counts.join(', ')}`);
  const summary = await services.stats.summary(YEAR, STAFF);
  lines.push(
    `2025 figures: reported ${summary.counts.reported}, filed ${summary.counts.filed}, closed ${summary.counts.closed}/${summary.counts.due} due ` +
      `(结案率 ${summary.rates.closureRate.percent}%), 按期 ${summary.rates.onTimeRate.percent}%, 返工率 ${summary.rates.reworkRate.percent}%, ` +
      `处置率 ${summary.rates.handlingRate.percent}%, median report→closure ${summary.durations.medianHours} h`,
  );

  // Rollups through the service.
  await measure(`rollups · service · summary (year)`, CALLS, () => services.stats.summary(YEAR, STAFF));
  await measure(`rollups · service · time series (12 months)`, CALLS, () => services.stats.timeseries({ ...YEAR, granularity: 'month' }, STAFF));
  await measure(`rollups · service · department ranking (year)`, CALLS, () => services.stats.departments(YEAR, STAFF));
  await measure(`rollups · service · time series (365 days)`, Math.min(CALLS, 10), () =>
    services.stats.timeseries({ ...YEAR, granularity: 'day' }, STAFF),
  );
  await measure(`rollups · service · summary, one district (year)`, Math.min(CALLS, 3), () =>
    services.stats.summary({ ...YEAR, districtId: city.grids[0]!.districtId }, STAFF),
  );
  await measure(`rollups · service · public summary, cold (12 months published)`, 1, () => services.stats.summary(YEAR, { kind: 'public' }));
  await measure(`rollups · service · public summary, cached`, CALLS, () => services.stats.summary(YEAR, { kind: 'public' }));

  // Over HTTP.
  const app = buildApp({ config, db, logger: createLogger('silent'), version: 'bench', services });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = benchClient(base, signAccessToken(config.jwtSecret, { kind: 'staff', userId: 'bench', role: 'admin' }));
  const get = async (p: string) => {
    const res = await client.unchecked('GET', p);
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await measure(`rollups · HTTP · GET /stats/staff/summary`, CALLS, () => get('/stats/staff/summary?from=2025-01&to=2025-12'));
  await measure(`rollups · HTTP · GET /stats/staff/timeseries`, CALLS, () =>
    get('/stats/staff/timeseries?from=2025-01&to=2025-12&granularity=month'),
  );
  await measure(`rollups · HTTP · GET /stats/staff/departments`, CALLS, () => get('/stats/staff/departments?from=2025-01&to=2025-12'));
  await measure(`rollups · HTTP · GET /stats/public/summary (cached)`, CALLS, () => get('/stats/public/summary?from=2025-01&to=2025-12'));
  server.closeAllConnections();
  server.close();

  // Per-event cost at full size, next to the case's own update. The sampled cases are
  // moved to now: events before the rebuild's cutoff belong to the rebuild, not the subscriber.
  for (const s of sample) {
    const shift = Date.now() - s.event.at.getTime();
    s.doc = {
      ...s.doc,
      events: s.doc.events.map((e) => ({
        ...e,
        at: new Date(e.at.getTime() + shift),
        dims: { ...e.dims, deadline: e.dims.deadline && new Date(e.dims.deadline.getTime() + shift) },
      })),
    };
    s.event = s.doc.events[s.doc.events.length - 1]!;
  }
  let k = 0;
  await measure(`per case event · onCaseEvent · ${n} cases of rollups`, sample.length, async () => {
    const s = sample[k++]!;
    await services.stats.onCaseEvent(toEventMessage(s.doc, s.event), toCaseView(s.doc), {
      id: `bench:${k}`,
      type: 'stats',
      data: { seq: s.event.seq },
    });
  });
  k = 0;
  await measure(`per case event · the case's own update (updateOne by _id), ${n} cases`, sample.length, async () => {
    await Case.updateOne({ _id: sample[k++]!.doc._id }, { $set: { updatedAt: new Date() } });
  });

  // The same figures by a plain aggregation over the case documents.
  const range = { createdAt: { $gte: new Date('2025-01-01T00:00:00+08:00'), $lt: new Date('2026-01-01T00:00:00+08:00') } };
  await measure(`plain aggregation · summary ($match year, $group state)`, PLAIN_CALLS, () =>
    Case.aggregate([{ $match: range }, { $group: { _id: '$state', n: { $sum: 1 } } }]),
  );
  await measure(`plain aggregation · department ranking ($group department × state)`, PLAIN_CALLS, () =>
    Case.aggregate([{ $match: range }, { $group: { _id: { d: '$departmentId', s: '$state' }, n: { $sum: 1 } } }]),
  );
  await measure(`plain aggregation · time series (12 × $match month, $group state)`, Math.min(PLAIN_CALLS, 1), async () => {
    for (let m = 1; m <= 12; m += 1) {
      const from = new Date(`2025-${String(m).padStart(2, '0')}-01T00:00:00+08:00`);
      const to = m === 12 ? new Date('2026-01-01T00:00:00+08:00') : new Date(`2025-${String(m + 1).padStart(2, '0')}-01T00:00:00+08:00`);
      await Case.aggregate([{ $match: { createdAt: { $gte: from, $lt: to } } }, { $group: { _id: '$state', n: { $sum: 1 } } }]);
    }
  });
  process.stdout.write(`\n## ${n} cases\n${lines.join('\n')}\n`);
  await db.dropDatabase();
  await db.close();
}

/** The rollup side only: events folded in memory, only the tiers summary / series / ranking read are stored. */
async function rollupsOnly(server: LocalDatabase, n: number): Promise<void> {
  const { db, services } = await open(server, `bench_stats_${n}_${Date.now().toString(36)}`);
  const city = await cityOf(services);
  const tiers = TIERS.filter((t) => t.dims.length === 0 || (t.dims.length === 1 && t.dims[0] === 'departmentId'));
  const batch = new RollupBatch(tiers);
  const rnd = random(2025);
  let t = performance.now();
  let events = 0;
  for (let i = 0; i < n; i += 1) {
    let fold = emptyFold();
    for (const event of synthCase(i, n, city, rnd, YEAR_2025).events) {
      const r = applyEvent(fold, event);
      fold = r.fold;
      batch.add(r.increments, [1]);
      events += 1;
    }
    if (i % 200_000 === 0) process.stderr.write(`  folded ${i} cases\n`);
  }
  const foldS = (performance.now() - t) / 1000;
  t = performance.now();
  const rowCount = batch.size;
  await batch.flush(db, { insertNew: true });
  const lines = [
    `${n} cases, ${events} events generated and folded in memory in ${foldS.toFixed(1)} s; ${rowCount} rows of tiers ${tiers.map((x) => x.name).join(', ')} stored in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    `not stored at this size: the ${n} case documents and the fine tiers (day, month: grid × category × department × source)`,
  ];
  await measure(`[${n}] rollups · service · summary (year)`, CALLS, () => services.stats.summary(YEAR, STAFF));
  await measure(`[${n}] rollups · service · time series (12 months)`, CALLS, () =>
    services.stats.timeseries({ ...YEAR, granularity: 'month' }, STAFF),
  );
  await measure(`[${n}] rollups · service · department ranking (year)`, CALLS, () => services.stats.departments(YEAR, STAFF));
  const s = await services.stats.summary(YEAR, STAFF);
  lines.push(
    `2025 figures: reported ${s.counts.reported}, closed ${s.counts.closed}/${s.counts.due} due (结案率 ${s.rates.closureRate.percent}%), 按期 ${s.rates.onTimeRate.percent}%`,
  );
  process.stdout.write(`\n## ${n} cases (rollup side only)\n${lines.join('\n')}\n`);
  await db.dropDatabase();
  await db.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-stats-'));
  const server = await provideDatabase({ purpose: 'test', dataDir, log: (m) => process.stderr.write(`[db] ${m}\n`) });
  process.stdout.write(
    `# stats bench — ${new Date().toISOString()}\n# ${server.description}\n# Node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  try {
    await fullRun(server, CASES);
    if (ALSO) await rollupsOnly(server, ALSO);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r[0]!.length));
  process.stdout.write(`\n${'measurement'.padEnd(width)}  ${'n'.padStart(4)}  ${'median'.padStart(9)}  ${'p95'.padStart(9)}\n`);
  for (const r of rows) process.stdout.write(`${r[0]!.padEnd(width)}  ${r[1]!.padStart(4)}  ${r[2]!.padStart(9)}  ${r[3]!.padStart(9)}\n`);
  process.stdout.write(
    `\n(satisfied = score ≥ ${SATISFIED_MIN_SCORE}; the plain aggregations compute fewer figures than the rollups: counts by state only)\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
