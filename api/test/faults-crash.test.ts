/**
 * Issue 9 "Faults": the API process killed with SIGKILL in the middle of report
 * submissions.
 *
 * The real API (api/src/main.ts, with its workers) runs as a child process on a
 * database of its own on the test server. Citizens submit concurrently, retrying
 * like the mini-program does (same body, same clientRequestId) whenever they get no
 * answer. The process is killed mid-stream and started again on the same port.
 * Every intent must end up as exactly one report, and a retry of an intent the dead
 * process had already stored must get that report back (200), not a second one.
 */
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Connection } from 'mongoose';
import { freePort } from '../../scripts/db';
import { openTestDatabase, type TestApi } from './helpers/harness';
import { loginCitizen, uploadPhotos } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { is2xx, newIntent, sleep, submitIntent, waitFor, type Attempt, type Intent } from './helpers/faults';
import { getCaseModel, type CaseDoc } from '../src/cases/models';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { systemClock } from '../src/context';
import { createServices } from '../src/services';

jest.setTimeout(90_000);

const API_DIR = path.resolve(__dirname, '..');
const CITIZENS = 6;
const INTENTS_PER_CITIZEN = 8;

let database: { db: Connection; uri: string; drop(): Promise<void> };
let mediaDir: string;
let port: number;
let url: string;
let child: ChildProcess | null = null;
let childOutput = '';

/** The API as production runs it (`main.ts`: workers included), TypeScript loaded by tsx. */
async function startApiProcess(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // From api/, tsx reads api/tsconfig.json, whose paths map @ssp/shared to its source.
    cwd: API_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: database.uri,
      MEDIA_DIR: mediaDir,
      DEV_LOGIN_ENABLED: 'true',
      REPORTS_PER_DAY: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    childOutput = (childOutput + chunk.toString()).slice(-20_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  await waitFor(
    'the API process to answer /readyz',
    async () => {
      if (proc.exitCode !== null) throw new Error(`API process exited with ${proc.exitCode}:\n${childOutput}`);
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    30_000,
    100,
  ).catch((err: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}\n${childOutput}`);
  });
  return proc;
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

beforeAll(async () => {
  database = await openTestDatabase();
  mediaDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-crash-media-'));
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (child) await killed(child);
  await database?.drop();
  if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
});

it('keeps exactly one report per intent when the API is SIGKILLed mid-stream and clients retry', async () => {
  // The demo city, loaded in-process into the database the child will use.
  const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: database.uri, MEDIA_DIR: mediaDir, LOG_LEVEL: 'silent' });
  const services = createServices({ config, db: database.db, logger: createLogger('silent'), clock: systemClock });
  const city = await demoCity({ services } as unknown as TestApi);

  child = await startApiProcess();
  const remote = { url } as unknown as TestApi;
  const intents: Intent[][] = [];
  for (let i = 0; i < CITIZENS; i += 1) {
    const who = await loginCitizen(remote, `fault-crash-${i}`);
    const photoIds = await uploadPhotos(remote, who, 2);
    intents.push(
      Array.from({ length: INTENTS_PER_CITIZEN }, (_, n) =>
        newIntent(who, { categoryId: city.publicCategory.id, location: city.point, photoIds: [photoIds[n % 2]!] }, `${i}-${n}`),
      ),
    );
  }

  // Each citizen goes through their intents one by one; no answer (or a 503) means: wait, retry the same intent.
  const attempts: Attempt[] = [];
  const streams = intents.map(async (mine) => {
    for (const intent of mine) {
      for (;;) {
        const attempt = await submitIntent(url, intent);
        attempts.push(attempt);
        if (is2xx(attempt)) break;
        if (attempt.status !== 'network' && attempt.status !== 503) throw new Error(`unexpected answer ${attempt.status} ${attempt.code}`);
        await sleep(150);
      }
    }
  });

  const Case = getCaseModel(database.db);
  const keyOf = (intent: Intent) => `citizen:${intent.citizenId}:${intent.body.clientRequestId}`;
  const total = CITIZENS * INTENTS_PER_CITIZEN;
  await waitFor('a quarter of the intents acknowledged', () => attempts.filter(is2xx).length >= total / 4, 30_000, 10);
  // Kill at the worst moment: a report is in the database but its answer is still on the way.
  await waitFor(
    'a report stored whose answer has not arrived',
    async () => {
      const acknowledged = new Set(attempts.filter(is2xx).map((a) => keyOf(a.intent)));
      const stored = await Case.find({}, { idempotencyKey: 1 }).lean<CaseDoc[]>();
      return stored.some((c) => !acknowledged.has(c.idempotencyKey));
    },
    10_000,
    0,
  );
  const killedAt = Date.now();
  await killed(child);
  child = null;
  const leftWithEffects = await Case.countDocuments({ 'effects.0': { $exists: true } });
  const restartAt = Date.now();
  child = await startApiProcess();
  const restartedMs = Date.now() - restartAt;
  await Promise.all(streams);

  // Every intent answered in the end, and stored exactly once.
  const all = intents.flat();
  const cases = await Case.find({}, { idempotencyKey: 1, caseNo: 1, createdAt: 1 }).lean<CaseDoc[]>();
  expect(cases).toHaveLength(total);
  const byKey = new Map(cases.map((c) => [c.idempotencyKey, c]));
  expect(new Set(all.map(keyOf))).toEqual(new Set(byKey.keys()));
  expect(new Set(cases.map((c) => c.caseNo)).size).toBe(total);

  let storedByTheDeadProcess = 0;
  for (const intent of all) {
    const mine = attempts.filter((a) => a.intent === intent);
    const stored = byKey.get(keyOf(intent))!;
    const answered = mine.filter(is2xx);
    expect(answered.length).toBe(1);
    expect(answered[0]!.reportId).toBe(String(stored._id));
    // The dead process stored it but its answer never came: the retry must find it, not create it.
    const lostAnswer = mine.some((a) => a.status === 'network' && a.startedAt < killedAt);
    if (lostAnswer && stored.createdAt.getTime() < killedAt) {
      storedByTheDeadProcess += 1;
      expect(answered[0]!.status).toBe(200);
    }
  }

  expect(storedByTheDeadProcess).toBeGreaterThanOrEqual(1);

  // A client unsure of every earlier answer retries everything: the same reports come back, nothing new.
  for (const intent of all) {
    const again = await submitIntent(url, intent);
    expect(again.status).toBe(200);
    expect(again.reportId).toBe(String(byKey.get(keyOf(intent))!._id));
  }
  expect(await Case.countDocuments()).toBe(total);

  // Effects the dead process left on its cases are finished by the new process's workers.
  const effectsMs = await waitFor(
    'effects left by the killed process drained',
    async () => (await Case.countDocuments({ 'effects.0': { $exists: true } })) === 0,
    20_000,
    200,
  );

  const networkFailures = attempts.filter((a) => a.status === 'network');
  const inFlight = networkFailures.filter((a) => a.startedAt < killedAt).length;

  console.log(
    `[faults-crash] ${total} intents, ${attempts.length} attempts; ${inFlight} requests in flight at SIGKILL ` +
      `(${storedByTheDeadProcess} of them stored before the kill, answered 200 on retry); ` +
      `${networkFailures.length - inFlight} refused while down; restart to ready ${restartedMs} ms; ` +
      `${leftWithEffects} cases left with unfinished effects, drained ${effectsMs} ms after checking`,
  );
});
