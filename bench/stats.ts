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
 * documents and the fine tiers in FerretDB takes longer than this machine's budget;
 * the printed insert rate says how long it would).
 *
 * Uses TEST_MONGODB_URI when set, else starts its own FerretDB (scripts/db.ts).
 */
import Module from 'node:module';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../api/src/core/seeded-random';

// Run straight from the sources: point '@ssp/shared' at shared/src (its dist/ may be unbuilt).
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = (request, ...rest) =>
  resolveFilename(request === '@ssp/shared' ? path.resolve(__dirname, '..', 'shared', 'src', 'index.ts') : request, ...rest);

/* eslint-disable @typescript-eslint/no-require-imports */
const { Types } = require('mongoose') as typeof import('mongoose');
const { computeDeadline, SATISFIED_MIN_SCORE } = require('@ssp/shared') as typeof import('@ssp/shared');
const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
const { createServices } = require('../api/src/services') as typeof import('../api/src/services');
const { buildApp } = require('../api/src/app') as typeof import('../api/src/app');
const { signAccessToken } = require('../api/src/auth/tokens') as typeof import('../api/src/auth/tokens');
const { getCaseModel } = require('../api/src/cases/models') as typeof import('../api/src/cases/models');
const { TIERS, getRollupModel } = require('../api/src/stats/models') as typeof import('../api/src/stats/models');
const { RollupBatch } = require('../api/src/stats/rollups') as typeof import('../api/src/stats/rollups');
const { applyEvent, emptyFold } = require('../api/src/stats/increments') as typeof import('../api/src/stats/increments');
const { startLocalDatabase, FERRETDB_VERSION } = require('../scripts/db') as typeof import('../scripts/db');
/* eslint-enable @typescript-eslint/no-require-imports */

type CaseEvent = import('../api/src/cases/models').CaseEvent;
type Category = import('@ssp/shared').Category;
type Calendar = import('@ssp/shared').Calendar;
type Services = import('../api/src/services').Services;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const CASES = arg('cases', 200_000);
const ALSO = arg('also', 0);
const CALLS = arg('calls', 50);
const PLAIN_CALLS = arg('plain-calls', 3);
const EVENT_SAMPLES = arg('event-samples', 5);

const HOUR = 3600_000;
const MIN = 60_000;
const YEAR_START = Date.parse('2025-01-01T00:00:00+08:00');
const YEAR_MS = 365 * 24 * HOUR;

function random(seed: number) {
  const next = seededRandom(seed);
  return { next, chance: (p: number) => next() < p, between: (lo: number, hi: number) => lo + next() * (hi - lo) };
}

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

// ---------------------------------------------------------------- synthetic city year

interface City {
  categories: Category[];
  weights: number[];
  grids: { id: string; streetId: string; districtId: string; centroid: { lat: number; lng: number } }[];
  calendar: Calendar;
}

async function cityOf(services: Services): Promise<City> {
  await services.catalogue.seedCityDataIfEmpty();
  const categories = await services.catalogue.allCategories();
  const tree = await services.catalogue.areaTree();
  return {
    categories,
    weights: categories.map((c) => 1 + (c.popularity ?? 0)),
    grids: tree.districts.flatMap((d) => d.streets.flatMap((s) => s.grids.map((g) => ({ id: g.id, streetId: s.id, districtId: d.id, centroid: g.centroid })))),
    calendar: await services.catalogue.getCalendar(),
  };
}

/** One synthetic case: its event log and its document, as the workflow would have left them. */
function synthCase(i: number, n: number, city: City, rnd: ReturnType<typeof random>) {
  const total = city.weights.reduce((a, b) => a + b, 0);
  let pick = rnd.next() * total;
  const category = city.categories.find((_c, k) => (pick -= city.weights[k]!) < 0) ?? city.categories[0]!;
  // Uneven grids (busy centre, quiet outskirts), as cities are.
  const grid = city.grids[Math.min(city.grids.length - 1, Math.floor(city.grids.length * rnd.next() ** 1.8))]!;
  const r = rnd.next();
  const source = r < 0.7 ? 'citizen' : r < 0.85 ? 'staff' : r < 0.93 ? 'open311' : 'external';
  const campaignId = source === 'citizen' && rnd.chance(0.15) ? 'camp-2025' : null;
  const dims = {
    categoryId: category.id,
    family: category.family,
    majorCode: category.majorCode,
    districtId: grid.districtId,
    streetId: grid.streetId,
    gridId: grid.id,
    departmentId: null as string | null,
    source,
    campaignId,
    deadline: null as Date | null,
  };
  const events: CaseEvent[] = [];
  let state = 'pending';
  let t = YEAR_START + (i / n) * YEAR_MS + rnd.next() * 30 * MIN;
  const doc = { departmentId: null as string | null, deadline: null as Date | null, filedAt: null as Date | null, dispatchedAt: null as Date | null, handledAt: null as Date | null, closedAt: null as Date | null, reworkCount: 0, supporterCount: 0, rejectReason: null as string | null };
  const add = (action: string, to: string | null, after: number, data: Record<string, unknown> | null = null) => {
    t += after;
    events.push({ seq: events.length + 1, action, from: events.length ? state : null, to: to ?? state, at: new Date(t), actorRole: 'system', actorId: null, publicNote: null, internalNote: null, photoIds: [], data, dims: { ...dims } });
    if (to) state = to;
  };
  const setDeadline = (from: number, limit = category.timeLimit) => {
    dims.deadline = computeDeadline(new Date(from), limit, city.calendar);
    doc.deadline = dims.deadline;
  };

  add('submit', 'pending', 0);
  const screen = rnd.between(10 * MIN, 4 * HOUR);
  const s = rnd.next();
  if (s < 0.03) add('withdraw', 'withdrawn', screen);
  else if (s < 0.08) {
    doc.rejectReason = 'invalid';
    add('reject', 'rejected', screen);
  } else if (s < 0.11) {
    doc.rejectReason = 'duplicate';
    add('merge', 'rejected', screen);
  } else {
    dims.departmentId = category.defaultDepartmentId;
    doc.departmentId = dims.departmentId;
    doc.filedAt = new Date(t + screen);
    setDeadline(t + screen);
    add('file', 'filed', screen);
    const limitMs = dims.deadline!.getTime() - t;
    if (rnd.chance(0.01)) add('void', 'rejected', rnd.between(HOUR, 24 * HOUR));
    else if (rnd.chance(0.04)) {
      add('forward', 'forwarded', rnd.between(5 * MIN, HOUR));
      add('external_update', 'closed', rnd.between(0.3, 1.5) * limitMs);
      doc.closedAt = new Date(t);
    } else {
      let cycles = rnd.chance(0.015) ? 2 : 1;
      add('dispatch', 'dispatched', rnd.between(5 * MIN, HOUR));
      doc.dispatchedAt = new Date(t);
      if (rnd.chance(0.04)) {
        dims.departmentId = null;
        add('return', 'filed', HOUR);
        dims.departmentId = category.defaultDepartmentId;
        add('dispatch', 'dispatched', rnd.between(10 * MIN, 2 * HOUR));
      }
      const leftOpen = rnd.chance(0.01);
      while (cycles > 0 && !leftOpen) {
        if (rnd.chance(0.5)) add('accept_task', 'processing', rnd.between(5 * MIN, 2 * HOUR));
        if (rnd.chance(0.1)) {
          const approve = rnd.chance(0.8);
          add('request_postpone', null, rnd.between(0.1, 0.5) * limitMs);
          if (approve) {
            setDeadline(Math.max(dims.deadline!.getTime(), t), { value: 1, unit: 'work_days' });
            add('approve_postpone', 'postponed', rnd.between(10 * MIN, 2 * HOUR));
          } else add('deny_postpone', null, rnd.between(10 * MIN, 2 * HOUR));
        }
        add('report_handled', 'handled', -Math.log(1 - rnd.next()) * 0.6 * limitMs);
        doc.handledAt = new Date(t);
        if (rnd.chance(0.05)) {
          doc.reworkCount += 1;
          add('verify_fail', 'processing', rnd.between(HOUR, 24 * HOUR));
          add('report_handled', 'handled', rnd.between(2 * HOUR, 24 * HOUR));
        }
        add(source === 'citizen' && rnd.chance(0.3) ? 'confirm_fixed' : 'verify_pass', 'closed', rnd.between(HOUR, 48 * HOUR));
        doc.closedAt = new Date(t);
        cycles -= 1;
        if (cycles > 0) {
          add('request_reopen', null, rnd.between(HOUR, 72 * HOUR));
          setDeadline(t);
          add('accept_reopen', 'dispatched', rnd.between(10 * MIN, 4 * HOUR));
        }
      }
      if (state === 'closed' && source === 'citizen' && rnd.chance(0.25)) {
        const score = rnd.chance(0.8) ? 4 + Math.floor(rnd.next() * 2) : 1 + Math.floor(rnd.next() * 3);
        add('rate', null, rnd.between(HOUR, 72 * HOUR), { score });
      }
    }
  }
  if (rnd.chance(0.1)) {
    const backers = 1 + Math.floor(rnd.next() * 3);
    for (let b = 0; b < backers; b += 1) {
      const at = events[0]!.at.getTime() + rnd.between(MIN, 12 * HOUR);
      const idx = events.findIndex((e) => e.at.getTime() > at);
      if (idx > 0) {
        const before = events[idx - 1]!;
        if (!['withdrawn', 'rejected', 'closed'].includes(before.to)) {
          events.splice(idx, 0, { ...before, action: 'support', from: before.to, to: before.to, at: new Date(at), data: { citizenId: `b${b}` } });
          doc.supporterCount += 1;
        }
      }
    }
    events.forEach((e, k) => (e.seq = k + 1));
  }
  const createdAt = events[0]!.at;
  return {
    events,
    doc: {
      _id: new Types.ObjectId(),
      caseNo: `B${String(i).padStart(8, '0')}`,
      source,
      reporterId: source === 'citizen' ? `c${i % 50_000}` : null,
      clientRequestId: null,
      idempotencyKey: `bench:${i}`,
      anonymous: false,
      campaignId,
      categoryId: category.id,
      categoryName: category.name,
      family: category.family,
      majorCode: category.majorCode,
      description: '路面井盖破损，影响通行',
      address: null,
      location: grid.centroid,
      gridId: grid.id,
      streetId: grid.streetId,
      districtId: grid.districtId,
      photoIds: [],
      afterPhotoIds: [],
      state,
      version: events.length,
      events,
      effects: [],
      supporterIds: [],
      ...doc,
      dueAt: doc.deadline ?? new Date('9999-12-31T00:00:00Z'),
      createdAt,
      updatedAt: events[events.length - 1]!.at,
    },
  };
}

// ---------------------------------------------------------------- run

async function open(uri: string, name: string, extraEnv: Record<string, string> = {}) {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: url.toString(), STATS_PUBLIC_RATE_PER_MINUTE: '100000', ...extraEnv });
  const db = await connectDatabase({ ...config, mongodbServerSelectionTimeoutMs: 30_000, mongodbSocketTimeoutMs: 600_000 });
  const services = createServices({ config, db, logger: createLogger('silent'), clock: { now: () => new Date() } });
  return { config, db, services };
}

const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const STAFF = { kind: 'staff' } as const;

async function fullRun(uri: string, n: number): Promise<void> {
  const { config, db, services } = await open(uri, `bench_stats_${n}_${Date.now().toString(36)}`);
  const city = await cityOf(services);
  const Case = getCaseModel(db);
  const rnd = random(2025);
  const lines: string[] = [];

  // Per-event cost on empty rollups (the first cases' events).
  {
    const samples: { doc: ReturnType<typeof synthCase>['doc']; event: CaseEvent }[] = [];
    for (let i = 0; samples.length < 300; i += 1) {
      const c = synthCase(i, 300, city, random(i + 7));
      for (const event of c.events) samples.push({ doc: c.doc, event });
    }
    let k = 0;
    await measure('per case event · onCaseEvent · empty rollups', 300, async () => {
      const s = samples[k++]!;
      await services.stats.onCaseEvent(s.doc as never, s.event, { id: `warm:${k}`, type: 'stats', data: { seq: s.event.seq } });
    });
    for (const tier of TIERS) await getRollupModel(db, tier).deleteMany({});
  }

  // Case documents.
  let t = performance.now();
  let batch: unknown[] = [];
  let events = 0;
  const sample: { doc: ReturnType<typeof synthCase>['doc']; event: CaseEvent }[] = [];
  for (let i = 0; i < n; i += 1) {
    const c = synthCase(i, n, city, rnd);
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
  await measure(`rollups · service · time series (365 days)`, Math.min(CALLS, 10), () => services.stats.timeseries({ ...YEAR, granularity: 'day' }, STAFF));
  await measure(`rollups · service · summary, one district (year)`, Math.min(CALLS, 3), () => services.stats.summary({ ...YEAR, districtId: city.grids[0]!.districtId }, STAFF));
  await measure(`rollups · service · public summary, cold (12 months published)`, 1, () => services.stats.summary(YEAR, { kind: 'public' }));
  await measure(`rollups · service · public summary, cached`, CALLS, () => services.stats.summary(YEAR, { kind: 'public' }));

  // Over HTTP.
  const app = buildApp({ config, db, logger: createLogger('silent'), version: 'bench', services });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { authorization: `Bearer ${signAccessToken(config.jwtSecret, { kind: 'staff', userId: 'bench', role: 'admin' })}` };
  const get = async (p: string) => {
    const res = await fetch(`${base}${p}`, { headers: auth });
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  await measure(`rollups · HTTP · GET /stats/staff/summary`, CALLS, () => get('/stats/staff/summary?from=2025-01&to=2025-12'));
  await measure(`rollups · HTTP · GET /stats/staff/timeseries`, CALLS, () => get('/stats/staff/timeseries?from=2025-01&to=2025-12&granularity=month'));
  await measure(`rollups · HTTP · GET /stats/staff/departments`, CALLS, () => get('/stats/staff/departments?from=2025-01&to=2025-12'));
  await measure(`rollups · HTTP · GET /stats/public/summary (cached)`, CALLS, () => get('/stats/public/summary?from=2025-01&to=2025-12'));
  server.closeAllConnections();
  server.close();

  // Per-event cost at full size, next to the case's own update. The sampled cases are
  // moved to now: events before the rebuild's cutoff belong to the rebuild, not the subscriber.
  for (const s of sample) {
    const shift = Date.now() - s.event.at.getTime();
    s.doc = { ...s.doc, events: s.doc.events.map((e) => ({ ...e, at: new Date(e.at.getTime() + shift), dims: { ...e.dims, deadline: e.dims.deadline && new Date(e.dims.deadline.getTime() + shift) } })) };
    s.event = s.doc.events[s.doc.events.length - 1]!;
  }
  let k = 0;
  await measure(`per case event · onCaseEvent · ${n} cases of rollups`, sample.length, async () => {
    const s = sample[k++]!;
    await services.stats.onCaseEvent(s.doc as never, s.event, { id: `bench:${k}`, type: 'stats', data: { seq: s.event.seq } });
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
  // On FerretDB every $match scans the collection: above 20k cases one month stands for the twelve.
  const months = n <= 20_000 ? 12 : 1;
  await measure(`plain aggregation · time series (${months} × $match month, $group state)`, Math.min(PLAIN_CALLS, 1), async () => {
    for (let m = 1; m <= months; m += 1) {
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
async function rollupsOnly(uri: string, n: number): Promise<void> {
  const { db, services } = await open(uri, `bench_stats_${n}_${Date.now().toString(36)}`);
  const city = await cityOf(services);
  const tiers = TIERS.filter((t) => t.dims.length === 0 || (t.dims.length === 1 && t.dims[0] === 'departmentId'));
  const batch = new RollupBatch(tiers);
  const rnd = random(2025);
  let t = performance.now();
  let events = 0;
  for (let i = 0; i < n; i += 1) {
    let fold = emptyFold();
    for (const event of synthCase(i, n, city, rnd).events) {
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
  await measure(`[${n}] rollups · service · time series (12 months)`, CALLS, () => services.stats.timeseries({ ...YEAR, granularity: 'month' }, STAFF));
  await measure(`[${n}] rollups · service · department ranking (year)`, CALLS, () => services.stats.departments(YEAR, STAFF));
  const s = await services.stats.summary(YEAR, STAFF);
  lines.push(`2025 figures: reported ${s.counts.reported}, closed ${s.counts.closed}/${s.counts.due} due (结案率 ${s.rates.closureRate.percent}%), 按期 ${s.rates.onTimeRate.percent}%`);
  process.stdout.write(`\n## ${n} cases (rollup side only)\n${lines.join('\n')}\n`);
  await db.dropDatabase();
  await db.close();
}

async function main(): Promise<void> {
  let uri = process.env.TEST_MONGODB_URI;
  let stop = async () => {};
  let kind = 'MongoDB-protocol server at TEST_MONGODB_URI';
  if (!uri) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-stats-'));
    const local = await startLocalDatabase({ dataDir, log: (m) => process.stderr.write(`[db] ${m}\n`) });
    uri = local.uri;
    kind = local.kind === 'ferretdb' ? `FerretDB ${FERRETDB_VERSION} (SQLite backend), started by the bench` : 'local mongod';
    stop = async () => {
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  process.stdout.write(
    `# stats bench — ${new Date().toISOString()}\n# ${kind}; Node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
  );
  try {
    await fullRun(uri, CASES);
    if (ALSO) await rollupsOnly(uri, ALSO);
  } finally {
    await stop();
  }
  const width = Math.max(...rows.map((r) => r[0]!.length));
  process.stdout.write(`\n${'measurement'.padEnd(width)}  ${'n'.padStart(4)}  ${'median'.padStart(9)}  ${'p95'.padStart(9)}\n`);
  for (const r of rows) process.stdout.write(`${r[0]!.padEnd(width)}  ${r[1]!.padStart(4)}  ${r[2]!.padStart(9)}  ${r[3]!.padStart(9)}\n`);
  process.stdout.write(`\n(satisfied = score ≥ ${SATISFIED_MIN_SCORE}; the plain aggregations compute fewer figures than the rollups: counts by state only)\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
