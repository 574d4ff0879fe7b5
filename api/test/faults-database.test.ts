/**
 * Issue 9 "Faults": the database restarted under a load of report submissions.
 *
 * The test runs a database server of its own (scripts/db picks a mongod or the
 * stand-in, with a fixed port and data folder, so it comes back as the same server
 * with the same data) and the real app with its background
 * workers on it. Several citizens keep submitting while the database is stopped and
 * started again; the API must answer 503 quickly meanwhile, serve again without a
 * restart, and every report it acknowledged must be in the database, once.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort, provideDatabase, type LocalDatabase } from '../../scripts/db';
import { startTestApi, type TestApi } from './helpers/harness';
import { loginCitizen, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { is2xx, newIntent, sleep, submitIntent, waitFor, type Attempt, type Intent } from './helpers/faults';
import { getCaseModel, type CaseDoc } from '../src/cases/models';
import { startWorkers } from '../src/workers';

jest.setTimeout(90_000);

/** Each answer while the database is down must come within this (mongoose would otherwise buffer for 10 s). */
const FAST_FAIL_MS = 2000;
const OUTAGE_MS = 5000;

let dataDir: string;
let dbPort: number;
let database: LocalDatabase;
let api: TestApi;
let workers: { stop(): Promise<void> };
let city: Awaited<ReturnType<typeof demoCity>>;
const citizens: { who: TestCitizen; photoIds: string[] }[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const sdam: string[] = [];

// Kept on disk between the stop and the start; never the shared test server (env without its URI).
const startDatabase = () => provideDatabase({ purpose: 'start', dataDir, port: dbPort, env: {} });
const keyOf = (intent: Intent) => `citizen:${intent.citizenId}:${intent.body.clientRequestId}`;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-faultdb-'));
  dbPort = await freePort();
  database = await startDatabase();
  api = await startTestApi({
    mongodbUri: database.uriFor('ssp_faults'),
    env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '1000', MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000' },
  });
  city = await demoCity(api);
  for (const name of ['wang', 'li', 'zhang', 'zhao']) {
    const who = await loginCitizen(api, `fault-db-${name}`);
    citizens.push({ who, photoIds: await uploadPhotos(api, who, 2) });
  }
  // The production loops, faster, so they run many passes against the missing database.
  workers = startWorkers(api.services, 200);
  // What the driver saw of the server, for the message of a failure.
  const client = api.db.getClient();
  client.on('serverHeartbeatStarted', () => sdam.push(`${Date.now()} heartbeat started`));
  client.on('serverHeartbeatSucceeded', () => sdam.push(`${Date.now()} heartbeat succeeded`));
  client.on('serverHeartbeatFailed', (e) => sdam.push(`${Date.now()} heartbeat failed: ${e.failure.message}`));
  client.on('serverDescriptionChanged', (e) => sdam.push(`${Date.now()} server ${e.newDescription.type} ${e.newDescription.error?.message ?? ''}`));
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await workers?.stop();
  await api?.close();
  await database?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 fast while the database is down, recovers without a restart, and loses no acknowledged report', async () => {
  const attempts: Attempt[] = [];
  const readiness: { startedAt: number; status: number }[] = [];
  let streaming = true;

  const streams = citizens.map(async ({ who, photoIds }, i) => {
    for (let n = 0; streaming; n += 1) {
      const intent = newIntent(
        who,
        { categoryId: city.publicCategory.id, location: city.point, photoIds: [photoIds[n % photoIds.length]!] },
        `${i}-${n}`,
      );
      attempts.push(await submitIntent(api.url, intent));
      await sleep(100);
    }
  });
  const probe = (async () => {
    while (streaming) {
      const startedAt = Date.now();
      const res = await fetch(`${api.url}/readyz`);
      await res.arrayBuffer();
      readiness.push({ startedAt, status: res.status });
      await sleep(200);
    }
  })();

  let down: number, restarting: number, up: number, recoveryMs: number, recovered: number;
  try {
    await sleep(1500);
    await database.stop();
    down = Date.now();
    await sleep(OUTAGE_MS);
    restarting = Date.now();
    database = await startDatabase();
    up = Date.now();
    // Generous for a loaded CI machine (browser tests beside it); a driver that never rediscovers the
    // server (the race api/src/core/mongodb-write-guard.ts closes) still fails here.
    recoveryMs = await waitFor('a report accepted after the restart', () => attempts.some((a) => a.startedAt >= up && is2xx(a)), 90_000, 50).catch(
      (err: unknown) => {
        // What the API answered after the restart, and what it logged, to tell a hang from a refusal.
        const since = attempts.filter((a) => a.startedAt + a.ms >= up);
        console.log(
          `[faults-database] no recovery; answers since the restart:\n` +
            since.map((a) => `  +${a.startedAt - up} ms ${a.status} ${a.code ?? ''} in ${a.ms} ms`).join('\n') +
            `\nreadiness since: ${readiness
              .filter((r) => r.startedAt >= up)
              .map((r) => r.status)
              .join(' ')}` +
            `\ndriver's view of the server (up at ${up}):\n${sdam.slice(-40).join('\n')}` +
            `\nlog tail:\n${api.logs.lines.slice(-40).join('\n')}`,
        );
        throw err;
      },
    );
    recovered = Date.now();
    await sleep(1500);
  } finally {
    streaming = false;
    await Promise.all([...streams, probe]);
  }

  // Only two answers ever: stored (201) or "try again later" (503); never a 500 or a hang.
  const statuses = new Set(attempts.map((a) => a.status));
  if (statuses.size !== 2) console.log(`[faults-database] errors logged:\n${api.logs.lines.filter((l) => /"level":50/.test(l)).join('\n')}`);
  expect([...statuses].sort()).toEqual([201, 503]);
  for (const a of attempts.filter((x) => x.status === 503)) {
    expect(a.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }

  const whileDown = attempts.filter((a) => a.startedAt >= down && a.startedAt + a.ms <= restarting);
  expect(whileDown.length).toBeGreaterThanOrEqual(citizens.length);
  expect(whileDown.every((a) => a.status === 503)).toBe(true);
  const slowest = Math.max(...whileDown.map((a) => a.ms));
  expect(slowest).toBeLessThan(FAST_FAIL_MS);

  const readyWhileDown = readiness.filter((r) => r.startedAt >= down && r.startedAt + 1000 < restarting);
  expect(readyWhileDown.length).toBeGreaterThan(0);
  expect(readyWhileDown.every((r) => r.status === 503)).toBe(true);
  expect(readiness.filter((r) => r.startedAt >= recovered).every((r) => r.status === 200)).toBe(true);

  // Back without a restart of the API: everything after the first success succeeds.
  const after = attempts.filter((a) => a.startedAt >= recovered);
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((a) => a.status === 201)).toBe(true);
  expect(api.db.readyState).toBe(1);

  // Nothing acknowledged is lost, nothing is stored twice.
  const Case = getCaseModel(api.db);
  const acknowledged = attempts.filter(is2xx);
  const stored = await Case.find({ idempotencyKey: { $in: attempts.map((a) => keyOf(a.intent)) } }, { idempotencyKey: 1 }).lean<CaseDoc[]>();
  const storedByKey = new Map(stored.map((c) => [c.idempotencyKey, String(c._id)]));
  expect(storedByKey.size).toBe(stored.length);
  for (const a of acknowledged) expect(storedByKey.get(keyOf(a.intent))).toBe(a.reportId);

  // The client retries what failed, with the same request id: one report per intent in the end.
  const failed = attempts.filter((a) => !is2xx(a));
  const storedThoughFailed = failed.filter((a) => storedByKey.has(keyOf(a.intent))).length;
  const retries = [];
  for (const a of failed) retries.push(await submitIntent(api.url, a.intent));
  for (const r of retries) expect(r.status).toBe(storedByKey.has(keyOf(r.intent)) ? 200 : 201);
  const finalCount = await Case.countDocuments({ idempotencyKey: { $in: attempts.map((a) => keyOf(a.intent)) } });
  expect(finalCount).toBe(attempts.length);

  // The background loops lived through it and still work: effects that failed meanwhile get done.
  const drainedMs = await waitFor(
    'case effects drained by the workers',
    async () => (await Case.countDocuments({ 'effects.0': { $exists: true } })) === 0,
    15_000,
  );
  const probeCase = acknowledged[acknowledged.length - 1]!.reportId!;
  await Case.updateOne({ _id: probeCase }, { $push: { effects: `${probeCase}:1:notify` } });
  await waitFor('a new pending effect drained', async () => (await Case.findById(probeCase).lean<CaseDoc>())!.effects.length === 0, 5000);
  expect(unhandled).toEqual([]);
  expect(api.logs.text).not.toContain('unhandled error');

  const loopFailures = api.logs.lines.filter((l) => l.includes('background loop failed')).length;

  console.log(
    `[faults-database] ${attempts.length} submissions (${acknowledged.length} acknowledged, ${whileDown.length} while down, ` +
      `slowest 503 while down ${slowest} ms); API served again ${recoveryMs} ms after the database port opened ` +
      `(restart took ${up - restarting} ms); ${storedThoughFailed} intents were stored though their answer was 503; ` +
      `${loopFailures} failed worker passes; effects drained ${drainedMs} ms after checking`,
  );
}, 120_000);
