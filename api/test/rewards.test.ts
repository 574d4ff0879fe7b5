import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { claimSchema, rewardSchema, type Claim, type Reward } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, patchJson, postJson, type TestCitizen } from './helpers/citizens';
import { staffLogin, type TestStaff } from './helpers/staff';
import { getClaimModel, getRewardModel } from '../src/points/models';

const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let api: TestApi;
let admin: TestStaff;
let publicity: TestStaff;
let operator: TestStaff;

const GIFT = 'civic-gift-umbrella';
const CREDIT = 'phone-credit-10';

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true' } });
  admin = await staffLogin(api, 'admin');
  publicity = await staffLogin(api, 'publicity');
  operator = await staffLogin(api, 'operator');
});
afterAll(async () => {
  await api.close();
});

async function citizenWith(points: number, devUser = `r-${randomUUID().slice(0, 8)}`, nickname?: string): Promise<TestCitizen> {
  const c = await loginCitizen(api, devUser, nickname);
  if (points) await api.services.points.adjust(admin.id, { citizenId: c.id, amount: points, reason: '测试发放积分' });
  return c;
}

async function balance(who: TestCitizen): Promise<number> {
  return (await getJson(api, '/me/points', who.auth)).body.balance as number;
}

async function stockOf(id: string): Promise<number> {
  return (await getRewardModel(api.db).findById(id).lean())!.stock;
}

const claim = (who: TestCitizen, rewardId: string, clientRequestId: string = randomUUID()) =>
  postJson(api, `/rewards/${rewardId}/claims`, { clientRequestId }, who.auth);

async function putReward(id: string, fields: Record<string, unknown>) {
  return fetch(`${api.url}/admin/rewards/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...admin.auth },
    body: JSON.stringify({
      name: '测试奖品',
      kind: 'gift',
      costPoints: 10,
      stock: 10,
      perCitizenLimit: null,
      limitPeriod: 'all',
      activeFrom: '2026-01-01T00:00:00+08:00',
      activeTo: '2027-01-01T00:00:00+08:00',
      ...fields,
    }),
  });
}

async function expectConsistent() {
  expect(await api.services.points.checkInvariants()).toEqual([]);
}

describe('the catalogue', () => {
  it('lists the active rewards of rewards.json, cheapest first, with stock left', async () => {
    const res = await getJson(api, '/rewards');
    expect(res.status).toBe(200);
    const items = res.body.items.map((r: unknown) => rewardSchema.parse(r)) as Reward[];
    expect(items.map((r) => r.id)).toEqual([GIFT, CREDIT, 'phone-credit-20', 'supermarket-voucher-30', 'phone-credit-50']);
    expect(items[1]).toMatchObject({
      name: '10 元话费',
      kind: 'phone_credit',
      kindName: '话费',
      costPoints: 100,
      stockLeft: 200,
      needsPhone: true,
      perCitizenLimit: 1,
      limitPeriod: 'month',
    });
    expect(JSON.stringify(res.body)).not.toContain('holds');
  });

  it('lets admins add and change rewards; those not yet active are not offered', async () => {
    expect(
      (await putReward('spring-gift', { name: '春季礼品', activeFrom: '2027-03-01T00:00:00+08:00', activeTo: '2027-04-01T00:00:00+08:00' })).status,
    ).toBe(200);
    expect((await getJson(api, '/rewards')).body.items.map((r: Reward) => r.id)).not.toContain('spring-gift');
    const all = await getJson(api, '/admin/rewards', publicity.auth);
    expect(all.body.items.map((r: Reward) => r.id)).toContain('spring-gift');

    const bad = await putReward('spring-gift', { activeTo: '2026-12-31T00:00:00+08:00', activeFrom: '2027-01-01T00:00:00+08:00' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe('activeTo');
    const badId = await putReward('Not An Id', {});
    expect(badId.status).toBe(400);
    const byPublicity = await fetch(`${api.url}/admin/rewards/spring-gift`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...publicity.auth },
      body: '{}',
    });
    expect(byPublicity.status).toBe(403);
  });
});

describe('claiming', () => {
  it('spends the points and takes a unit; a retried request returns the same claim; the per-citizen limit holds', async () => {
    const amy = await citizenWith(150);
    const requestId = randomUUID();
    const first = await claim(amy, GIFT, requestId);
    expect(first.status).toBe(201);
    const made = claimSchema.parse(first.body);
    expect(made).toMatchObject({ rewardId: GIFT, status: 'pending', statusName: '待发放', costPoints: 60, phoneMasked: null });
    expect(await balance(amy)).toBe(90);
    expect(await stockOf(GIFT)).toBe(79);

    const retry = await claim(amy, GIFT, requestId);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(made.id);
    expect(await balance(amy)).toBe(90);

    const second = await claim(amy, GIFT);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('CLAIM_LIMIT_REACHED');
    expect(await balance(amy)).toBe(90);
    expect(await stockOf(GIFT)).toBe(79);

    const history = (await getJson(api, '/me/points/history', amy.auth)).body.items;
    expect(history[0]).toMatchObject({
      kind: 'spend',
      amount: -60,
      reason: 'reward_claim',
      claimId: made.id,
      reasonText: '兑换「文明城市纪念雨伞」-60',
    });
    const mine = await getJson(api, '/me/claims', amy.auth);
    expect(mine.body.items.map((c: Claim) => c.id)).toEqual([made.id]);
    await expectConsistent();
  });

  it('refuses without enough points, and a reward that is not on offer, taking nothing', async () => {
    const ben = await citizenWith(59);
    const res = await claim(ben, GIFT);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INSUFFICIENT_POINTS');
    expect(await balance(ben)).toBe(59);
    expect((await claim(ben, 'no-such-reward')).status).toBe(404);
    const bad = await claim(ben, 'BAD ID');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('id');
    const extra = await postJson(api, `/rewards/${GIFT}/claims`, { points: 1 }, ben.auth);
    expect(extra.status).toBe(400);
    await putReward('future-gift', { activeFrom: '2027-03-01T00:00:00+08:00', activeTo: '2027-04-01T00:00:00+08:00', costPoints: 1 });
    const early = await claim(ben, 'future-gift');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('REWARD_NOT_ACTIVE');
    expect(await getClaimModel(api.db).countDocuments({ citizenId: ben.id })).toBe(0);
  });

  it('needs a phone number for phone credit and keeps it masked on the claim', async () => {
    const cat = await citizenWith(300);
    const without = await claim(cat, CREDIT);
    expect(without.status).toBe(422);
    expect(without.body.error).toMatchObject({ code: 'PHONE_REQUIRED', details: [{ field: 'phone' }] });
    expect(await balance(cat)).toBe(300);

    expect((await patchJson(api, '/me', { phone: '13812345678' }, cat.auth)).status).toBe(200);
    const res = await claim(cat, CREDIT);
    expect(res.status).toBe(201);
    expect(res.body.phoneMasked).toBe('138****5678');
    const stored = await getClaimModel(api.db).findById(res.body.id).lean();
    for (const text of [JSON.stringify(res.body), JSON.stringify(stored), JSON.stringify((await getJson(api, '/admin/claims', admin.auth)).body)]) {
      expect(text).not.toContain('13812345678');
    }
  });

  it('never spends a balance below zero, even when one citizen claims many times at once', async () => {
    expect((await putReward('cheap-gift', { name: '环保袋', stock: 50, costPoints: 30 })).status).toBe(200);
    const hoarder = await citizenWith(100);
    const results = await Promise.all(Array.from({ length: 6 }, () => claim(hoarder, 'cheap-gift')));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_POINTS')).toBe(true);
    expect(await balance(hoarder)).toBe(10);
    expect(await stockOf('cheap-gift')).toBe(47);
    await expectConsistent();
  });

  it('lets exactly as many of 100 simultaneous claims through as there is stock', async () => {
    expect((await putReward('flash-gift', { name: '限量纪念章', stock: 10, costPoints: 10 })).status).toBe(200);
    const citizens = await Promise.all(Array.from({ length: 100 }, (_, i) => citizenWith(30, `flash-${i}`)));
    const results = await Promise.all(citizens.map((c) => claim(c, 'flash-gift')));

    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status !== 201);
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(90);
    for (const r of lost) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('OUT_OF_STOCK');
    }
    expect(await stockOf('flash-gift')).toBe(0);
    expect((await getRewardModel(api.db).findById('flash-gift').lean())!.holds).toHaveLength(10);
    const balances = await Promise.all(citizens.map(balance));
    expect(balances.filter((b) => b === 20)).toHaveLength(10);
    expect(balances.filter((b) => b === 30)).toHaveLength(90);
    expect(await getClaimModel(api.db).countDocuments({ rewardId: 'flash-gift', status: 'pending' })).toBe(10);
    await expectConsistent();
  }, 120_000); // 100 sign-ins, 100 adjustments and 100 claims on the shared test database
});

describe('fulfilment', () => {
  it('records the fulfilment code, which the citizen sees; a claim is fulfilled once', async () => {
    const dan = await citizenWith(100);
    const made = (await claim(dan, GIFT)).body as Claim;
    const done = await postJson(api, `/admin/claims/${made.id}/fulfil`, { code: 'QH-2026-0001' }, publicity.auth);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'fulfilled', fulfilmentCode: 'QH-2026-0001', citizenId: dan.id });
    const mine = (await getJson(api, '/me/claims', dan.auth)).body.items[0];
    expect(mine).toMatchObject({ status: 'fulfilled', statusName: '已发放', fulfilmentCode: 'QH-2026-0001' });
    expect((await getRewardModel(api.db).findById(GIFT).lean())!.holds).not.toContain(made.id);

    const again = await postJson(api, `/admin/claims/${made.id}/fail`, { reason: '重复操作' }, admin.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CLAIM_NOT_PENDING');
    expect(await balance(dan)).toBe(40);
  });

  it('refunds the points of a claim that could not be fulfilled and gives back the unit and the limit slot', async () => {
    const eve = await citizenWith(100);
    const stock = await stockOf(GIFT);
    const made = (await claim(eve, GIFT)).body as Claim;
    expect(await balance(eve)).toBe(40);

    const tooShort = await postJson(api, `/admin/claims/${made.id}/fail`, { reason: '无' }, admin.auth);
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.details[0].field).toBe('reason');
    const failed = await postJson(api, `/admin/claims/${made.id}/fail`, { reason: '礼品已停产' }, admin.auth);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'failed', failReason: '礼品已停产' });

    expect(await balance(eve)).toBe(100);
    expect(await stockOf(GIFT)).toBe(stock);
    const [refund] = (await getJson(api, '/me/points/history', eve.auth)).body.items;
    expect(refund).toMatchObject({ kind: 'refund', amount: 60, reason: 'claim_refund', claimId: made.id });
    expect(refund.reasonText).toBe('「文明城市纪念雨伞」未能发放，积分退回：礼品已停产+60');
    // Settling again (as a repair would) refunds nothing more.
    await api.services.points.repair();
    expect(await balance(eve)).toBe(100);
    // The limit slot is free again.
    expect((await claim(eve, GIFT)).status).toBe(201);
    await expectConsistent();
  });

  it('lists claims for staff by status and answers unknown claims with 404', async () => {
    const pending = await getJson(api, '/admin/claims?status=pending&limit=100', admin.auth);
    expect(pending.status).toBe(200);
    expect(pending.body.items.length).toBeGreaterThan(0);
    expect(pending.body.items.every((c: Claim) => c.status === 'pending')).toBe(true);
    const page = await getJson(api, '/admin/claims?limit=2', admin.auth);
    const next = await getJson(api, `/admin/claims?limit=2&cursor=${page.body.nextCursor}`, admin.auth);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect((await getJson(api, '/admin/claims?status=lost', admin.auth)).status).toBe(400);
    expect((await postJson(api, `/admin/claims/${new Types.ObjectId().toHexString()}/fulfil`, { code: 'X1' }, admin.auth)).status).toBe(404);
    expect((await postJson(api, '/admin/claims/not-an-id/fulfil', { code: 'X1' }, admin.auth)).status).toBe(404);
    expect((await postJson(api, `/admin/claims/${new Types.ObjectId().toHexString()}/fulfil`, {}, admin.auth)).body.error.details[0].field).toBe(
      'code',
    );
  });

  it('exports pending claims as CSV: full numbers for admins only, and only while they still match', async () => {
    const fay = await citizenWith(200, 'csv-fay', '=HYPERLINK("x")');
    await patchJson(api, '/me', { phone: '13900001111' }, fay.auth);
    const made = (await claim(fay, CREDIT)).body as Claim;

    const res = await fetch(`${api.url}/admin/claims/export.csv`, { headers: admin.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
    expect(lines[0]).toBe(
      '兑换单号,奖品,类型,消耗积分,市民昵称,手机号（脱敏）,手机号（完整）,号码核对,申请时间（北京时间）,状态,发放凭证,送达时间（北京时间）',
    );
    const row = lines.find((l) => l.startsWith(made.id))!;
    expect(row).toContain('139****1111,13900001111,一致');
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines.every((l) => !l.startsWith('=') && !l.includes(',='))).toBe(true);

    const forPublicity = await (await fetch(`${api.url}/admin/claims/export.csv`, { headers: publicity.auth })).text();
    expect(forPublicity).not.toContain('13900001111');
    expect(forPublicity).not.toContain('手机号（完整）');
    expect(forPublicity).toContain('139****1111');

    await patchJson(api, '/me', { phone: '13711112222' }, fay.auth);
    const changed = await (await fetch(`${api.url}/admin/claims/export.csv`, { headers: admin.auth })).text();
    const changedRow = changed.split('\r\n').find((l) => l.startsWith(made.id))!;
    expect(changedRow).not.toContain('13711112222');
    expect(changedRow).toContain('市民已更换或解绑手机号');

    expect((await fetch(`${api.url}/admin/claims/export.csv?status=lost`, { headers: admin.auth })).status).toBe(400);
  });

  it('keeps citizens and other staff out of the staff endpoints', async () => {
    const gus = await citizenWith(0);
    for (const who of [gus.auth, operator.auth]) {
      expect((await getJson(api, '/admin/claims', who)).status).toBe(403);
      expect((await fetch(`${api.url}/admin/claims/export.csv`, { headers: who })).status).toBe(403);
      expect((await postJson(api, `/admin/claims/${new Types.ObjectId().toHexString()}/fulfil`, { code: 'X' }, who)).status).toBe(403);
    }
    expect((await getJson(api, '/admin/claims')).status).toBe(401);
    expect((await postJson(api, `/rewards/${GIFT}/claims`, {})).status).toBe(401);
    expect((await postJson(api, `/rewards/${GIFT}/claims`, {}, admin.auth)).status).toBe(403);
    expect((await getJson(api, '/me/claims')).status).toBe(401);
  });
});

describe('repair after a crash', () => {
  /** The state a claim request leaves when the process dies right after taking the unit. */
  async function strandedClaim(who: TestCitizen, rewardId: string) {
    const reward = (await getRewardModel(api.db).findById(rewardId).lean())!;
    const _id = new Types.ObjectId();
    await getClaimModel(api.db).create({
      _id,
      key: `${who.id}:${randomUUID()}`,
      citizenId: who.id,
      rewardId,
      rewardName: reward.name,
      kind: reward.kind,
      costPoints: reward.costPoints,
      status: 'reserving',
      limitId: null,
      settled: false,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    await getRewardModel(api.db).updateOne({ _id: rewardId, stock: { $gte: 1 } }, { $inc: { stock: -1 }, $push: { holds: String(_id) } });
    return String(_id);
  }

  it('finishes a claim stuck in reserving exactly once, or rejects it and returns the unit', async () => {
    await putReward('repair-gift', { stock: 5, costPoints: 25 });
    const hal = await citizenWith(40);
    const ida = await citizenWith(10);
    const paid = await strandedClaim(hal, 'repair-gift');
    const unpaid = await strandedClaim(ida, 'repair-gift');
    expect(await stockOf('repair-gift')).toBe(3);

    await api.services.points.repair(); // too recent: the request may still be running
    expect((await getClaimModel(api.db).findById(paid).lean())!.status).toBe('reserving');

    clock.advance(11 * 60_000);
    await api.services.points.repair();
    await api.services.points.repair();
    expect((await getClaimModel(api.db).findById(paid).lean())!.status).toBe('pending');
    expect(await balance(hal)).toBe(15);
    expect(await getClaimModel(api.db).findById(unpaid).lean()).toMatchObject({
      status: 'rejected',
      rejectCode: 'INSUFFICIENT_POINTS',
      settled: true,
    });
    expect(await balance(ida)).toBe(10);
    expect(await stockOf('repair-gift')).toBe(4);
    expect((await getRewardModel(api.db).findById('repair-gift').lean())!.holds).toEqual([paid]);
    await expectConsistent();
  });
});
