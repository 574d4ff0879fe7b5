import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { myPointsSchema, pointsHistorySchema, type PointsLine, type PointsRules } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import { effectId, getCaseModel, parseEffect, type CaseDoc, type CaseEvent } from '../src/cases/models';
import { PointsService } from '../src/points/service';
import { getLedgerModel, getPointsAccountModel } from '../src/points/models';
import { moveLegacyPointsToAccounts } from '../src/points/legacy-accounts';
import { CityProfileError, loadCityProfile } from '../src/city-profile';
import { toCaseView, toEventMessage } from '../src/cases/events';

// Monday 2026-11-23 10:00 in Beijing.
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
const DEMO_DIR = path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo');
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
let operator: TestStaff;
let dispatcher: TestStaff;
let supervisor: TestStaff;
let handler: TestStaff;
let admin: TestStaff;
let publicity: TestStaff;
let base: number;
const tempDirs: string[] = [];

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100' } });
  city = await demoCity(api);
  base = city.publicCategory.basePoints;
  operator = await staffLogin(api, 'operator');
  dispatcher = await staffLogin(api, 'dispatcher');
  supervisor = await staffLogin(api, 'supervisor');
  handler = await staffLogin(api, 'department', city.departmentIds[0]);
  admin = await staffLogin(api, 'admin');
  publicity = await staffLogin(api, 'publicity');
});
afterAll(async () => {
  await api.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const rules = () => api.services.points.rules!;

async function report(who: TestCitizen): Promise<string> {
  const photoIds = await uploadPhotos(api, who, 1);
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, description: '井盖缺失', location: city.point, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function act(staff: TestStaff, id: string, body: Record<string, unknown>) {
  const version = (await getJson(api, `/staff/cases/${id}`, staff.auth)).body.version;
  const res = await postJson(api, `/staff/cases/${id}/actions`, { version, ...body }, staff.auth);
  expect(res.status).toBe(200);
  return res.body;
}

async function closeCase(id: string) {
  await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
  await act(handler, id, { action: 'accept_task' });
  await act(handler, id, { action: 'report_handled', photoIds: await uploadPhotos(api, handler, 1), publicNote: '已修复' });
  await act(supervisor, id, { action: 'verify_pass' });
}

async function balance(who: TestCitizen): Promise<number> {
  const res = await getJson(api, '/me/points', who.auth);
  expect(res.status).toBe(200);
  return myPointsSchema.parse(res.body).balance;
}

async function history(who: TestCitizen): Promise<PointsLine[]> {
  const res = await getJson(api, '/me/points/history?limit=50', who.auth);
  expect(res.status).toBe(200);
  return pointsHistorySchema.parse(res.body).items;
}

async function expectConsistent() {
  expect(await api.services.points.checkInvariants()).toEqual([]);
}

/** A PointsService over the same database with other rules (and a campaign provider), as another deployment would have. */
function serviceWith(custom: Partial<PointsRules>, campaignMultiplier?: (id: string) => Promise<number | null>): PointsService {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-points-'));
  tempDirs.push(dir);
  writeFileSync(path.join(dir, 'points.json'), JSON.stringify({ ...rules(), ...custom }));
  copyFileSync(path.join(DEMO_DIR, 'rewards.json'), path.join(dir, 'rewards.json'));
  const { ctx, auth, catalogue } = api.services;
  const city = loadCityProfile(dir);
  return new PointsService(
    { ...ctx, config: { ...ctx.config, cityDataDir: dir } },
    { auth, catalogue, rules: city.pointsRules, rewards: city.rewards, campaignMultiplier },
  );
}

/** A filing event of a case that exists only for the points service (no HTTP, no relay). */
function filing(reporterId: string, at: Date, extra: { campaignId?: string; districtId?: string } = {}) {
  const caseId = new Types.ObjectId();
  const dims = {
    categoryId: city.publicCategory.id,
    family: city.publicCategory.family,
    majorCode: city.publicCategory.majorCode,
    districtId: extra.districtId ?? 'QH01',
    streetId: 'QH0101',
    gridId: 'QH010101',
    departmentId: city.departmentIds[0],
    source: 'citizen',
    campaignId: extra.campaignId ?? null,
    deadline: null,
  };
  const base = { from: 'pending', at, actorId: null, publicNote: null, internalNote: null, photoIds: [], data: null, dims };
  const events = [
    { ...base, seq: 1, action: 'submit', from: null, to: 'pending', actorRole: 'reporter', actorId: reporterId },
    { ...base, seq: 2, action: 'file', to: 'filed', actorRole: 'operator' },
  ] as CaseEvent[];
  const caseDoc = { _id: caseId, reporterId, categoryName: city.publicCategory.name, events } as unknown as CaseDoc;
  const effect = parseEffect(effectId(caseId, 2, 'points'));
  return { caseDoc, event: events[1]!, effect };
}

describe('awards from the case flow over HTTP', () => {
  it('pays nothing at submit, the category points at filing, backers theirs, and nothing for rejected, merged or withdrawn reports', async () => {
    const alice = await loginCitizen(api, 'flow-alice');
    const bob = await loginCitizen(api, 'flow-bob');
    const carol = await loginCitizen(api, 'flow-carol');
    const dave = await loginCitizen(api, 'flow-dave');

    const id = await report(alice);
    expect((await postJson(api, `/reports/${id}/support`, {}, bob.auth)).status).toBe(200);
    expect(await balance(alice)).toBe(0);
    expect(await balance(bob)).toBe(0);
    expect(await history(alice)).toEqual([]);

    await act(operator, id, { action: 'file' });
    expect(await balance(alice)).toBe(base);
    expect(await balance(bob)).toBe(rules().supporterPoints);
    const [line] = await history(alice);
    expect(line).toMatchObject({ kind: 'earn', reason: 'report_filed', amount: base, requested: base, capped: 0, balanceAfter: base, caseId: id });
    expect(line!.reasonText).toBe(`上报被立案（${city.publicCategory.name}）+${base}`);
    expect((await history(bob))[0]!.reasonText).toBe(`附议的问题被立案（${city.publicCategory.name}）+${rules().supporterPoints}`);

    // Backing an already filed case pays then; a duplicate merged into it pays its reporter as a backer only.
    expect((await postJson(api, `/reports/${id}/support`, {}, carol.auth)).status).toBe(200);
    expect(await balance(carol)).toBe(rules().supporterPoints);
    const duplicate = await report(dave);
    await act(operator, duplicate, { action: 'merge', duplicateOf: id });
    expect(await balance(dave)).toBe(rules().supporterPoints);
    expect((await history(dave)).map((l) => l.reason)).toEqual(['support_filed']);

    const rejected = await report(alice);
    await act(operator, rejected, { action: 'reject', reason: 'invalid', publicNote: '照片无法辨认' });
    const withdrawn = await report(alice);
    expect((await postJson(api, `/me/reports/${withdrawn}/withdraw`, {}, alice.auth)).status).toBe(200);
    expect(await balance(alice)).toBe(base);
    expect(await getLedgerModel(api.db).countDocuments({ caseId: { $in: [rejected, withdrawn, duplicate] } })).toBe(0);
    await expectConsistent();
  });

  it('pays the closing and the rating bonus to the reporter, once each', async () => {
    const erin = await loginCitizen(api, 'flow-erin');
    const id = await report(erin);
    await act(operator, id, { action: 'file' });
    await closeCase(id);
    expect(await balance(erin)).toBe(base + rules().closeBonus);
    expect((await postJson(api, `/me/reports/${id}/rating`, { score: 5, comment: '很快' }, erin.auth)).status).toBe(200);
    expect(await balance(erin)).toBe(base + rules().closeBonus + rules().ratingBonus);
    const lines = await history(erin);
    expect(lines.map((l) => l.reason)).toEqual(['case_rated', 'case_closed', 'report_filed']);
    expect(lines[1]!.reasonText).toBe(`上报的问题已解决结案（${city.publicCategory.name}）+${rules().closeBonus}`);
    expect(lines.map((l) => l.balanceAfter)).toEqual([base + rules().closeBonus + rules().ratingBonus, base + rules().closeBonus, base]);
    await expectConsistent();
  });

  it('pays once however often the same event is processed, replayed or raced', async () => {
    const fred = await loginCitizen(api, 'flow-fred');
    const id = await report(fred);
    await act(operator, id, { action: 'file' });
    expect(await balance(fred)).toBe(base);

    const doc = await getCaseModel(api.db).findById(id).lean<CaseDoc>();
    const fileEvent = doc!.events.find((e) => e.action === 'file')!;
    const effect = parseEffect(effectId(id, fileEvent.seq, 'points'));
    await api.services.points.onCaseEvent(toEventMessage(doc!, fileEvent), toCaseView(doc!), effect);
    await Promise.all(Array.from({ length: 8 }, () => api.services.points.onCaseEvent(toEventMessage(doc!, fileEvent), toCaseView(doc!), effect)));
    // The relay replays the effect (as after a crash before it was removed).
    await getCaseModel(api.db).updateOne({ _id: id }, { $push: { effects: effect.id } });
    await api.services.relay.drainPending();
    expect(await balance(fred)).toBe(base);
    expect(await getLedgerModel(api.db).countDocuments({ caseId: id })).toBe(1);
    await expectConsistent();
  });

  it("takes a voided case's points back from everyone, never below zero, recording the shortfall", async () => {
    const gina = await loginCitizen(api, 'void-gina');
    const hank = await loginCitizen(api, 'void-hank');
    const id = await report(gina);
    expect((await postJson(api, `/reports/${id}/support`, {}, hank.auth)).status).toBe(200);
    await act(operator, id, { action: 'file' });
    expect(await balance(gina)).toBe(base);

    // Gina spends most of it first.
    const spent = await postJson(
      api,
      '/admin/points/adjustments',
      { citizenId: gina.id, amount: -(base - 3), reason: '测试：模拟已消费' },
      admin.auth,
    );
    expect(spent.status).toBe(201);
    expect(await balance(gina)).toBe(3);

    await act(operator, id, { action: 'void', publicNote: '经核实为虚假上报' });
    expect(await balance(gina)).toBe(0);
    expect(await balance(hank)).toBe(0);
    const [clawback] = await history(gina);
    expect(clawback).toMatchObject({ kind: 'clawback', reason: 'case_voided', requested: -base, amount: -3, shortfall: base - 3, balanceAfter: 0 });
    expect(clawback!.reasonText).toContain(`另有 ${base - 3} 分未能扣回`);
    const mine = myPointsSchema.parse((await getJson(api, '/me/points', gina.auth)).body);
    expect(mine).toMatchObject({ earnedTotal: 0, earnedThisMonth: 0 });

    // Replaying the void changes nothing.
    const doc = await getCaseModel(api.db).findById(id).lean<CaseDoc>();
    const voidEvent = doc!.events.find((e) => e.action === 'void')!;
    await api.services.points.onCaseEvent(toEventMessage(doc!, voidEvent), toCaseView(doc!), parseEffect(effectId(id, voidEvent.seq, 'points')));
    expect(await balance(gina)).toBe(0);
    expect(await getLedgerModel(api.db).countDocuments({ caseId: id, kind: 'clawback' })).toBe(2);
    await expectConsistent();
  });

  it("refuses a backer's award that arrives after the void", async () => {
    const ivan = await loginCitizen(api, 'void-ivan');
    const late = await loginCitizen(api, 'void-late');
    const id = await report(ivan);
    await act(operator, id, { action: 'file' });
    await act(operator, id, { action: 'void', publicNote: '虚假上报' });
    // A support event processed late (e.g. retried after the void): the case is closed to awards.
    const doc = await getCaseModel(api.db).findById(id).lean<CaseDoc>();
    const supportEvent = { ...doc!.events.at(-1)!, seq: 99, action: 'support', data: { citizenId: late.id } } as CaseEvent;
    const withSupport = { ...doc!, events: [...doc!.events, supportEvent] };
    await api.services.points.onCaseEvent(
      toEventMessage(withSupport, supportEvent),
      toCaseView(withSupport),
      parseEffect(effectId(id, 99, 'points')),
    );
    expect(await balance(late)).toBe(0);
    expect(await balance(ivan)).toBe(0);
    await expectConsistent();
  });
});

describe('rules', () => {
  it('multiplies the filing award by the campaign multiplier and records it on the line', async () => {
    const jade = await loginCitizen(api, 'rules-jade');
    const asked: string[] = [];
    const points = serviceWith({ dailyCap: null, monthlyCap: null }, async (campaignId) => {
      asked.push(campaignId);
      return campaignId === 'double-week' ? 2 : null;
    });
    const boosted = filing(jade.id, clock.now(), { campaignId: 'double-week' });
    await points.onCaseEvent(toEventMessage(boosted.caseDoc, boosted.event), toCaseView(boosted.caseDoc), boosted.effect);
    const plain = filing(jade.id, clock.now(), { campaignId: 'unknown' });
    await points.onCaseEvent(toEventMessage(plain.caseDoc, plain.event), toCaseView(plain.caseDoc), plain.effect);
    expect(asked).toEqual(['double-week', 'unknown']);

    const lines = await history(jade);
    expect(lines[1]).toMatchObject({ amount: base * 2, requested: base * 2, multiplier: 2, campaignId: 'double-week' });
    expect(lines[1]!.reasonText).toBe(`上报被立案（${city.publicCategory.name}，活动积分 ×2）+${base * 2}`);
    expect(lines[0]).toMatchObject({ amount: base, multiplier: null, campaignId: 'unknown' });
    expect(await balance(jade)).toBe(base * 3);
    await expectConsistent();
  });

  it('caps awards per Asia/Shanghai day and month, recording what was capped', async () => {
    const kim = await loginCitizen(api, 'rules-kim');
    const dailyCap = base + 5;
    const monthlyCap = base * 2 + 10;
    const points = serviceWith({ dailyCap, monthlyCap });
    const award = async (at: string) => {
      const f = filing(kim.id, new Date(at));
      await points.onCaseEvent(toEventMessage(f.caseDoc, f.event), toCaseView(f.caseDoc), f.effect);
    };
    // 2026-11-01 23:30 and 2026-11-02 00:30 in Beijing are different days (UTC: the same day).
    await award('2026-11-01T15:30:00Z');
    await award('2026-11-01T15:40:00Z');
    await award('2026-11-01T15:50:00Z');
    await award('2026-11-01T16:30:00Z');
    await award('2026-11-03T02:00:00Z');

    const lines = (await history(kim)).reverse();
    expect(lines.map((l) => [l.amount, l.capped])).toEqual([
      [base, 0],
      [5, base - 5],
      [0, base],
      [base, 0], // a new day
      [monthlyCap - dailyCap - base, base - (monthlyCap - dailyCap - base)], // the month runs out
    ]);
    expect(lines.every((l) => l.requested === base)).toBe(true);
    expect(lines[1]!.reasonText).toBe(`上报被立案（${city.publicCategory.name}）+5（已达每日积分上限，另有 ${base - 5} 分未计入）`);
    expect(lines[4]!.reasonText).toContain('已达每月积分上限');
    expect(await balance(kim)).toBe(monthlyCap);
    await expectConsistent();
  });

  it('lets concurrent awards fill the daily cap exactly, never more', async () => {
    const lee = await loginCitizen(api, 'rules-lee');
    const dailyCap = base * 3 + 1;
    const points = serviceWith({ dailyCap, monthlyCap: null });
    const at = new Date('2026-11-20T03:00:00Z');
    await Promise.all(
      Array.from({ length: 12 }, () => {
        const f = filing(lee.id, at);
        return points.onCaseEvent(toEventMessage(f.caseDoc, f.event), toCaseView(f.caseDoc), f.effect);
      }),
    );
    const lines = await history(lee);
    expect(lines).toHaveLength(12);
    expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(dailyCap);
    expect(lines.reduce((s, l) => s + l.capped, 0)).toBe(base * 12 - dailyCap);
    expect(await balance(lee)).toBe(dailyCap);
    await expectConsistent();
  });
});

describe('deployment files', () => {
  it('the demo rules and rewards load, and a bad file stops start-up naming the field', () => {
    expect(loadCityProfile(DEMO_DIR).pointsRules).toMatchObject({ supporterPoints: expect.any(Number) });
    expect(loadCityProfile(DEMO_DIR).rewards).toHaveLength(5);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-points-bad-'));
    tempDirs.push(dir);
    expect(loadCityProfile(dir).pointsRules).toBeNull(); // no file: no awards
    expect(loadCityProfile(dir).rewards).toEqual([]);
    writeFileSync(path.join(dir, 'points.json'), JSON.stringify({ ...rules(), dailyCap: 500, monthlyCap: 100 }));
    expect(() => loadCityProfile(dir)).toThrow(/points\.json is invalid:\n {2}dailyCap: 每日上限不能超过每月上限/);
    writeFileSync(path.join(dir, 'points.json'), JSON.stringify({ ...rules(), closeBonus: -1 }));
    expect(() => loadCityProfile(dir)).toThrow(/closeBonus/);
    writeFileSync(path.join(dir, 'points.json'), JSON.stringify(rules()));
    writeFileSync(
      path.join(dir, 'rewards.json'),
      JSON.stringify([
        {
          id: 'x',
          name: '坏奖品',
          kind: 'cash',
          costPoints: 1,
          stock: 1,
          perCitizenLimit: null,
          limitPeriod: 'all',
          activeFrom: '2026-01-01T00:00:00+08:00',
          activeTo: '2027-01-01T00:00:00+08:00',
        },
      ]),
    );
    expect(() => loadCityProfile(dir)).toThrow(/rewards\.json is invalid:\n {2}0\.kind/);
    writeFileSync(path.join(dir, 'rewards.json'), '{ not json');
    expect(() => loadCityProfile(dir)).toThrow(CityProfileError);
  });
});

/** A 40-point adjustment entry for the ledger alone. */
const draft = (citizenId: string, key: string) => ({
  citizenId,
  kind: 'adjustment' as const,
  requested: 40,
  reason: 'admin_adjustment' as const,
  reasonParams: { note: '崩溃测试' },
  businessKey: key,
  at: clock.now(),
});

describe('points accounts', () => {
  it('keeps balances in points_accounts, owned by the points domain, never on the citizen', async () => {
    const rita = await loginCitizen(api, 'acct-rita');
    expect((await getJson(api, '/me', rita.auth)).body.points).toBe(0);
    expect(await getPointsAccountModel(api.db).exists({ _id: rita.id })).toBeNull();
    await api.services.points.ledger.record(draft(rita.id, `test:acct:${rita.id}`));
    const account = await getPointsAccountModel(api.db).findById(rita.id).lean();
    expect(account).toMatchObject({ points: 40, book: { v: 1, inflight: [] } });
    expect((await getJson(api, '/me', rita.auth)).body.points).toBe(40);
    const citizen = await api.db.collection('citizens').findOne({ _id: new Types.ObjectId(rita.id) });
    expect(Object.keys(citizen!)).not.toEqual(expect.arrayContaining(['points']));
    expect(citizen).not.toHaveProperty('pointsBook');
  });

  it('moves balances kept on citizen documents by earlier versions to accounts, once', async () => {
    const sam = await loginCitizen(api, 'acct-sam');
    const tom = await loginCitizen(api, 'acct-tom');
    const citizens = api.db.collection('citizens');
    const Account = getPointsAccountModel(api.db);
    // As an earlier version left them: balance, bookkeeping and preference on the citizen
    // (made here through today's ledger, so the ledger lines agree, then moved back).
    await api.services.points.adjust('admin-test', { citizenId: sam.id, amount: 25, reason: '旧版本发放' });
    await api.services.points.setPreferences(sam.id, true);
    const before = (await Account.findById(sam.id).lean())!;
    await Account.deleteOne({ _id: sam.id });
    await citizens.updateOne(
      { _id: new Types.ObjectId(sam.id) },
      { $set: { points: before.points, pointsBook: before.book, leaderboardAnonymous: true } },
    );
    await citizens.updateOne({ _id: new Types.ObjectId(tom.id) }, { $set: { points: 0, leaderboardAnonymous: false } });
    const logger = api.services.ctx.logger;
    expect(await moveLegacyPointsToAccounts(api.db, new Date(), logger)).toBe(2);
    expect(await moveLegacyPointsToAccounts(api.db, new Date(), logger)).toBe(0);

    expect(await Account.findById(sam.id).lean()).toMatchObject({ points: 25, book: { v: 1 }, leaderboardAnonymous: true });
    expect(await citizens.findOne({ _id: new Types.ObjectId(sam.id) })).not.toHaveProperty('points');
    expect(await citizens.findOne({ _id: new Types.ObjectId(tom.id) })).not.toHaveProperty('leaderboardAnonymous');
    expect(await balance(sam)).toBe(25);
    expect((await getJson(api, '/me/points', sam.auth)).body).toMatchObject({ leaderboardAnonymous: true });
    // The next entry continues from the moved apply version, and the books agree with the ledger.
    await api.services.points.adjust('admin-test', { citizenId: sam.id, amount: 5, reason: '迁移后补发' });
    expect(await Account.findById(sam.id).lean()).toMatchObject({ points: 30, book: { v: 2 } });
    await expectConsistent();
  });
});

describe('crash safety of the ledger', () => {
  it('repairs an entry inserted but never applied (crash before the balance update), exactly once', async () => {
    const mia = await loginCitizen(api, 'crash-mia');
    const entry = await api.services.points.ledger.insert(draft(mia.id, `test:crash1:${mia.id}`));
    expect(entry.state).toBe('pending');
    expect(await balance(mia)).toBe(0);
    await expectConsistent(); // a pending line is not on the balance yet

    await api.services.points.repair();
    expect(await balance(mia)).toBe(40);
    await api.services.points.repair();
    await api.services.points.ledger.record(draft(mia.id, `test:crash1:${mia.id}`));
    expect(await balance(mia)).toBe(40);
    expect(await history(mia)).toHaveLength(1);
    await expectConsistent();
  });

  it('finishes an entry whose balance update landed but whose line was not flipped (crash after it), without applying again', async () => {
    const ned = await loginCitizen(api, 'crash-ned');
    const ledger = api.services.points.ledger;
    const entry = await ledger.insert(draft(ned.id, `test:crash2:${ned.id}`));
    await ledger.commit(entry._id); // step 2 done, then the process "dies"
    expect(await balance(ned)).toBe(40);
    expect((await getLedgerModel(api.db).findById(entry._id).lean())!.state).toBe('pending');
    await expectConsistent(); // the decision in flight explains the balance

    // Both a repair and a retry of the same award (racing) finish it; neither applies it again.
    await Promise.all([api.services.points.repair(), ledger.record(draft(ned.id, `test:crash2:${ned.id}`)), ledger.settle(entry._id)]);
    expect(await balance(ned)).toBe(40);
    const stored = await getLedgerModel(api.db).findById(entry._id).lean();
    expect(stored).toMatchObject({ state: 'applied', amount: 40, balanceAfter: 40 });
    const account = await getPointsAccountModel(api.db).findById(ned.id).lean();
    expect(account!.book.inflight).toEqual([]);
    await expectConsistent();
  });

  it('lets go of a decision whose line was flipped but not released (crash at the very end), changing nothing', async () => {
    const pia = await loginCitizen(api, 'crash-pia');
    const ledger = api.services.points.ledger;
    const entry = await ledger.insert(draft(pia.id, `test:crash3:${pia.id}`));
    await ledger.commit(entry._id);
    await getLedgerModel(api.db).updateOne({ _id: entry._id }, { $set: { state: 'applied', amount: 40, seq: 1, balanceAfter: 40 } });
    const inflight = async () => (await getPointsAccountModel(api.db).findById(pia.id).lean())!.book.inflight;
    expect(await inflight()).toHaveLength(1);

    await api.services.points.repair();
    expect(await inflight()).toEqual([]);
    expect(await balance(pia)).toBe(40);
    await expectConsistent();
  });

  it('finds a deliberately corrupted balance', async () => {
    const olga = await loginCitizen(api, 'crash-olga');
    await api.services.points.ledger.record(draft(olga.id, `test:corrupt:${olga.id}`));
    await getPointsAccountModel(api.db).updateOne({ _id: olga.id }, { $inc: { points: 7 } });
    expect(await api.services.points.checkInvariants()).toEqual([{ citizenId: olga.id, issue: 'balance', actual: 47, expected: 40 }]);
    await getPointsAccountModel(api.db).updateOne({ _id: olga.id }, { $set: { points: -1 } });
    const issues = (await api.services.points.checkInvariants()).map((m) => m.issue).sort();
    expect(issues).toEqual(['balance', 'negative_balance']);
    await getPointsAccountModel(api.db).updateOne({ _id: olga.id }, { $set: { points: 40 } });
    await expectConsistent();
  });
});

describe('admin adjustments', () => {
  it("adds and deducts with the reason shown in the citizen's history", async () => {
    const pat = await loginCitizen(api, 'adj-pat');
    const added = await postJson(api, '/admin/points/adjustments', { citizenId: pat.id, amount: 30, reason: '补发系统故障漏发的积分' }, admin.auth);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ balance: 30, line: { kind: 'adjustment', amount: 30 } });
    const taken = await postJson(api, '/admin/points/adjustments', { citizenId: pat.id, amount: -12, reason: '重复发放，收回' }, admin.auth);
    expect(taken.body.balance).toBe(18);
    expect((await history(pat)).map((l) => l.reasonText)).toEqual(['积分调整：重复发放，收回-12', '积分调整：补发系统故障漏发的积分+30']);

    // The same clientRequestId adjusts once.
    const body = { citizenId: pat.id, amount: 5, reason: '活动奖励', clientRequestId: 'adj-req-0001' };
    await postJson(api, '/admin/points/adjustments', body, admin.auth);
    const again = await postJson(api, '/admin/points/adjustments', body, admin.auth);
    expect(again.body.balance).toBe(23);
    expect(await balance(pat)).toBe(23);

    // Admins can read a citizen's lines; pagination walks them all.
    const page1 = await getJson(api, `/admin/points/citizens/${pat.id}/history?limit=2`, admin.auth);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await getJson(api, `/admin/points/citizens/${pat.id}/history?limit=2&cursor=${page1.body.nextCursor}`, admin.auth);
    expect(page2.body.items.map((l: PointsLine) => l.amount)).toEqual([30]);
    expect(page2.body.nextCursor).toBeNull();
    await expectConsistent();
  });

  it('answers bad input with the field at fault and never takes a balance below zero', async () => {
    const quinn = await loginCitizen(api, 'adj-quinn');
    const cases: [Record<string, unknown>, string][] = [
      [{ citizenId: quinn.id, amount: 10, reason: '好' }, 'reason'],
      [{ citizenId: quinn.id, amount: 10 }, 'reason'],
      [{ citizenId: quinn.id, amount: 0, reason: '零分调整' }, 'amount'],
      [{ citizenId: quinn.id, amount: 1.5, reason: '小数调整' }, 'amount'],
      [{ citizenId: 'nope', amount: 10, reason: '无效编号' }, 'citizenId'],
    ];
    for (const [body, field] of cases) {
      const res = await postJson(api, '/admin/points/adjustments', body, admin.auth);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const unknown = await postJson(
      api,
      '/admin/points/adjustments',
      { citizenId: new Types.ObjectId().toHexString(), amount: 5, reason: '不存在的市民' },
      admin.auth,
    );
    expect(unknown.status).toBe(404);
    const overdraw = await postJson(api, '/admin/points/adjustments', { citizenId: quinn.id, amount: -1, reason: '扣减超过余额' }, admin.auth);
    expect(overdraw.status).toBe(409);
    expect(overdraw.body.error.code).toBe('INSUFFICIENT_POINTS');
    expect(overdraw.body.error.details[0].field).toBe('amount');
    expect(await balance(quinn)).toBe(0);
    expect(await history(quinn)).toEqual([]);
    await expectConsistent();
  });

  it('is for admins only; points pages are for signed-in citizens', async () => {
    const rose = await loginCitizen(api, 'adj-rose');
    const body = { citizenId: rose.id, amount: 10, reason: '越权测试' };
    expect((await postJson(api, '/admin/points/adjustments', body, rose.auth)).status).toBe(403);
    expect((await postJson(api, '/admin/points/adjustments', body, publicity.auth)).status).toBe(403);
    expect((await postJson(api, '/admin/points/adjustments', body)).status).toBe(401);
    expect((await getJson(api, `/admin/points/citizens/${rose.id}/history`, rose.auth)).status).toBe(403);
    expect((await getJson(api, '/me/points')).status).toBe(401);
    expect((await getJson(api, '/me/points/history')).status).toBe(401);
    expect((await getJson(api, '/me/points', admin.auth)).status).toBe(403);
    expect((await getJson(api, '/me/points/history?cursor=abc', rose.auth)).status).toBe(400);
    expect(await balance(rose)).toBe(0);
  });
});

describe('campaigns (wired through the services)', () => {
  it('doubles the filing award of a report made during a live double-points campaign', async () => {
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const created = await postJson(
      api,
      '/admin/campaigns',
      { title: '创文攻坚双倍积分周', startAt: at(60_000), endAt: at(14 * 86_400_000), multiplier: 2, targetCategoryIds: [city.publicCategory.id] },
      publicity.auth,
    );
    expect(created.status).toBe(201);
    expect((await postJson(api, `/admin/campaigns/${created.body.id}/publish`, {}, publicity.auth)).status).toBe(200);
    clock.advance(2 * 60_000);

    const sam = await loginCitizen(api, 'campaign-sam');
    const id = await report(sam);
    await act(operator, id, { action: 'file' });
    const [line] = await history(sam);
    expect(line).toMatchObject({ amount: base * 2, multiplier: 2, campaignId: created.body.id });
    expect(await balance(sam)).toBe(base * 2);
    expect((await postJson(api, `/admin/campaigns/${created.body.id}/end`, { reason: '测试结束' }, publicity.auth)).status).toBe(200);
    await expectConsistent();
  });
});
