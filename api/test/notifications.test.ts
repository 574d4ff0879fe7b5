import { randomUUID } from 'node:crypto';
import { inboxPageSchema, subscriptionStatusSchema } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginWithWeChatCode, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { getCaseModel } from '../src/cases/models';
import { staffLogin, type TestStaff } from './helpers/staff';
import { toCaseView, toEventMessage } from '../src/cases/events';

/**
 * What reaches a citizen, per subscription configuration, against a WeChat fake that
 * keeps subscribe quotas as WeChat does (one send per one-time acceptance; 43101 without).
 */
const ONE_TIME = {
  WECHAT_SUBSCRIBE_MODE: 'one-time',
  WECHAT_TEMPLATE_CASE_ACCEPTED: 'tmpl-accepted',
  WECHAT_TEMPLATE_CASE_RESULT: 'tmpl-result',
  WECHAT_TEMPLATE_RATING_REMINDER: 'tmpl-rating',
};
const LONG_TERM = { WECHAT_SUBSCRIBE_MODE: 'long-term', WECHAT_TEMPLATE_CASE_STATUS: 'tmpl-long' };

let wechat: FakeWeChat;
let api: TestApi;
let longTermApi: TestApi;
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  wechat = await startFakeWeChat({ longTermTemplates: ['tmpl-long'] });
  api = await startTestApi({ clock, env: { ...wechat.env, ...ONE_TIME } });
  longTermApi = await startTestApi({ clock, env: { ...wechat.env, ...LONG_TERM } });
  city = await demoCity(api);
  await demoCity(longTermApi);
});
afterAll(async () => {
  await api.close();
  await longTermApi.close();
  await wechat.close();
});
beforeEach(() => wechat.reset());

function wechatCitizen(user: string, on: TestApi = api): Promise<TestCitizen> {
  return loginWithWeChatCode(on, wechat.newCode(user));
}

/** The subscribe popup: WeChat records the acceptance, the mini-program tells the API what was answered. */
async function acceptInPopup(on: TestApi, who: TestCitizen, user: string, templateIds: string[]) {
  wechat.acceptSubscription(wechat.openidOf(user), templateIds);
  const res = await postJson(on, '/me/subscriptions', { results: Object.fromEntries(templateIds.map((t) => [t, 'accept'])) }, who.auth);
  expect(res.status).toBe(200);
  return subscriptionStatusSchema.parse(res.body);
}

async function report(who: TestCitizen, on: TestApi = api): Promise<string> {
  const photoIds = await uploadPhotos(on, who, 1);
  const res = await postJson(
    on,
    '/reports',
    { categoryId: city.publicCategory.id, location: city.point, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  await on.services.relay.settled(); // the new report's effects run after the answer
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** 受理 → 派遣 → 处理完毕 → 结案, by the staff roles that do them. */
async function walkToClosure(on: TestApi, id: string) {
  const wf = on.services.workflow;
  await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
  await wf.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
  await wf.transition(id, { action: 'report_handled', actor: { role: 'department', id: null } });
  await wf.transition(id, { action: 'verify_pass', actor: { role: 'supervisor', id: null } });
}

async function inbox(on: TestApi, who: TestCitizen, query = '') {
  const res = await getJson(on, `/me/messages${query}`, who.auth);
  expect(res.status).toBe(200);
  return inboxPageSchema.parse(res.body);
}

const sentTo = (user: string) => wechat.messages.filter((m) => m.touser === wechat.openidOf(user));

describe('subscribe messages with one-time templates', () => {
  it('spends each acceptance on the step that matters, never on 已收到, and puts every step in the message centre', async () => {
    const alice = await wechatCitizen('alice');
    const granted = await acceptInPopup(api, alice, 'alice', ['tmpl-accepted', 'tmpl-result', 'tmpl-rating']);
    expect(granted.templates.map((t) => [t.purpose, t.remaining, t.active])).toEqual([
      ['caseAccepted', 1, true],
      ['caseResult', 1, true],
      ['ratingReminder', 1, true],
    ]);
    const id = await report(alice);
    await walkToClosure(api, id);
    await api.services.notifications.outbox.processDue();

    // 受理 (立案) and 结案 reached WeChat; 已收到, 派遣 and 处理完毕 did not.
    expect(sentTo('alice').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-accepted', '已立案'],
      ['tmpl-result', '已结案'],
    ]);
    expect(sentTo('alice')[0]).toMatchObject({ page: `pages/report-detail/index?id=${id}`, lang: 'zh_CN' });
    // A day later, still unrated: the rating reminder.
    clock.advance(25 * 3600_000);
    await api.services.notifications.outbox.processDue();
    expect(sentTo('alice').map((m) => m.template_id)).toEqual(['tmpl-accepted', 'tmpl-result', 'tmpl-rating']);

    // Every step is in the message centre, newest first, unread; so are the points it earned.
    const page = await inbox(api, alice);
    expect(page.items.filter((m) => m.kind === 'points').map((m) => m.title)).toEqual(['获得积分 +5', '获得积分 +15']);
    const steps = page.items.filter((m) => m.kind === 'case');
    expect(steps.map((m) => m.body.split('。')[0])).toEqual([
      '问题已解决，案件已结案，欢迎评价',
      '处置部门已处理完毕，等待核查',
      '已派遣至处置部门',
      '您的上报已受理立案',
      '已收到您的上报，等待受理',
    ]);
    expect(page.unread).toBe(7);
    expect(steps.every((m) => m.page === `pages/report-detail/index?id=${id}`)).toBe(true);

    // Nothing left: the API knows, and asks again.
    const after = subscriptionStatusSchema.parse((await getJson(api, '/me/subscriptions', alice.auth)).body);
    expect(after.templates.every((t) => t.remaining === 0 && !t.active)).toBe(true);
  });

  it('sends nothing to WeChat without an acceptance, yet keeps the step in the message centre', async () => {
    const bob = await wechatCitizen('bob');
    const id = await report(bob);
    await walkToClosure(api, id);
    await api.services.notifications.outbox.processDue();
    expect(wechat.sendAttempts.filter((a) => a.message.touser === wechat.openidOf('bob'))).toHaveLength(0);
    const dropped = await api.services.notifications.outbox.model.find({ 'payload.citizenId': bob.id }).lean();
    const due = dropped.filter((m) => (m.payload as { template: string }).template !== 'ratingReminder');
    expect(due.map((m) => (m.payload as { template: string }).template)).toEqual(['caseAccepted', 'caseResult']);
    expect(due.every((m) => m.status === 'dropped' && String(m.lastError).includes('no subscribe send left'))).toBe(true);
    expect((await inbox(api, bob)).items.filter((m) => m.kind === 'case')).toHaveLength(5);
  });

  it('uses one acceptance once: a second send of the template is refused by WeChat with 43101', async () => {
    await wechatCitizen('carol');
    wechat.acceptSubscription(wechat.openidOf('carol'), ['tmpl-result']);
    const send = () =>
      api.services.auth.wechat.sendSubscribeMessage({
        touser: wechat.openidOf('carol'),
        templateId: 'tmpl-result',
        data: { thing5: { value: '测试' } },
      });
    await send();
    await expect(send()).rejects.toMatchObject({ errcode: 43101 });
    expect(wechat.quotaOf(wechat.openidOf('carol'), 'tmpl-result')).toBe(0);
  });

  it('believes WeChat over its own count: 43101 zeroes the quota and the step stays in the message centre', async () => {
    const dan = await wechatCitizen('dan');
    // The mini-program says accepted, but WeChat never recorded it (e.g. a stale client).
    await postJson(api, '/me/subscriptions', { results: { 'tmpl-accepted': 'accept' } }, dan.auth);
    const id = await report(dan);
    await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    await api.services.notifications.outbox.processDue();
    const status = subscriptionStatusSchema.parse((await getJson(api, '/me/subscriptions', dan.auth)).body);
    expect(status.templates.find((t) => t.purpose === 'caseAccepted')).toMatchObject({ remaining: 0, active: false });
    expect(wechat.sendAttempts.filter((a) => a.outcome === 43101)).toHaveLength(1);
    expect((await inbox(api, dan)).items.map((m) => m.body)).toContain('您的上报已受理立案');
  });

  it('keeps the send when WeChat refuses the message itself (bad data): the next step uses it', async () => {
    const zed = await wechatCitizen('zed');
    await acceptInPopup(api, zed, 'zed', ['tmpl-accepted']);
    wechat.failNextSends(1, { errcode: 47003, errmsg: 'argument invalid! data.thing5.value invalid' });
    const first = await report(zed);
    await api.services.workflow.transition(first, { action: 'file', actor: { role: 'operator', id: null } });
    await api.services.notifications.outbox.processDue();
    expect(sentTo('zed')).toHaveLength(0);
    const status = subscriptionStatusSchema.parse((await getJson(api, '/me/subscriptions', zed.auth)).body);
    expect(status.templates.find((t) => t.purpose === 'caseAccepted')).toMatchObject({ remaining: 1, active: true });
    const second = await report(zed);
    await api.services.workflow.transition(second, { action: 'file', actor: { role: 'operator', id: null } });
    await api.services.notifications.outbox.processDue();
    expect(sentTo('zed').map((m) => m.template_id)).toEqual(['tmpl-accepted']);
  });

  it('fits a long staff note with emoji into the 20 characters WeChat allows, without splitting one', async () => {
    const amy = await wechatCitizen('amy');
    await acceptInPopup(api, amy, 'amy', ['tmpl-accepted']);
    const id = await report(amy);
    const note = `经核实${'😀'.repeat(16)}不予受理`;
    await api.services.workflow.transition(id, {
      action: 'reject',
      actor: { role: 'operator', id: null },
      set: { rejectReason: 'invalid' },
      publicNote: note,
    });
    await api.services.notifications.outbox.processDue();
    const sent = sentTo('amy');
    expect(sent).toHaveLength(1);
    expect(Array.from(sent[0]!.data.thing5!.value)).toHaveLength(20);
    expect(sent[0]!.data.thing5!.value).toBe(`经核实${'😀'.repeat(16)}…`);
  });

  it('tells the reporter why a report was rejected', async () => {
    const erin = await wechatCitizen('erin');
    await acceptInPopup(api, erin, 'erin', ['tmpl-accepted']);
    const id = await report(erin);
    await api.services.workflow.transition(id, { action: 'reject', actor: { role: 'operator', id: null }, set: { rejectReason: 'out_of_scope' } });
    await api.services.notifications.outbox.processDue();
    const last = sentTo('erin').at(-1);
    expect(last).toMatchObject({ template_id: 'tmpl-accepted' });
    expect(last?.data.phrase3?.value).toBe('已作废');
    expect(last?.data.thing5?.value).toContain('不属于城市管理范围');
    expect((await inbox(api, erin)).items[0]!.body).toContain('不属于城市管理范围');
  });

  it('retries while WeChat is busy or unreachable without losing the acceptance, then delivers once', async () => {
    const fay = await wechatCitizen('fay');
    await acceptInPopup(api, fay, 'fay', ['tmpl-accepted']);
    const outbox = api.services.notifications.outbox;
    wechat.failNextSends(2, { errcode: -1 });
    const id = await report(fay);
    await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    await outbox.processDue();
    let msg = await outbox.model.findOne({ 'payload.citizenId': fay.id, 'payload.template': 'caseAccepted' }).lean();
    expect(msg).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await outbox.processDue()).toBe(0);
    clock.advance(outbox.backoffMs(1));
    await outbox.processDue();
    wechat.setDown(true);
    clock.advance(outbox.backoffMs(2));
    await outbox.processDue();
    wechat.setDown(false);
    clock.advance(outbox.backoffMs(3));
    await outbox.processDue();
    msg = await outbox.model.findOne({ 'payload.citizenId': fay.id, 'payload.template': 'caseAccepted' }).lean();
    expect(msg).toMatchObject({ status: 'sent', attempts: 4 });
    expect(sentTo('fay')).toHaveLength(1);
    expect(wechat.quotaOf(wechat.openidOf('fay'), 'tmpl-accepted')).toBe(0);
  });

  it('stores a step once even when the case effect is processed twice', async () => {
    const gus = await wechatCitizen('gus');
    const id = await report(gus);
    await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    const doc = await getCaseModel(api.db).findById(id).lean();
    const event = doc!.events[1]!;
    const effect = { id: `${id}:2:notify`, type: 'notify', data: { seq: 2 } };
    await api.services.notifications.onCaseEvent(toEventMessage(doc!, event), toCaseView(doc!), effect);
    await api.services.notifications.onCaseEvent(toEventMessage(doc!, event), toCaseView(doc!), effect);
    expect(await api.services.notifications.outbox.model.countDocuments({ 'payload.citizenId': gus.id })).toBe(1);
    expect((await inbox(api, gus)).items.filter((m) => m.kind === 'case')).toHaveLength(2);
  });

  it('finishes effects left behind by a crash on the next sweep', async () => {
    const hal = await wechatCitizen('hal');
    const id = await report(hal);
    await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    const outbox = api.services.notifications.outbox;
    await outbox.model.deleteMany({ 'payload.citizenId': hal.id });
    await getCaseModel(api.db).updateOne({ _id: id }, { $push: { effects: `${id}:2:notify` } });
    expect(await api.services.relay.drainPending()).toBeGreaterThanOrEqual(1);
    expect(await outbox.model.countDocuments({ 'payload.citizenId': hal.id })).toBe(1);
    expect((await getCaseModel(api.db).findById(id).lean())!.effects).toEqual([]);
  });
});

describe('subscribe messages with a long-term template', () => {
  it('reaches WeChat at every step after 已收到 with one acceptance', async () => {
    const ivy = await wechatCitizen('ivy', longTermApi);
    const granted = await acceptInPopup(longTermApi, ivy, 'ivy', ['tmpl-long']);
    expect(granted).toMatchObject({ mode: 'long-term', templates: [{ purpose: 'caseStatus', kind: 'long-term', remaining: null, active: true }] });
    const id = await report(ivy, longTermApi);
    await walkToClosure(longTermApi, id);
    await longTermApi.services.notifications.outbox.processDue();
    expect(sentTo('ivy').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-long', '已立案'],
      ['tmpl-long', '已派遣'],
      ['tmpl-long', '待核查'],
      ['tmpl-long', '已结案'],
    ]);
    expect((await inbox(longTermApi, ivy)).items.filter((m) => m.kind === 'case')).toHaveLength(5);
  });
});

describe('the message centre and subscription API', () => {
  it('pages newest first, counts unread, marks read only my own messages', async () => {
    const jo = await wechatCitizen('jo');
    const kim = await wechatCitizen('kim');
    for (let i = 0; i < 3; i++) {
      const id = await report(jo);
      await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
      clock.advance(60_000);
    }
    // Three reports: 已收到 and 立案 each, and the points for each filing.
    const first = await inbox(api, jo, '?limit=5');
    expect(first.items).toHaveLength(5);
    expect(first.unread).toBe(9);
    const second = await inbox(api, jo, `?limit=5&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(4);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((m) => m.id)).size).toBe(9);
    expect(all.map((m) => m.at)).toEqual([...all.map((m) => m.at)].sort().reverse());

    // Kim cannot mark Jo's messages read.
    const byKim = await postJson(api, '/me/messages/read', { ids: [all[0]!.id] }, kim.auth);
    expect(byKim.body).toEqual({ unread: 0 });
    expect((await getJson(api, '/me/messages/unread-count', jo.auth)).body).toEqual({ unread: 9 });
    expect((await postJson(api, '/me/messages/read', { ids: [all[0]!.id, all[1]!.id] }, jo.auth)).body).toEqual({ unread: 7 });
    expect((await postJson(api, '/me/messages/read', {}, jo.auth)).body).toEqual({ unread: 0 });
    expect((await inbox(api, jo)).items.every((m) => m.read)).toBe(true);
  });

  it('refuses bad input with the field at fault', async () => {
    const lee = await wechatCitizen('lee');
    const unknown = await postJson(api, '/me/subscriptions', { results: { 'tmpl-other': 'accept' } }, lee.auth);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('results.tmpl-other');
    const badResult = await postJson(api, '/me/subscriptions', { results: { 'tmpl-result': 'maybe' } }, lee.auth);
    expect(badResult.status).toBe(400);
    const badId = await postJson(api, '/me/messages/read', { ids: ['nope'] }, lee.auth);
    expect(badId.status).toBe(400);
    const badCursor = await getJson(api, '/me/messages?cursor=!!', lee.auth);
    expect(badCursor.status).toBe(400);
    expect((await fetch(`${api.url}/me/messages`)).status).toBe(401);
  });
});

/**
 * One case followed over HTTP, as the staff and the citizen do it, for each configuration:
 * submit → 立案 → 派遣 → 签收 → 处理完毕 → 结案, then the rating. Each configuration's
 * figures (how many of the case's five steps reach WeChat) are asserted exactly.
 */
describe('one case over HTTP, per subscription configuration', () => {
  interface Desk {
    operator: TestStaff;
    dispatcher: TestStaff;
    department: TestStaff;
    supervisor: TestStaff;
  }
  const desks = new Map<TestApi, Desk>();
  let customApi: TestApi;

  beforeAll(async () => {
    // A deployment that would rather spend its one-time templates on 派遣 and 结案.
    customApi = await startTestApi({
      clock,
      env: { ...wechat.env, ...ONE_TIME, WECHAT_ONE_TIME_STEPS: 'caseAccepted:dispatch;caseResult:verify_pass' },
    });
    await demoCity(customApi);
    for (const on of [api, longTermApi, customApi]) {
      desks.set(on, {
        operator: await staffLogin(on, 'operator'),
        dispatcher: await staffLogin(on, 'dispatcher'),
        department: await staffLogin(on, 'department', city.departmentIds[0]),
        supervisor: await staffLogin(on, 'supervisor'),
      });
    }
  });
  afterAll(() => customApi.close());

  async function act(on: TestApi, staff: TestStaff, id: string, body: Record<string, unknown>): Promise<void> {
    const { version } = (await getJson(on, `/staff/cases/${id}`, staff.auth)).body as { version: number };
    const res = await postJson(on, `/staff/cases/${id}/actions`, { ...body, version }, staff.auth);
    expect([res.status, res.body?.error?.code]).toEqual([200, undefined]);
  }

  /** The official flow by the staff roles that do it, each over HTTP; WeChat's outbox run after each step. */
  async function followOverHttp(on: TestApi, id: string): Promise<void> {
    const desk = desks.get(on)!;
    const run = () => on.services.notifications.outbox.processDue();
    await act(on, desk.operator, id, { action: 'file' });
    await run();
    await act(on, desk.dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
    await run();
    await act(on, desk.department, id, { action: 'accept_task' });
    const after = await uploadPhotos(on, desk.department, 1);
    await act(on, desk.department, id, { action: 'report_handled', photoIds: after, publicNote: '已更换井盖' });
    await run();
    await act(on, desk.supervisor, id, { action: 'verify_pass' });
    await run();
  }

  const caseSteps = async (on: TestApi, who: TestCitizen) =>
    (await inbox(on, who)).items
      .filter((m) => m.kind === 'case')
      .map((m) => m.body.split('。')[0])
      .reverse();
  const STEPS = [
    '已收到您的上报，等待受理',
    '您的上报已受理立案',
    '已派遣至处置部门',
    '处置部门已处理完毕，等待核查',
    '问题已解决，案件已结案，欢迎评价',
  ];

  it('one-time templates: 立案 and 结案 reach WeChat, then the rating reminder; a second case without asking again reaches none', async () => {
    const mia = await wechatCitizen('mia');
    await acceptInPopup(api, mia, 'mia', ['tmpl-accepted', 'tmpl-result', 'tmpl-rating']);
    const id = await report(mia);
    await followOverHttp(api, id);
    expect(sentTo('mia').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-accepted', '已立案'],
      ['tmpl-result', '已结案'],
    ]);
    // Every send WeChat was asked for was allowed: the API never spends what it does not have.
    expect(wechat.sendAttempts.filter((a) => a.message.touser === wechat.openidOf('mia')).map((a) => a.outcome)).toEqual([0, 0]);
    clock.advance(25 * 3600_000);
    await api.services.notifications.outbox.processDue();
    expect(sentTo('mia').map((m) => m.template_id)).toEqual(['tmpl-accepted', 'tmpl-result', 'tmpl-rating']);
    expect(await caseSteps(api, mia)).toEqual(STEPS);
    expect((await postJson(api, `/me/reports/${id}/rating`, { score: 5 }, mia.auth)).status).toBe(200);

    // Everything granted is spent: the next case is told in the message centre only, and WeChat is not even asked.
    const status = subscriptionStatusSchema.parse((await getJson(api, '/me/subscriptions', mia.auth)).body);
    expect(status.templates.filter((t) => t.purpose !== 'campaign').map((t) => t.remaining)).toEqual([0, 0, 0]);
    const second = await report(mia);
    await followOverHttp(api, second);
    clock.advance(25 * 3600_000);
    await api.services.notifications.outbox.processDue();
    expect(wechat.sendAttempts.filter((a) => a.message.touser === wechat.openidOf('mia'))).toHaveLength(3);
    const secondNo = (await getCaseModel(api.db).findById(second).lean())!.caseNo;
    expect((await inbox(api, mia)).items.filter((m) => m.kind === 'case' && m.title.endsWith(secondNo))).toHaveLength(5);
  });

  it('a long-term template: every step after 已收到 reaches WeChat, four of five; nothing after the rating', async () => {
    const ned = await wechatCitizen('ned', longTermApi);
    await acceptInPopup(longTermApi, ned, 'ned', ['tmpl-long']);
    const id = await report(ned, longTermApi);
    await followOverHttp(longTermApi, id);
    expect((await postJson(longTermApi, `/me/reports/${id}/rating`, { score: 4 }, ned.auth)).status).toBe(200);
    clock.advance(25 * 3600_000);
    await longTermApi.services.notifications.outbox.processDue();
    expect(sentTo('ned').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-long', '已立案'],
      ['tmpl-long', '已派遣'],
      ['tmpl-long', '待核查'],
      ['tmpl-long', '已结案'],
    ]);
    expect(await caseSteps(longTermApi, ned)).toEqual(STEPS);
    // One acceptance keeps covering the next case.
    const second = await report(ned, longTermApi);
    await followOverHttp(longTermApi, second);
    expect(sentTo('ned')).toHaveLength(8);
  });

  it('a deployment that maps its one-time templates to 派遣 and 结案 spends them there', async () => {
    const ola = await wechatCitizen('ola', customApi);
    // The popup offers only templates some step is spent on (and the rating reminder).
    const offered = subscriptionStatusSchema.parse((await getJson(customApi, '/me/subscriptions', ola.auth)).body);
    expect(offered.templates.map((t) => t.purpose)).toEqual(['caseAccepted', 'caseResult', 'ratingReminder']);
    const narrow = await startTestApi({ clock, env: { ...wechat.env, ...ONE_TIME, WECHAT_ONE_TIME_STEPS: 'caseResult:verify_pass' } });
    try {
      const pia = await wechatCitizen('pia', narrow);
      const narrowOffer = subscriptionStatusSchema.parse((await getJson(narrow, '/me/subscriptions', pia.auth)).body);
      expect(narrowOffer.templates.map((t) => t.purpose)).toEqual(['caseResult', 'ratingReminder']);
    } finally {
      await narrow.close();
    }
    await acceptInPopup(customApi, ola, 'ola', ['tmpl-accepted', 'tmpl-result']);
    const id = await report(ola, customApi);
    await followOverHttp(customApi, id);
    expect(sentTo('ola').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-accepted', '已派遣'],
      ['tmpl-result', '已结案'],
    ]);
    expect(await caseSteps(customApi, ola)).toEqual(STEPS);
  });
});

/** What else lands in the message centre: replies to 没修好, claims, campaigns; each written once, for its citizen only. */
describe('the message centre beyond case steps', () => {
  let operator: TestStaff;
  let publicity: TestStaff;
  let admin: TestStaff;

  beforeAll(async () => {
    operator = await staffLogin(api, 'operator');
    publicity = await staffLogin(api, 'publicity');
    admin = await staffLogin(api, 'admin');
  });

  async function staffAct(staff: TestStaff, id: string, body: Record<string, unknown>) {
    const { version } = (await getJson(api, `/staff/cases/${id}`, staff.auth)).body as { version: number };
    const res = await postJson(api, `/staff/cases/${id}/actions`, { ...body, version }, staff.auth);
    expect(res.status).toBe(200);
  }

  it('answers my 没修好 as a reply: reopened (on WeChat with what I granted) or kept closed (message centre only)', async () => {
    const rex = await wechatCitizen('rex');
    await acceptInPopup(api, rex, 'rex', ['tmpl-accepted', 'tmpl-result']);
    const first = await report(rex);
    const second = await report(rex);
    await walkToClosure(api, first);
    await walkToClosure(api, second);
    await api.services.notifications.outbox.processDue();
    // The first case's 立案 and 结案 spent both grants; 没修好 on it, and the popup asked once more for 受理结果.
    expect(sentTo('rex')).toHaveLength(2);
    await acceptInPopup(api, rex, 'rex', ['tmpl-accepted']);
    expect((await postJson(api, `/me/reports/${first}/not-fixed`, { note: '井盖还是松的' }, rex.auth)).status).toBe(200);
    expect((await postJson(api, `/me/reports/${second}/not-fixed`, { note: '没修' }, rex.auth)).status).toBe(200);
    await staffAct(operator, first, { action: 'accept_reopen' });
    await staffAct(operator, second, { action: 'decline_reopen', publicNote: '经现场核实已修复' });
    await api.services.notifications.outbox.processDue();

    const replies = (await inbox(api, rex)).items.filter((m) => m.kind === 'reply');
    expect(replies.map((m) => m.body)).toEqual(['经核实问题已解决，维持结案。经现场核实已修复', '已根据您的反馈重新派遣']);
    expect(replies.map((m) => m.page)).toEqual([`pages/report-detail/index?id=${second}`, `pages/report-detail/index?id=${first}`]);
    // The reopening reached WeChat with the new grant; the refusal had no 办理结果 send left.
    expect(sentTo('rex').map((m) => [m.template_id, m.data.phrase3?.value])).toEqual([
      ['tmpl-accepted', '已立案'],
      ['tmpl-result', '已结案'],
      ['tmpl-accepted', '已派遣'],
    ]);
  });

  it('tells me when a claim is shipped or refused (points returned)', async () => {
    const sue = await wechatCitizen('sue');
    const tom = await wechatCitizen('tom');
    await api.services.points.adjust(admin.id, { citizenId: sue.id, amount: 400, reason: '测试发放积分' });
    const claim = async (rewardId: string) => {
      const res = await postJson(api, `/rewards/${rewardId}/claims`, { clientRequestId: randomUUID() }, sue.auth);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const umbrella = await claim('civic-gift-umbrella');
    const voucher = await claim('supermarket-voucher-30');
    expect((await postJson(api, `/admin/claims/${umbrella}/fulfil`, { code: 'QH-0001' }, publicity.auth)).status).toBe(200);
    expect((await postJson(api, `/admin/claims/${voucher}/fail`, { reason: '超市暂停合作' }, admin.auth)).status).toBe(200);

    const claims = (await inbox(api, sue)).items.filter((m) => m.kind === 'claim');
    expect(claims.map((m) => [m.title, m.body, m.page, m.read])).toEqual([
      ['兑换未成功：县城商超 30 元购物券', '积分已退回。超市暂停合作', 'packagePublic/claims/index', false],
      ['兑换已发放：文明城市纪念雨伞', '请留意短信或到账信息', 'packagePublic/claims/index', false],
    ]);
    expect((await inbox(api, tom)).items).toHaveLength(0);
  });

  it('tells the citizens who asked for a district when a campaign there goes live, once', async () => {
    const uma = await wechatCitizen('uma');
    const vic = await wechatCitizen('vic');
    const tree = await api.services.catalogue.areaTree();
    const home = tree.districts.find((d) => d.streets.some((s) => s.grids.some((g) => g.id === city.gridId)))!;
    expect((await postJson(api, '/me/campaign-subscriptions', { districtId: home.id }, uma.auth)).status).toBe(200);
    const startAt = new Date(clock.now().getTime() + 60_000).toISOString();
    const endAt = new Date(clock.now().getTime() + 10 * 86_400_000).toISOString();
    const created = await postJson(
      api,
      '/admin/campaigns',
      {
        title: '老城区井盖排查',
        summary: '发现井盖问题随手拍',
        body: '<p>欢迎参与</p>',
        startAt,
        endAt,
        targetCategoryIds: [],
        targetAreaIds: [city.gridId],
        multiplier: 2,
      },
      publicity.auth,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await postJson(api, `/admin/campaigns/${id}/publish`, {}, publicity.auth)).status).toBe(200);
    await api.services.campaigns.notifyLiveCampaigns();
    expect((await inbox(api, uma)).items.filter((m) => m.kind === 'campaign')).toHaveLength(0);
    clock.advance(2 * 60_000);
    await api.services.campaigns.notifyLiveCampaigns();
    await api.services.campaigns.notifyLiveCampaigns();
    const told = (await inbox(api, uma)).items.filter((m) => m.kind === 'campaign');
    expect(told.map((m) => [m.title, m.body, m.page])).toEqual([
      ['活动开始：老城区井盖排查', '发现井盖问题随手拍', `packagePublic/campaign/index?id=${id}`],
    ]);
    expect((await inbox(api, vic)).items).toHaveLength(0);
    expect((await getJson(api, '/me/messages/unread-count', uma.auth)).body).toEqual({ unread: 1 });
  });
});
