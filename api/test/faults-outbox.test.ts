/**
 * Issue 9 "Faults": the external official platform and WeChat down for a while.
 *
 * The real workers (api/src/workers.ts) run both outboxes on a fast timer while a
 * TestClock moves through a three-minute outage of both fakes (jumping from one
 * retry time to the next once the workers are done with the due ones): messages must stay
 * queued and be retried, never given up on; once the fakes are back both outboxes
 * drain and each message reaches its receiver exactly once.
 */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { loginWithWeChatCode, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { waitFor } from './helpers/faults';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { startFakePlatform, type FakePlatform } from './fakes/external-platform';
import { getCaseModel, type CaseDoc } from '../src/cases/models';
import { startWorkers } from '../src/workers';

jest.setTimeout(90_000);

const HOTLINE_SECRET = 'faults-hotline-secret-0123456789';
process.env.SSP_TEST_FAULTS_HOTLINE = HOTLINE_SECRET;
const OUTAGE_MS = 3 * 60_000;

const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let wechat: FakeWeChat;
let hotline: FakePlatform;
let cityDir: string;
let api: TestApi;
let workers: { stop(): Promise<void> } | undefined;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  wechat = await startFakeWeChat();
  hotline = await startFakePlatform({ secret: HOTLINE_SECRET });
  cityDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-faults-city-'));
  cpSync(path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo'), cityDir, { recursive: true });
  writeFileSync(
    path.join(cityDir, 'forwarding.json'),
    JSON.stringify({
      targets: [{ id: 'hotline12345', name: '12345政务服务便民热线', url: hotline.url, secretEnv: 'SSP_TEST_FAULTS_HOTLINE', timeoutMs: 1000 }],
      rules: [{ targetId: 'hotline12345', categoryIds: ['E0301'] }],
    }),
  );
  api = await startTestApi({
    clock,
    env: { ...wechat.env, WECHAT_TEMPLATE_CASE_STATUS: 'tmpl-case-status', CITY_DATA_DIR: cityDir, REPORTS_PER_DAY: '100' },
  });
  city = await demoCity(api);
});

afterAll(async () => {
  await workers?.stop();
  await api?.close();
  await wechat?.close();
  await hotline?.close();
  if (cityDir) rmSync(cityDir, { recursive: true, force: true });
});

function wechatCitizen(user: string): Promise<TestCitizen> {
  return loginWithWeChatCode(api, wechat.newCode(user));
}

const outboxes = () => [api.services.notifications.outbox, api.services.forwarding.outbox];

/** Waits until the workers have handled every message due at the current clock time. */
async function settle(): Promise<void> {
  await waitFor(
    'the workers to handle every due message',
    async () => {
      const due = { status: 'pending' as const, nextAttemptAt: { $lte: clock.now() } };
      for (const outbox of outboxes()) if ((await outbox.model.countDocuments(due)) > 0) return false;
      return true;
    },
    20_000,
    20,
  );
}

/**
 * Lets up to `maxMs` of clock time pass while the workers run: the clock jumps from
 * one retry time to the next (nothing happens in between) until `done`.
 */
async function runClock(maxMs: number, done: () => Promise<boolean> = async () => false): Promise<number> {
  const startedAt = clock.now().getTime();
  for (;;) {
    await settle();
    if (await done()) break;
    const next = Math.min(
      ...(await Promise.all(outboxes().map((o) => o.model.findOne({ status: 'pending' }).sort({ nextAttemptAt: 1 }).lean()))).map(
        (m) => m?.nextAttemptAt.getTime() ?? Infinity,
      ),
    );
    if (next > startedAt + maxMs) {
      clock.set(new Date(startedAt + maxMs));
      break;
    }
    clock.set(new Date(Math.max(next, clock.now().getTime())));
  }
  return clock.now().getTime() - startedAt;
}

it('keeps every message through an outage of WeChat and the external platform, then delivers each once', async () => {
  const notifications = api.services.notifications.outbox;
  const forwarding = api.services.forwarding.outbox;
  const citizens = [await wechatCitizen('fault-ob-1'), await wechatCitizen('fault-ob-2'), await wechatCitizen('fault-ob-3')];
  const photos = await Promise.all(citizens.map((c) => uploadPhotos(api, c, 1)));
  // Each citizen accepted the subscribe popup at both reports: one send per filing.
  for (const [i, who] of citizens.entries()) {
    wechat.acceptSubscription(wechat.openidOf(`fault-ob-${i + 1}`), ['tmpl-case-status', 'tmpl-case-status']);
    for (let n = 0; n < 2; n += 1) await api.services.notifications.quotas.record(who.id, { results: { 'tmpl-case-status': 'accept' } });
  }

  workers = startWorkers(api.services, 25);
  await hotline.down();
  wechat.setDown(true);

  // While both are down: citizens report, the centre files the cases (an 已立案 message each;
  // 已收到 never goes to WeChat), which are forwarded to the 12345 hotline by rule (one delivery each).
  const caseIds: string[] = [];
  for (const [i, who] of citizens.entries()) {
    for (let n = 0; n < 2; n += 1) {
      const res = await postJson(
        api,
        '/reports',
        {
          categoryId: 'E0301',
          description: '工地夜间施工，噪声很大',
          location: city.point,
          photoIds: photos[i],
          clientRequestId: randomUUID(),
        },
        who.auth,
      );
      await api.services.relay.settled(); // the new report's effects run after the answer
      expect(res.status).toBe(201);
      caseIds.push(res.body.id as string);
      await api.services.workflow.transition(res.body.id, { action: 'file', actor: { role: 'operator', id: null } });
    }
  }
  const forwarded = await getCaseModel(api.db)
    .find({ _id: { $in: caseIds } })
    .lean<CaseDoc[]>();
  expect(forwarded.map((c) => c.state)).toEqual(caseIds.map(() => 'forwarded'));

  await runClock(OUTAGE_MS);
  const notificationKeys = (await notifications.model.find({}, { _id: 1 }).lean()).map((m) => m._id);
  const forwardKeys = caseIds.map((id) => `forward:${id}:hotline12345`);
  expect(notificationKeys.length).toBe(caseIds.length);
  // Retried all along, and still waiting: nothing was given up on or dropped during the outage.
  const duringOutage = [...(await notifications.model.find().lean()), ...(await forwarding.model.find().lean())];
  expect(duringOutage).toHaveLength(notificationKeys.length + forwardKeys.length);
  for (const m of duringOutage) {
    expect(m.status).toBe('pending');
    expect(m.attempts).toBeGreaterThanOrEqual(5);
    expect(m.lastError).toBeTruthy();
  }
  expect(wechat.messages).toHaveLength(0);
  expect(hotline.deliveries).toHaveLength(0);
  const attemptsDuringOutage = Math.max(...duringOutage.map((m) => m.attempts));

  // Back up: both outboxes drain by themselves.
  await hotline.up();
  wechat.setDown(false);
  const recoveredAt = Date.now();
  const drained = async () =>
    (await notifications.model.countDocuments({ status: { $ne: 'sent' } })) + (await forwarding.model.countDocuments({ status: { $ne: 'sent' } })) ===
    0;
  const drainClockMs = await runClock(30 * 60_000, drained);
  expect(await drained()).toBe(true);
  const drainRealMs = Date.now() - recoveredAt;

  // Each forwarded case reached the platform in exactly one request, with its id recorded on the case.
  expect(hotline.deliveries.map((d) => d.idempotencyKey).sort()).toEqual([...forwardKeys].sort());
  for (const [i, key] of forwardKeys.entries()) {
    expect(hotline.accepted.get(key)).toMatchObject({ deliveries: 1 });
    const doc = (await getCaseModel(api.db).findById(caseIds[i]).lean<CaseDoc>())!;
    expect(doc.forwarding?.externalId).toBe(hotline.accepted.get(key)!.externalId);
  }

  // Each queued notification reached WeChat exactly once.
  const openidOf = new Map(citizens.map((c, i) => [c.id, wechat.openidOf(`fault-ob-${i + 1}`)]));
  const fingerprint = (m: { touser: string; page?: string; data: unknown }) => `${m.touser}|${m.page}|${JSON.stringify(m.data)}`;
  const queued = (await notifications.model.find().lean()).map((m) => {
    const p = m.payload as { citizenId: string; page: string; data: unknown };
    return fingerprint({ touser: openidOf.get(p.citizenId)!, page: p.page, data: p.data });
  });
  expect(new Set(queued).size).toBe(queued.length);
  expect(wechat.messages.map(fingerprint).sort()).toEqual([...queued].sort());

  console.log(
    `[faults-outbox] ${notificationKeys.length} notifications + ${forwardKeys.length} forwards queued during a ${OUTAGE_MS / 60_000}-minute outage; ` +
      `up to ${attemptsDuringOutage} attempts each meanwhile, none given up; drained ${drainClockMs / 1000} s of clock ` +
      `(${drainRealMs} ms real) after recovery; retry budget before giving up: notifications ` +
      `${budgetSeconds(notifications)} s, forwarding ${budgetSeconds(forwarding)} s`,
  );
});

/** Clock time from the first attempt to the last one an outbox makes before marking a message failed. */
function budgetSeconds(outbox: { backoffMs(attempts: number): number }): number {
  const maxAttempts = (outbox as unknown as { maxAttempts: number }).maxAttempts;
  let total = 0;
  for (let a = 1; a < maxAttempts; a += 1) total += outbox.backoffMs(a);
  return Math.round(total / 1000);
}
