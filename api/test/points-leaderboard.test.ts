import { Types } from 'mongoose';
import { leaderboardSchema, type Leaderboard } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import { effectId, parseEffect, type CaseDoc, type CaseEvent } from '../src/cases/models';
import { toCaseView, toEventMessage } from '../src/cases/events';

const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
let base: number;
let d1: string;
let d2: string;
let admin: TestStaff;
let ming: TestCitizen;
let hong: TestCitizen;
let zhang: TestCitizen;
let wei: TestCitizen;
let idle: TestCitizen;
const zhangOctoberCases: { caseDoc: CaseDoc; event: CaseEvent }[] = [];

/** Files a case for the points service only: `reporterId` earns the category's points in `districtId` at `at`. */
async function earn(who: TestCitizen, at: string, districtId: string) {
  const caseId = new Types.ObjectId();
  const { id: categoryId, family, majorCode } = city.publicCategory;
  const dims = {
    categoryId,
    family,
    majorCode,
    districtId,
    streetId: 's',
    gridId: 'g',
    departmentId: null,
    source: 'citizen',
    campaignId: null,
    deadline: null,
  };
  const common = { at: new Date(at), actorId: null, publicNote: null, internalNote: null, photoIds: [], data: null, dims };
  const events = [
    { ...common, seq: 1, action: 'submit', from: null, to: 'pending', actorRole: 'reporter' },
    { ...common, seq: 2, action: 'file', from: 'pending', to: 'filed', actorRole: 'operator' },
  ] as CaseEvent[];
  const caseDoc = { _id: caseId, reporterId: who.id, categoryName: city.publicCategory.name, events } as unknown as CaseDoc;
  await api.services.points.onCaseEvent(toEventMessage(caseDoc, events[1]!), toCaseView(caseDoc), parseEffect(effectId(caseId, 2, 'points')));
  return { caseDoc, event: events[1]! };
}

async function board(query: string, who?: TestCitizen): Promise<Leaderboard> {
  const res = await getJson(api, `/leaderboard${query}`, who?.auth ?? {});
  expect(res.status).toBe(200);
  return leaderboardSchema.parse(res.body);
}

/** Rows by rank; citizens sharing a rank by name (their order within it is the server's _id order, not meaningful). */
const rows = (b: Leaderboard) =>
  b.items.map((i) => [i.rank, i.displayName, i.earned] as const).sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1], 'zh'));

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true' } });
  city = await demoCity(api);
  base = city.publicCategory.basePoints;
  const tree = await api.services.catalogue.areaTree();
  [d1, d2] = [tree.districts[0]!.id, tree.districts[1]!.id];
  admin = await staffLogin(api, 'admin');
  ming = await loginCitizen(api, 'lb-ming', '阿明');
  hong = await loginCitizen(api, 'lb-hong', '小红');
  zhang = await loginCitizen(api, 'lb-zhang', '老张');
  wei = await loginCitizen(api, 'lb-wei', '小魏');
  idle = await loginCitizen(api, 'lb-idle', '路人');

  for (const day of ['2026-10-05', '2026-10-06', '2026-10-07']) zhangOctoberCases.push(await earn(zhang, `${day}T02:00:00Z`, d1));
  await earn(zhang, '2026-11-02T02:00:00Z', d1);
  await earn(ming, '2026-11-03T02:00:00Z', d1);
  await earn(ming, '2026-11-04T02:00:00Z', d1);
  for (const day of ['2026-11-05', '2026-11-06', '2026-11-07']) await earn(hong, `${day}T02:00:00Z`, d2);
  await earn(wei, '2026-11-08T02:00:00Z', d2);
  await earn(wei, '2026-11-09T02:00:00Z', d2);
  const anonymous = await fetch(`${api.url}/me/points/preferences`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...hong.auth },
    body: JSON.stringify({ anonymous: true }),
  });
  expect(anonymous.status).toBe(200);
});
afterAll(async () => {
  await api.close();
});

describe('GET /leaderboard', () => {
  it('ranks this month by points earned, equal points sharing a rank, anonymous citizens as 匿名市民', async () => {
    const b = await board('', ming);
    expect(b).toMatchObject({ period: 'month', month: '2026-11', districtId: null });
    expect(rows(b)).toEqual([
      [1, '匿名市民', base * 3],
      [2, '阿明', base * 2],
      [2, '小魏', base * 2],
      [4, '老张', base],
    ]);
    expect(b.items.filter((i) => i.isMe).map((i) => i.displayName)).toEqual(['阿明']);
    expect(b.me).toEqual({ rank: 2, earned: base * 2, displayName: '阿明' });
    // No ids of anyone, and the anonymous citizen's nickname nowhere.
    const text = JSON.stringify(b);
    expect(text).not.toContain('小红');
    for (const c of [ming, hong, zhang, wei, idle]) expect(text).not.toContain(c.id);

    const own = await board('', hong);
    expect(own.me).toEqual({ rank: 1, earned: base * 3, displayName: '匿名市民' });
  });

  it("gives the caller's own rank outside the top N, none before earning, and nothing personal to visitors", async () => {
    const top1 = await board('?limit=1', zhang);
    expect(rows(top1)).toEqual([[1, '匿名市民', base * 3]]);
    expect(top1.me).toEqual({ rank: 4, earned: base, displayName: '老张' });
    expect((await board('', idle)).me).toEqual({ rank: null, earned: 0, displayName: '路人' });
    expect((await board('')).me).toBeNull();
  });

  it('separates months from all time and filters by district', async () => {
    expect(rows(await board('?month=2026-10'))).toEqual([[1, '老张', base * 3]]);
    expect(rows(await board('?period=all'))).toEqual([
      [1, '老张', base * 4],
      [2, '匿名市民', base * 3],
      [3, '阿明', base * 2],
      [3, '小魏', base * 2],
    ]);
    expect(rows(await board(`?district=${d1}`))).toEqual([
      [1, '阿明', base * 2],
      [2, '老张', base],
    ]);
    expect(rows(await board(`?period=all&district=${d2}`))).toEqual([
      [1, '匿名市民', base * 3],
      [2, '小魏', base * 2],
    ]);
    expect((await board('?month=2026-09')).items).toEqual([]);
  });

  it('is not lowered by spending, but a voided case comes off the month it was earned in', async () => {
    const spend = await postJson(api, '/admin/points/adjustments', { citizenId: ming.id, amount: -base, reason: '测试：兑换消费' }, admin.auth);
    expect(spend.status).toBe(201);
    expect((await board('', ming)).me).toEqual({ rank: 2, earned: base * 2, displayName: '阿明' });

    const voided = zhangOctoberCases[0]!;
    const voidEvent = { ...voided.event, seq: 3, action: 'void', from: 'filed', to: 'rejected', at: clock.now() } as CaseEvent;
    const caseDoc = { ...voided.caseDoc, events: [...voided.caseDoc.events, voidEvent] } as CaseDoc;
    await api.services.points.onCaseEvent(toEventMessage(caseDoc, voidEvent), toCaseView(caseDoc), parseEffect(effectId(caseDoc._id, 3, 'points')));
    expect(rows(await board('?month=2026-10'))).toEqual([[1, '老张', base * 2]]);
    expect(rows(await board('?month=2026-11'))[3]).toEqual([4, '老张', base]);
    expect((await board('?period=all', zhang)).me).toEqual({ rank: 1, earned: base * 3, displayName: '老张' });
    expect(await api.services.points.checkInvariants()).toEqual([]);
  });

  it('shows the nickname again when the citizen turns anonymity off', async () => {
    const res = await fetch(`${api.url}/me/points/preferences`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...hong.auth },
      body: JSON.stringify({ anonymous: false }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { leaderboardAnonymous: boolean }).leaderboardAnonymous).toBe(false);
    expect(rows(await board(''))[0]).toEqual([1, '小红', base * 3]);
    await fetch(`${api.url}/me/points/preferences`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...hong.auth },
      body: JSON.stringify({ anonymous: true }),
    });
  });

  it('answers bad queries with the field at fault', async () => {
    const bad: [string, string][] = [
      ['?period=week', 'period'],
      ['?month=2026-13', 'month'],
      ['?period=all&month=2026-11', 'month'],
      ['?district=NOPE', 'district'],
      ['?district=%3Cscript%3E', 'district'],
      ['?limit=0', 'limit'],
    ];
    for (const [query, field] of bad) {
      const res = await getJson(api, `/leaderboard${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const prefs = await fetch(`${api.url}/me/points/preferences`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...ming.auth },
      body: JSON.stringify({ anonymous: 'yes' }),
    });
    expect(prefs.status).toBe(400);
    const noLogin = await fetch(`${api.url}/me/points/preferences`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"anonymous":true}',
    });
    expect(noLogin.status).toBe(401);
  });
});
