import os from 'node:os';
import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Types } from 'mongoose';
import { forwardedCaseSchema, forwardingAdminViewSchema, forwardingConfigSchema, reportDetailSchema, type ErrorCode } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, patchJson, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { staffLogin, type TestStaff } from './helpers/staff';
import { demoCity } from './helpers/city';
import { sendCallback, startFakePlatform, type FakePlatform } from './fakes/external-platform';
import { effectId, getCaseModel, parseEffect, type CaseDoc } from '../src/cases/models';
import { loadCityProfile } from '../src/city-profile';
import { toCaseView, toEventMessage } from '../src/cases/events';

// testTimeout in api/jest.config.js does not apply when jest runs from the root (projects).
jest.setTimeout(30_000);

const DEMO_CITY_DIR = path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo');
const HOTLINE_SECRET = 'hotline-secret-0123456789abcdef';
const SZCG_SECRET = 'szcg-secret-fedcba9876543210';
process.env.SSP_TEST_FORWARD_HOTLINE = HOTLINE_SECRET;
process.env.SSP_TEST_FORWARD_SZCG = SZCG_SECRET;
const PUBLIC_BASE = 'https://ssp.example.gov.cn';

const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let api: TestApi;
let hotline: FakePlatform;
let szcg: FakePlatform;
let cityDir: string;
let alice: TestCitizen;
let admin: TestStaff;
let operator: TestStaff;
type Place = { point: { lat: number; lng: number }; area: { districtId: string; streetId: string; gridId: string } };
/** A point inside a grid of each demo district. */
const places: Record<'QH01' | 'QH02', Place> = {} as never;

/** The demo city's files plus a forwarding.json pointing at the fake platforms. */
function writeCityDir(forwarding: unknown | null): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-city-'));
  if (existsSync(DEMO_CITY_DIR)) cpSync(DEMO_CITY_DIR, dir, { recursive: true, filter: (src) => path.basename(src) !== 'forwarding.json' });
  if (forwarding) writeFileSync(path.join(dir, 'forwarding.json'), JSON.stringify(forwarding, null, 2));
  return dir;
}

beforeAll(async () => {
  hotline = await startFakePlatform({ secret: HOTLINE_SECRET });
  szcg = await startFakePlatform({ secret: SZCG_SECRET, path: '/szcg/receive' });
  cityDir = writeCityDir({
    targets: [
      { id: 'hotline12345', name: '12345政务服务便民热线', url: hotline.url, secretEnv: 'SSP_TEST_FORWARD_HOTLINE', timeoutMs: 1000 },
      { id: 'szcg', name: '市数字城管平台', url: szcg.url, secretEnv: 'SSP_TEST_FORWARD_SZCG', timeoutMs: 1000 },
    ],
    rules: [
      { targetId: 'hotline12345', categoryIds: ['E0301'] },
      { targetId: 'szcg', categoryIds: ['E0102'], districtIds: ['QH02'] },
    ],
  });
  api = await startTestApi({
    clock,
    env: { DEV_LOGIN_ENABLED: 'true', CITY_DATA_DIR: cityDir, PUBLIC_BASE_URL: PUBLIC_BASE, REPORTS_PER_DAY: '500' },
  });
  await demoCity(api);
  for (const district of (await api.services.catalogue.areaTree()).districts) {
    if (district.id !== 'QH01' && district.id !== 'QH02') continue;
    const grid = district.streets[0]!.grids[0]!;
    const located = (await api.services.catalogue.locate(grid.centroid.lat, grid.centroid.lng))!;
    places[district.id] = {
      point: grid.centroid,
      area: { districtId: located.district.id, streetId: located.street.id, gridId: located.grid.id },
    };
  }
  alice = await loginCitizen(api, 'alice', '爱丽丝');
  admin = await staffLogin(api, 'admin');
  operator = await staffLogin(api, 'operator');
});

afterAll(async () => {
  await api.close();
  await hotline.close();
  await szcg.close();
  rmSync(cityDir, { recursive: true, force: true });
});

/** A citizen's report (POST /reports), filed by an operator at the desk (which runs the forwarding subscriber). */
async function filedCase(
  opts: { categoryId?: string; district?: 'QH01' | 'QH02'; reporter?: TestCitizen; shareContact?: boolean; photoIds?: string[] } = {},
): Promise<CaseDoc> {
  const reporter = opts.reporter ?? alice;
  const report = await postJson(
    api,
    '/reports',
    {
      categoryId: opts.categoryId ?? 'E0301',
      description: '工地夜间施工，噪声很大',
      address: '青禾路 8 号工地',
      location: places[opts.district ?? 'QH01'].point,
      photoIds: opts.photoIds ?? (await uploadPhotos(api, reporter, 1)),
      clientRequestId: randomUUID(),
    },
    reporter.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  if (report.status !== 201) throw new Error(`report failed: ${report.status} ${JSON.stringify(report.body)}`);
  // Consent to share the contact has no API yet: set on the case as the report form will.
  if (opts.shareContact) await getCaseModel(api.db).updateOne({ _id: report.body.id }, { $set: { shareContact: true } });
  const filed = await postJson(api, `/staff/cases/${report.body.id}/actions`, { action: 'file', version: 1 }, operator.auth);
  if (filed.status !== 200) throw new Error(`filing failed: ${filed.status} ${JSON.stringify(filed.body)}`);
  // The filing's effects (forwarding among them) ran before the answer.
  return caseById(report.body.id);
}

const outbox = () => api.services.forwarding.outbox;
const keyOf = (doc: CaseDoc, targetId = 'hotline12345') => `forward:${String(doc._id)}:${targetId}`;
const caseById = async (id: unknown) => (await getCaseModel(api.db).findById(id).lean<CaseDoc>())!;
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

/** Moves the clock to the next pending retry of these messages and runs the outbox once. */
async function nextRound(keys: string[]): Promise<void> {
  const next = await outbox()
    .model.findOne({ _id: { $in: keys }, status: 'pending' })
    .sort({ nextAttemptAt: 1 })
    .lean();
  if (next && next.nextAttemptAt > clock.now()) clock.set(next.nextAttemptAt);
  await outbox().processDue();
}

async function messages(keys: string[]) {
  return outbox()
    .model.find({ _id: { $in: keys } })
    .lean();
}

describe('configuration as city data', () => {
  it('ships a valid demo forwarding.json whose 12345 target is a documented placeholder', () => {
    const demo = loadCityProfile(DEMO_CITY_DIR).forwarding;
    expect(demo).not.toBeNull();
    expect(forwardingConfigSchema.safeParse(demo).success).toBe(true);
    expect(demo!.targets[0]).toMatchObject({ id: 'hotline12345', name: '12345政务服务便民热线', url: 'http://127.0.0.1:9/unset' });
    expect(demo!.rules[0]).toEqual({ targetId: 'hotline12345', categoryIds: ['E0301'] });
  });

  it('refuses a bad forwarding.json naming each field, and treats a missing one as forwarding off', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-fwd-bad-'));
    try {
      expect(loadCityProfile(dir).forwarding).toBeNull();
      writeFileSync(
        path.join(dir, 'forwarding.json'),
        JSON.stringify({ targets: [{ id: 't1', name: 'x', url: 'ftp://x', secretEnv: 'lower-case' }], rules: [{ targetId: 'nope' }] }),
      );
      expect(() => loadCityProfile(dir).forwarding).toThrow(/targets\.0\.url[\s\S]*targets\.0\.secretEnv[\s\S]*rules\.0\.targetId/);
      writeFileSync(path.join(dir, 'forwarding.json'), '{ not json');
      expect(() => loadCityProfile(dir).forwarding).toThrow(/not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves filed cases alone when the city has no forwarding.json', async () => {
    const dir = writeCityDir(null);
    const plain = await startTestApi({ clock, env: { CITY_DATA_DIR: dir, DEV_LOGIN_ENABLED: 'true' } });
    try {
      const plainCity = await demoCity(plain);
      const carol = await loginCitizen(plain, 'carol');
      const desk = await staffLogin(plain, 'operator');
      const photoIds = await uploadPhotos(plain, carol, 1);
      const report = await postJson(
        plain,
        '/reports',
        { categoryId: 'E0301', location: plainCity.point, photoIds, clientRequestId: randomUUID() },
        carol.auth,
      );
      await plain.services.relay.settled(); // the new report's effects run after the answer
      await postJson(plain, `/staff/cases/${report.body.id}/actions`, { action: 'file', version: 1 }, desk.auth);
      const filed = (await getCaseModel(plain.db).findById(report.body.id).lean<CaseDoc>())!;
      expect(filed.state).toBe('filed');
      expect(await plain.services.forwarding.outbox.model.countDocuments()).toBe(0);
      expect(plain.services.forwarding.targetList()).toEqual({ enabled: false, targets: [] });
    } finally {
      await plain.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('forwarding filed cases', () => {
  it('forwards a filed case of a forwarding category automatically and delivers the documented, signed payload', async () => {
    const photoIds = await uploadPhotos(api, alice, 2);
    const doc = await filedCase({ photoIds });
    expect(doc.state).toBe('forwarded');
    expect(doc.events.map((e) => e.action)).toEqual(['submit', 'file', 'forward']);
    expect(doc.deadline).toBeInstanceOf(Date);
    const forward = doc.events[doc.events.length - 1]!;
    expect(forward).toMatchObject({ action: 'forward', from: 'filed', to: 'forwarded', actorRole: 'system', actorId: null });
    expect(forward.data).toEqual({ targetId: 'hotline12345', auto: true });
    expect(doc.forwarding).toMatchObject({ targetId: 'hotline12345', targetName: '12345政务服务便民热线', auto: true, externalId: null });

    const key = keyOf(doc);
    expect((await messages([key]))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    await outbox().processDue();

    const raw = hotline.deliveries.filter((d) => d.idempotencyKey === key);
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatchObject({ signatureValid: true, timestamp: String(nowSeconds()), outcome: 'accepted' });
    expect(raw[0]!.contentType).toMatch(/^application\/json/);
    const body = forwardedCaseSchema.parse(hotline.accepted.get(key)!.body);
    expect(body).toEqual({
      caseId: String(doc._id),
      caseNo: doc.caseNo,
      idempotencyKey: key,
      category: { id: 'E0301', code: '0301', name: '施工扰民', family: 'event', majorCode: '03' },
      location: { ...places.QH01.point, address: '青禾路 8 号工地' },
      area: places.QH01.area,
      description: '工地夜间施工，噪声很大',
      photos: photoIds.map((id) => `${PUBLIC_BASE}/media/${id}`),
      reportedAt: doc.createdAt.toISOString(),
      deadline: doc.deadline!.toISOString(),
      callbackUrl: `${PUBLIC_BASE}/forwarding/callback`,
    });
    expect('reporter' in hotline.accepted.get(key)!.body).toBe(false);

    const stored = await caseById(doc._id);
    expect(stored.forwarding?.externalId).toBe(hotline.accepted.get(key)!.externalId);
    expect(stored.forwarding?.deliveredAt?.toISOString()).toBe(clock.now().toISOString());
    expect((await messages([key]))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one delivery however often the effect runs, and never re-forwards a case acted on since', async () => {
    const doc = await filedCase();
    const fileEvent = doc.events.find((e) => e.action === 'file')!;
    const forwardEvent = doc.events.find((e) => e.action === 'forward')!;
    const effectOf = (seq: number) => parseEffect(effectId(doc._id, seq, 'forward'));
    await api.services.forwarding.onCaseEvent(toEventMessage(doc, forwardEvent), toCaseView(doc), effectOf(forwardEvent.seq));
    await api.services.forwarding.onCaseEvent(toEventMessage(doc, forwardEvent), toCaseView(doc), effectOf(forwardEvent.seq));
    await api.services.forwarding.onCaseEvent(toEventMessage(doc, fileEvent), toCaseView(doc), effectOf(fileEvent.seq));
    expect(await outbox().model.countDocuments({ _id: { $regex: `^forward:${String(doc._id)}:` } })).toBe(1);
    expect((await caseById(doc._id)).version).toBe(doc.version);
    await outbox().processDue();
  });

  it('matches rules on every listed dimension: category alone is not enough for a district-bound rule', async () => {
    const elsewhere = await filedCase({ categoryId: 'E0102', district: 'QH01' });
    expect(elsewhere.state).toBe('filed');
    expect(elsewhere.forwarding).toBeNull();
    expect(await outbox().model.countDocuments({ _id: { $regex: String(elsewhere._id) } })).toBe(0);

    const inDistrict = await filedCase({ categoryId: 'E0102', district: 'QH02' });
    expect(inDistrict.state).toBe('forwarded');
    expect(inDistrict.forwarding?.targetId).toBe('szcg');
    await outbox().processDue();
    expect(szcg.accepted.has(keyOf(inDistrict, 'szcg'))).toBe(true);
  });

  it("sends the reporter's contact only when the reporter allowed it, and keeps the phone out of the logs", async () => {
    const bob = await loginCitizen(api, 'bob', '老王');
    expect((await patchJson(api, '/me', { phone: '13812345678' }, bob.auth)).status).toBe(200);
    const withConsent = await filedCase({ reporter: bob, shareContact: true });
    const without = await filedCase({ reporter: bob });
    await outbox().processDue();
    expect(hotline.accepted.get(keyOf(withConsent))!.body.reporter).toEqual({ nickname: '老王', phone: '13812345678' });
    expect('reporter' in hotline.accepted.get(keyOf(without))!.body).toBe(false);
    expect(api.logs.text).not.toContain('13812345678');
  });

  it("forwards on an operator's manual forward to the chosen target", async () => {
    const dispatcher = await staffLogin(api, 'dispatcher');
    const targets = await getJson(api, '/forwarding/targets', dispatcher.auth);
    expect(targets.body).toEqual({
      enabled: true,
      targets: [
        { id: 'hotline12345', name: '12345政务服务便民热线' },
        { id: 'szcg', name: '市数字城管平台' },
      ],
    });
    expect((await getJson(api, '/forwarding/targets', alice.auth)).status).toBe(403);

    const doc = await filedCase({ categoryId: 'E0102', district: 'QH01' });
    expect(doc.state).toBe('filed');
    const res = await postJson(
      api,
      `/staff/cases/${String(doc._id)}/actions`,
      { action: 'forward', version: doc.version, targetId: 'szcg' },
      dispatcher.auth,
    );
    expect(res.body).toMatchObject({ state: 'forwarded' });
    expect(res.status).toBe(200);
    const stored = await caseById(doc._id);
    expect(stored.state).toBe('forwarded');
    expect(stored.events[stored.events.length - 1]).toMatchObject({ action: 'forward', actorRole: 'dispatcher', actorId: dispatcher.id });
    expect(stored.forwarding).toMatchObject({ targetId: 'szcg', targetName: '市数字城管平台', auto: false });

    await outbox().processDue();
    const key = keyOf(doc, 'szcg');
    expect(szcg.accepted.get(key)?.body.caseId).toBe(String(doc._id));
    expect((await caseById(doc._id)).forwarding?.externalId).toBe(szcg.accepted.get(key)!.externalId);
  });
});

describe('delivery through outages', () => {
  it('delivers every case exactly once after a long outage, even when answers get lost', async () => {
    await hotline.down();
    const docs = [await filedCase(), await filedCase(), await filedCase()];
    const keys = docs.map((d) => keyOf(d));
    const before = hotline.deliveries.length;

    for (let round = 1; round <= 6; round += 1) {
      await nextRound(keys);
      for (const m of await messages(keys)) expect(m).toMatchObject({ status: 'pending', attempts: round, lastError: 'ECONNREFUSED' });
    }
    expect(hotline.deliveries.length).toBe(before);
    const during = forwardingAdminViewSchema.parse((await getJson(api, '/admin/forwarding', admin.auth)).body);
    for (const key of keys)
      expect(during.problems.find((p) => p.key === key)).toMatchObject({ status: 'pending', attempts: 6, lastError: 'ECONNREFUSED' });

    await hotline.up();
    hotline.failNext(1, 503); // not processed
    hotline.loseNext(1, 'status503'); // processed, answer lost
    hotline.loseNext(1, 'destroy'); // processed, connection dropped
    for (let round = 0; round < 5 && (await messages(keys)).some((m) => m.status !== 'sent'); round += 1) await nextRound(keys);

    for (const m of await messages(keys)) expect(m.status).toBe('sent');
    const raw = hotline.deliveries.slice(before).filter((d) => keys.includes(d.idempotencyKey!));
    expect(raw.length).toBeGreaterThan(keys.length);
    expect(raw.every((d) => d.signatureValid)).toBe(true);
    for (const [i, key] of keys.entries()) {
      const accepted = hotline.accepted.get(key)!;
      expect(accepted.body.caseId).toBe(String(docs[i]!._id));
      expect((await caseById(docs[i]!._id)).forwarding?.externalId).toBe(accepted.externalId);
    }
    expect(keys.map((k) => hotline.accepted.get(k)!.deliveries).sort()).toEqual([1, 2, 2]);
    expect(raw.filter((d) => d.outcome === 'accepted' || d.outcome.startsWith('lost')).length).toBe(keys.length);
  });

  it('retries a delivery that timed out, before and after the receiver processed it', async () => {
    hotline.hangNext(1);
    hotline.loseNext(1, 'hang');
    const doc = await filedCase();
    const key = keyOf(doc);
    await outbox().processDue();
    expect((await messages([key]))[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'no answer within 1000 ms' });
    expect(hotline.accepted.has(key)).toBe(false);

    await nextRound([key]);
    expect((await messages([key]))[0]).toMatchObject({ status: 'pending', attempts: 2, lastError: 'no answer within 1000 ms' });
    expect(hotline.accepted.get(key)?.deliveries).toBe(1);

    await nextRound([key]);
    expect((await messages([key]))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(hotline.accepted.get(key)?.deliveries).toBe(2);
    expect((await caseById(doc._id)).forwarding?.externalId).toBe(hotline.accepted.get(key)!.externalId);
  });

  it('shows a permanent refusal to admins without retrying it, and requeues it on request', async () => {
    szcg.refuseAll(400);
    const doc = await filedCase({ categoryId: 'E0102', district: 'QH02' });
    const key = keyOf(doc, 'szcg');
    await outbox().processDue();
    expect((await messages([key]))[0]).toMatchObject({ status: 'dropped', attempts: 1 });
    const tries = szcg.deliveries.length;
    clock.advance(3600_000);
    await outbox().processDue();
    expect(szcg.deliveries.length).toBe(tries);

    const operator = await staffLogin(api, 'operator');
    expect((await getJson(api, '/admin/forwarding', operator.auth)).status).toBe(403);
    expect((await getJson(api, '/admin/forwarding')).status).toBe(401);
    const res = await getJson(api, '/admin/forwarding', admin.auth);
    expect(res.status).toBe(200);
    const view = forwardingAdminViewSchema.parse(res.body);
    expect(view.enabled).toBe(true);
    expect(view.counts.dropped).toBe(1);
    expect(view.problems.find((p) => p.key === key)).toMatchObject({
      caseId: String(doc._id),
      targetId: 'szcg',
      status: 'dropped',
      attempts: 1,
      lastError: expect.stringContaining('HTTP 400'),
    });
    expect(view.targets.map((t) => [t.id, t.secretConfigured])).toEqual([
      ['hotline12345', true],
      ['szcg', true],
    ]);
    expect(JSON.stringify(res.body)).not.toContain(SZCG_SECRET);
    expect(JSON.stringify(res.body)).not.toContain(HOTLINE_SECRET);

    szcg.acceptAll();
    expect((await postJson(api, '/admin/forwarding/retry-failed', {}, operator.auth)).status).toBe(403);
    const retried = await postJson(api, '/admin/forwarding/retry-failed', {}, admin.auth);
    expect(retried.body).toEqual({ requeued: 1 });
    await outbox().processDue();
    expect((await messages([key]))[0]).toMatchObject({ status: 'sent' });
    expect(szcg.accepted.get(key)?.body.caseId).toBe(String(doc._id));
    const after = forwardingAdminViewSchema.parse((await getJson(api, '/admin/forwarding', admin.auth)).body);
    expect(after.counts.dropped).toBe(0);
    expect(after.problems.find((p) => p.key === key)).toBeUndefined();
  });
});

describe('status callbacks', () => {
  const hotlineAuth = () => ({ secret: HOTLINE_SECRET, targetId: 'hotline12345', timestamp: nowSeconds() });
  let eventCounter = 0;
  const eventId = () => `EV-${++eventCounter}`;

  async function deliveredCase(): Promise<{ doc: CaseDoc; externalId: string }> {
    const doc = await filedCase();
    await outbox().processDue();
    return { doc, externalId: hotline.accepted.get(keyOf(doc))!.externalId };
  }

  it("moves the case along the platform's statuses and shows them to the reporter as 上级平台", async () => {
    const { doc, externalId } = await deliveredCase();
    const caseId = String(doc._id);

    const processing = await sendCallback(
      api.url,
      { caseId, status: '处理中', note: '已交区住建局办理', occurredAt: clock.now().toISOString(), eventId: eventId() },
      hotlineAuth(),
    );
    expect(processing).toEqual({ status: 200, body: { caseId, state: 'forwarded', duplicate: false } });

    clock.advance(3600_000);
    const handledAt = new Date(clock.now().getTime() - 600_000).toISOString();
    const handledEvent = eventId();
    const handled = await sendCallback(api.url, { externalId, status: 'handled', occurredAt: handledAt, eventId: handledEvent }, hotlineAuth());
    expect(handled.body).toEqual({ caseId, state: 'forwarded', duplicate: false });
    const afterHandled = await caseById(doc._id);
    expect(afterHandled.handledAt?.toISOString()).toBe(handledAt);

    const replay = await sendCallback(api.url, { externalId, status: 'handled', occurredAt: handledAt, eventId: handledEvent }, hotlineAuth());
    expect(replay).toEqual({ status: 200, body: { caseId, state: 'forwarded', duplicate: true } });
    expect((await caseById(doc._id)).version).toBe(afterHandled.version);

    clock.advance(3600_000);
    const closed = await sendCallback(
      api.url,
      { caseId, status: '已办结', note: '已责令施工单位停止夜间施工', occurredAt: clock.now().toISOString(), eventId: eventId() },
      hotlineAuth(),
    );
    expect(closed.body).toEqual({ caseId, state: 'closed', duplicate: false });
    const final = await caseById(doc._id);
    expect(final.closedAt?.toISOString()).toBe(clock.now().toISOString());
    expect(final.handledAt?.toISOString()).toBe(handledAt);
    const updates = final.events.filter((e) => e.action === 'external_update');
    expect(updates.map((e) => [e.actorRole, e.actorId, e.to])).toEqual([
      ['external', 'hotline12345', 'forwarded'],
      ['external', 'hotline12345', 'forwarded'],
      ['external', 'hotline12345', 'closed'],
    ]);

    const detail = reportDetailSchema.parse((await getJson(api, `/me/reports/${caseId}`, alice.auth)).body);
    expect(detail.status).toBe('已结案');
    const external = detail.timeline.filter((t) => t.action === 'external_update');
    expect(external.map((t) => [t.actor, t.note, t.status])).toEqual([
      ['上级平台', '已交区住建局办理', '处理中'],
      ['上级平台', '上级平台已办理，等待办结', '处理中'],
      ['上级平台', '已责令施工单位停止夜间施工', '已结案'],
    ]);
    expect(detail.timeline.find((t) => t.action === 'forward')).toMatchObject({ actor: '系统', note: '已转交12345政务服务便民热线办理' });

    // A closed case takes no further external status.
    const late = await sendCallback(
      api.url,
      { caseId, status: 'processing', occurredAt: clock.now().toISOString(), eventId: eventId() },
      hotlineAuth(),
    );
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ILLEGAL_TRANSITION');
  });

  it('ends the case as rejected when the platform sends it back', async () => {
    const { doc } = await deliveredCase();
    const res = await sendCallback(
      api.url,
      { caseId: String(doc._id), status: '退回', note: '不属于本平台受理范围', occurredAt: clock.now().toISOString(), eventId: eventId() },
      hotlineAuth(),
    );
    expect(res.body).toMatchObject({ state: 'rejected', duplicate: false });
    expect((await caseById(doc._id)).state).toBe('rejected');
  });

  it('applies one of several copies of an event arriving at once, and acknowledges the others', async () => {
    const { doc } = await deliveredCase();
    const body = { caseId: String(doc._id), status: 'closed', occurredAt: clock.now().toISOString(), eventId: eventId() };
    const results = await Promise.all([1, 2, 3, 4].map(() => sendCallback(api.url, body, hotlineAuth())));
    expect(results.filter((r) => r.status === 200 && r.body.duplicate === false)).toHaveLength(1);
    // A copy that arrives while the first is being applied is told to send it again.
    for (const r of results.filter((r) => r.status !== 200 || r.body.duplicate)) {
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.error.code).toBe('CONFLICT');
      else expect(r.body.duplicate).toBe(true);
    }
    const again = await sendCallback(api.url, body, hotlineAuth());
    expect(again).toEqual({ status: 200, body: { caseId: String(doc._id), state: 'closed', duplicate: true } });
    const stored = await caseById(doc._id);
    expect(stored.state).toBe('closed');
    expect(stored.events.filter((e) => e.action === 'external_update')).toHaveLength(1);
  });

  it('refuses bad signatures, stale timestamps, unknown cases, impossible transitions and bad bodies, changing nothing', async () => {
    const { doc } = await deliveredCase();
    const caseId = String(doc._id);
    const ok = { caseId, status: 'processing', occurredAt: clock.now().toISOString(), eventId: eventId() };
    const expectRefused = async (res: { status: number; body: any }, status: number, code: ErrorCode, field?: string) => {
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    };

    await expectRefused(
      await sendCallback(api.url, ok, { ...hotlineAuth(), secret: 'wrong-secret-0123456789abcdef' }),
      401,
      'FORWARD_SIGNATURE_INVALID',
    );
    await expectRefused(await sendCallback(api.url, ok, { ...hotlineAuth(), signature: null }), 401, 'FORWARD_SIGNATURE_INVALID');
    await expectRefused(await sendCallback(api.url, ok, { ...hotlineAuth(), targetId: 'nobody' }), 401, 'FORWARD_SIGNATURE_INVALID');
    // Signed by the other platform with its own secret but claiming to be the hotline.
    await expectRefused(await sendCallback(api.url, ok, { ...hotlineAuth(), secret: SZCG_SECRET }), 401, 'FORWARD_SIGNATURE_INVALID');
    // A valid signature, but over a different body than the one sent.
    const signedElsewhere = `sha256=${createHmac('sha256', HOTLINE_SECRET)
      .update(`${nowSeconds()}.${JSON.stringify({ ...ok, status: 'closed' })}`)
      .digest('hex')}`;
    await expectRefused(await sendCallback(api.url, ok, { ...hotlineAuth(), signature: signedElsewhere }), 401, 'FORWARD_SIGNATURE_INVALID');

    await expectRefused(
      await sendCallback(api.url, ok, { ...hotlineAuth(), timestamp: nowSeconds() - 301 }),
      401,
      'FORWARD_TIMESTAMP_INVALID',
      'X-SSP-Timestamp',
    );
    await expectRefused(await sendCallback(api.url, ok, { ...hotlineAuth(), timestamp: nowSeconds() + 301 }), 401, 'FORWARD_TIMESTAMP_INVALID');

    const version = (await caseById(doc._id)).version;
    await expectRefused(
      await sendCallback(api.url, { ...ok, caseId: new Types.ObjectId().toString() }, hotlineAuth()),
      404,
      'FORWARD_UNKNOWN_CASE',
      'caseId',
    );
    await expectRefused(
      await sendCallback(api.url, { ...ok, caseId: undefined, externalId: 'EXT-NOPE' }, hotlineAuth()),
      404,
      'FORWARD_UNKNOWN_CASE',
      'externalId',
    );
    const toSzcg = await filedCase({ categoryId: 'E0102', district: 'QH02' });
    await expectRefused(await sendCallback(api.url, { ...ok, caseId: String(toSzcg._id) }, hotlineAuth()), 404, 'FORWARD_UNKNOWN_CASE');
    const notForwarded = await filedCase({ categoryId: 'E0102', district: 'QH01' });
    await expectRefused(await sendCallback(api.url, { ...ok, caseId: String(notForwarded._id) }, hotlineAuth()), 409, 'ILLEGAL_TRANSITION');

    const malformed = await sendCallback(api.url, { caseId, status: 'done', occurredAt: 'yesterday' }, hotlineAuth());
    await expectRefused(malformed, 400, 'VALIDATION_FAILED', 'status');
    expect(malformed.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['status', 'occurredAt', 'eventId']));
    await expectRefused(
      await sendCallback(api.url, { status: 'closed', occurredAt: clock.now().toISOString(), eventId: eventId() }, hotlineAuth()),
      400,
      'VALIDATION_FAILED',
      'caseId',
    );
    const notJson = await fetch(`${api.url}/forwarding/callback`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'X-SSP-Target': 'hotline12345' },
      body: 'status=closed',
    });
    expect(notJson.status).toBe(415);

    const after = await caseById(doc._id);
    expect(after.version).toBe(version);
    expect(after.state).toBe('forwarded');
    expect((await caseById(notForwarded._id)).state).toBe('filed');
    expect((await caseById(toSzcg._id)).version).toBe(toSzcg.version);

    const refusals = api.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'forwarding callback refused');
    expect(refusals.every((l) => l.level === 40)).toBe(true);
    const reasons = refusals.map((l) => l.reason as string).join('\n');
    for (const reason of [
      'signature mismatch',
      'missing signature',
      'unknown target',
      'outside the allowed window',
      'unknown case',
      'ILLEGAL_TRANSITION',
      'invalid body',
      'body is not JSON',
    ]) {
      expect(reasons).toContain(reason);
    }
    expect(api.logs.text).not.toContain(HOTLINE_SECRET);
    expect(api.logs.text).not.toContain(SZCG_SECRET);
  });
});
