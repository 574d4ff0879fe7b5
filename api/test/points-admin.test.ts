/**
 * The administrator's points desk (issue 17): finding a citizen (GET /admin/citizens),
 * their balance and audited ledger (who adjusted, and why), adjustments with a reason and
 * the zero floor; and the last step of a claim, 已送达 (POST /admin/claims/:id/delivered).
 * Real HTTP against the real database stand-in.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import {
  citizenPointsSchema,
  citizenSearchResultSchema,
  claimSchema,
  staffClaimSchema,
  staffPointsHistorySchema,
  staffPointsLineSchema,
  type Claim,
} from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, patchJson, postJson, type TestCitizen } from './helpers/citizens';
import { staffLogin, type TestStaff } from './helpers/staff';
import { getClaimModel } from '../src/points/models';

const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let api: TestApi;
let admin: TestStaff;
let publicity: TestStaff;
let operator: TestStaff;

const GIFT = 'civic-gift-umbrella';

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true' } });
  admin = await staffLogin(api, 'admin');
  publicity = await staffLogin(api, 'publicity');
  operator = await staffLogin(api, 'operator');
});
afterAll(async () => {
  await api.close();
});

const search = (q: string, who = admin.auth, extra = '') => getJson(api, `/admin/citizens?q=${encodeURIComponent(q)}${extra}`, who);
const adjust = (body: Record<string, unknown>, who = admin.auth) => postJson(api, '/admin/points/adjustments', body, who);

async function balance(who: TestCitizen): Promise<number> {
  return (await getJson(api, '/me/points', who.auth)).body.balance as number;
}

function expectField(res: { status: number; body: { error?: { code: string; details: { field: string }[] } } }, status: number, field: string) {
  expect(res.status).toBe(status);
  expect(res.body.error!.details.map((d) => d.field)).toContain(field);
}

describe('finding a citizen', () => {
  let lin: TestCitizen;
  let lin2: TestCitizen;
  beforeAll(async () => {
    lin = await loginCitizen(api, 'search-lin', '林小满');
    clock.advance(1000);
    lin2 = await loginCitizen(api, 'search-lin2', '林大川');
    await patchJson(api, '/me', { phone: '13912345678' }, lin.auth);
    // A number bound before the phone tail existed: the first phone search fills the tail in.
    await api.db.collection('citizens').updateOne({ _id: new Types.ObjectId(lin2.id) }, { $set: { phone: '13700009999' } });
  });

  it('by the start of the nickname, newest first, a page at a time', async () => {
    const res = await search('林');
    expect(res.status).toBe(200);
    const found = citizenSearchResultSchema.parse(res.body);
    expect(found.items.map((c) => c.id)).toEqual([lin2.id, lin.id]);

    const first = citizenSearchResultSchema.parse((await search('林', admin.auth, '&limit=1')).body);
    expect(first.items.map((c) => c.id)).toEqual([lin2.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = citizenSearchResultSchema.parse((await search('林', admin.auth, `&limit=1&cursor=${first.nextCursor}`)).body);
    expect(second.items.map((c) => c.id)).toEqual([lin.id]);
  });

  it('by the last 4 digits of the phone number or its masked form, answering the masked number only', async () => {
    for (const q of ['5678', '139****5678']) {
      const res = await search(q);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ id: lin.id, nickname: '林小满', phoneMasked: '139****5678' })]);
      expect(JSON.stringify(res.body)).not.toContain('13912345678');
    }
    expect((await search('138****5678')).body.items).toEqual([]);
    // The number bound before the tail existed is found too.
    expect((await search('9999')).body.items.map((c: { id: string }) => c.id)).toEqual([lin2.id]);
    // Unbinding the number takes the tail away.
    await patchJson(api, '/me', { phone: null }, lin2.auth);
    expect((await search('9999')).body.items).toEqual([]);
  });

  it('by citizen id; regular-expression characters are only text', async () => {
    expect((await search(lin.id)).body.items.map((c: { id: string }) => c.id)).toEqual([lin.id]);
    expect((await search(new Types.ObjectId().toHexString())).body.items).toEqual([]);
    const any = await search('.*');
    expect(any.status).toBe(200);
    expect(any.body.items).toEqual([]);
  });

  it('reads the phone tail from an index, not by scanning every citizen', async () => {
    const explained = await api.db.db!.command({ explain: { find: 'citizens', filter: { phoneTail: '5678' } }, verbosity: 'queryPlanner' });
    const plan = JSON.stringify(explained);
    expect(plan).toContain('IXSCAN');
    expect(plan).not.toContain('COLLSCAN');
  });

  it('refuses bad input with 400 on the field', async () => {
    expectField(await getJson(api, '/admin/citizens', admin.auth), 400, 'q');
    expectField(await search('   '), 400, 'q');
    expectField(await search('x'.repeat(41)), 400, 'q');
    expectField(await search('林', admin.auth, '&limit=0'), 400, 'limit');
    expectField(await search('林', admin.auth, '&cursor=bad'), 400, 'cursor');
  });

  it('is for administrators only', async () => {
    expect((await getJson(api, '/admin/citizens?q=5678')).status).toBe(401);
    for (const who of [lin.auth, operator.auth, publicity.auth]) {
      expect((await search('5678', who)).status).toBe(403);
      expect((await getJson(api, `/admin/points/citizens/${lin.id}`, who)).status).toBe(403);
      expect((await getJson(api, `/admin/points/citizens/${lin.id}/history`, who)).status).toBe(403);
      expect((await adjust({ citizenId: lin.id, amount: 10, reason: '越权发放' }, who)).status).toBe(403);
    }
    expect(await balance(lin)).toBe(0);
  });
});

describe('adjusting points with a reason', () => {
  it('records the reason and the operator on the ledger line; the balance follows', async () => {
    const mei = await loginCitizen(api, 'adjust-mei', '王小美');
    const before = citizenPointsSchema.parse((await getJson(api, `/admin/points/citizens/${mei.id}`, admin.auth)).body);
    expect(before).toMatchObject({ citizen: { id: mei.id, nickname: '王小美', phoneMasked: null }, balance: 0 });

    const res = await adjust({ citizenId: mei.id, amount: 50, reason: '线下活动补发积分' });
    expect(res.status).toBe(201);
    const line = staffPointsLineSchema.parse(res.body.line);
    expect(line).toMatchObject({
      kind: 'adjustment',
      amount: 50,
      balanceAfter: 50,
      reason: 'admin_adjustment',
      note: '线下活动补发积分',
      operator: { id: admin.id, displayName: admin.displayName },
    });
    expect(line.reasonText).toContain('线下活动补发积分');
    expect(res.body.balance).toBe(50);

    const history = staffPointsHistorySchema.parse((await getJson(api, `/admin/points/citizens/${mei.id}/history`, admin.auth)).body);
    expect(history.items[0]).toMatchObject({ id: line.id, note: '线下活动补发积分', operator: { displayName: admin.displayName } });
    expect((await getJson(api, `/admin/points/citizens/${mei.id}`, admin.auth)).body.balance).toBe(50);
    expect(await balance(mei)).toBe(50);
    // The citizen's own history says why, but not who.
    const mine = (await getJson(api, '/me/points/history', mei.auth)).body.items[0];
    expect(mine.reasonText).toContain('线下活动补发积分');
    expect(mine).not.toHaveProperty('operator');

    const down = await adjust({ citizenId: mei.id, amount: -20, reason: '重复发放，扣回' });
    expect(down.status).toBe(201);
    expect(down.body).toMatchObject({ balance: 30, line: { amount: -20, note: '重复发放，扣回' } });
    const lines = (await getJson(api, `/admin/points/citizens/${mei.id}/history`, admin.auth)).body.items;
    expect(lines.map((l: { amount: number }) => l.amount)).toEqual([-20, 50]);
  });

  it('refuses to take a balance below zero, on the amount field, changing nothing', async () => {
    const han = await loginCitizen(api, 'adjust-han', '韩梅');
    await adjust({ citizenId: han.id, amount: 10, reason: '初始积分' });
    const res = await adjust({ citizenId: han.id, amount: -11, reason: '扣减过多' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INSUFFICIENT_POINTS');
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'amount', issue: expect.stringContaining('10') })]);
    expect(await balance(han)).toBe(10);
    expect((await getJson(api, `/admin/points/citizens/${han.id}/history`, admin.auth)).body.items).toHaveLength(1);
    expect((await adjust({ citizenId: han.id, amount: -10, reason: '清零' })).body.balance).toBe(0);
  });

  it('refuses bad input with 400 on the field, and an unknown citizen with 404', async () => {
    const jo = await loginCitizen(api, 'adjust-jo', '乔');
    expectField(await adjust({ citizenId: jo.id, amount: 5 }), 400, 'reason');
    expectField(await adjust({ citizenId: jo.id, amount: 5, reason: ' 好 ' }), 400, 'reason');
    expectField(await adjust({ citizenId: jo.id, amount: 0, reason: '无变化' }), 400, 'amount');
    expectField(await adjust({ citizenId: jo.id, amount: 1.5, reason: '小数' }), 400, 'amount');
    expectField(await adjust({ citizenId: jo.id, amount: '5', reason: '字符串' }), 400, 'amount');
    expectField(await adjust({ citizenId: 'nobody', amount: 5, reason: '无此人' }), 400, 'citizenId');
    const unknown = new Types.ObjectId().toHexString();
    expect((await adjust({ citizenId: unknown, amount: 5, reason: '无此人' })).status).toBe(404);
    expect((await getJson(api, `/admin/points/citizens/${unknown}`, admin.auth)).status).toBe(404);
    expect((await getJson(api, `/admin/points/citizens/${unknown}/history`, admin.auth)).status).toBe(404);
    expectField(await getJson(api, `/admin/points/citizens/${jo.id}/history?limit=500`, admin.auth), 400, 'limit');
    expect(await balance(jo)).toBe(0);
  });

  it('adjusts once for a retried request, even when the retries arrive together', async () => {
    const kai = await loginCitizen(api, 'adjust-kai', '凯');
    const body = { citizenId: kai.id, amount: 7, reason: '网络重试', clientRequestId: randomUUID() };
    const answers = await Promise.all(Array.from({ length: 6 }, () => adjust(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.line.id)).size).toBe(1);
    expect(await balance(kai)).toBe(7);
    expect(await api.services.points.checkInvariants()).toEqual([]);
  });
});

describe('marking a claim delivered (已送达)', () => {
  async function fulfilledClaim(): Promise<{ who: TestCitizen; claim: Claim }> {
    const who = await loginCitizen(api, `deliver-${randomUUID().slice(0, 8)}`, '送达测试');
    await api.services.points.adjust(admin.id, { citizenId: who.id, amount: 100, reason: '测试发放积分' });
    const made = (await postJson(api, `/rewards/${GIFT}/claims`, { clientRequestId: randomUUID() }, who.auth)).body as Claim;
    return { who, claim: claimSchema.parse(made) };
  }
  const deliver = (id: string, who = publicity.auth, body: unknown = {}) => postJson(api, `/admin/claims/${id}/delivered`, body, who);

  it('only after it was shipped; then the citizen sees 已送达 with the date; marking again changes nothing', async () => {
    const { who, claim } = await fulfilledClaim();
    const early = await deliver(claim.id);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CLAIM_NOT_FULFILLED');

    expect((await postJson(api, `/admin/claims/${claim.id}/fulfil`, { code: 'SF1234567890' }, publicity.auth)).status).toBe(200);
    clock.advance(60 * 60_000);
    const res = await deliver(claim.id);
    expect(res.status).toBe(200);
    const done = staffClaimSchema.parse(res.body);
    expect(done).toMatchObject({ status: 'fulfilled', statusName: '已送达', fulfilmentCode: 'SF1234567890', deliveredAt: clock.now().toISOString() });

    const mine = (await getJson(api, '/me/claims', who.auth)).body.items[0];
    expect(mine).toMatchObject({ id: claim.id, status: 'fulfilled', statusName: '已送达', deliveredAt: done.deliveredAt });
    const messages = (await getJson(api, '/me/messages', who.auth)).body.items as { title: string }[];
    expect(messages.map((m) => m.title)).toContain('兑换已送达：文明城市纪念雨伞');

    clock.advance(60_000);
    const again = await deliver(claim.id, admin.auth);
    expect(again.status).toBe(200);
    expect(again.body.deliveredAt).toBe(done.deliveredAt);

    // A delivered claim can no longer fail (and refund).
    expect((await postJson(api, `/admin/claims/${claim.id}/fail`, { reason: '已送达不能失败' }, admin.auth)).status).toBe(409);

    const csv = await (await fetch(`${api.url}/admin/claims/export.csv?status=fulfilled`, { headers: admin.auth })).text();
    const row = csv.split('\r\n').find((l) => l.startsWith(claim.id))!;
    expect(row).toContain('已送达');
    expect(row).toContain('SF1234567890');
  });

  it('changes once when several clicks arrive together, with no error', async () => {
    const { claim } = await fulfilledClaim();
    await postJson(api, `/admin/claims/${claim.id}/fulfil`, { code: 'QH-PARALLEL' }, admin.auth);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => deliver(claim.id, i % 2 ? admin.auth : publicity.auth)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.body.deliveredAt)).size).toBe(1);
    const stored = (await getClaimModel(api.db).findById(claim.id).lean())!;
    expect(stored.deliveredAt).toBeInstanceOf(Date);
  });

  it('works on claims stored before the field existed', async () => {
    const { claim } = await fulfilledClaim();
    await postJson(api, `/admin/claims/${claim.id}/fulfil`, { code: 'OLD-1' }, admin.auth);
    await api.db.collection('reward_claims').updateOne({ _id: new Types.ObjectId(claim.id) }, { $unset: { deliveredAt: 1, deliveredBy: 1 } });
    const listed = (await getJson(api, '/admin/claims?status=fulfilled&limit=100', admin.auth)).body.items.find((c: Claim) => c.id === claim.id);
    expect(listed).toMatchObject({ statusName: '已发放', deliveredAt: null });
    expect((await deliver(claim.id)).body).toMatchObject({ statusName: '已送达' });
  });

  it('refuses failed claims, unknown ids, a body and callers without the right', async () => {
    const { claim } = await fulfilledClaim();
    await postJson(api, `/admin/claims/${claim.id}/fail`, { reason: '礼品缺货' }, admin.auth);
    const failed = await deliver(claim.id);
    expect(failed.status).toBe(409);
    expect(failed.body.error.code).toBe('CLAIM_NOT_FULFILLED');

    expect((await deliver(new Types.ObjectId().toHexString())).status).toBe(404);
    expect((await deliver('not-an-id')).status).toBe(404);
    const withBody = await deliver(claim.id, admin.auth, { deliveredAt: '2026-01-01' });
    expect(withBody.status).toBe(400);
    expect(withBody.body.error.code).toBe('VALIDATION_FAILED');

    const citizen = await loginCitizen(api, 'deliver-intruder');
    expect((await deliver(claim.id, operator.auth)).status).toBe(403);
    expect((await deliver(claim.id, citizen.auth)).status).toBe(403);
    expect((await postJson(api, `/admin/claims/${claim.id}/delivered`, {})).status).toBe(401);
  });
});
