import { randomUUID } from 'node:crypto';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { loginWithWeChatCode, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { getCaseModel } from '../src/cases/models';

let wechat: FakeWeChat;
let api: TestApi;
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let city: Awaited<ReturnType<typeof demoCity>>;

function wechatCitizen(user: string): Promise<TestCitizen> {
  return loginWithWeChatCode(api, wechat.newCode(user));
}

async function report(who: TestCitizen): Promise<string> {
  const photoIds = await uploadPhotos(api, who, 1);
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, location: city.point, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const outbox = () => api.services.notifications.outbox;

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({ clock, env: { ...wechat.env, WECHAT_TEMPLATE_CASE_STATUS: 'tmpl-case-status' } });
  city = await demoCity(api);
});
afterAll(async () => {
  await api.close();
  await wechat.close();
});
beforeEach(() => wechat.reset());

describe('case status notifications', () => {
  it('queues one message per state change the reporter cares about and delivers it', async () => {
    const alice = await wechatCitizen('alice');
    const id = await report(alice);
    await api.services.workflow.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    await api.services.workflow.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
    // A department signing for the task is not something the reporter is told about.
    await api.services.workflow.transition(id, { action: 'accept_task', actor: { role: 'department', id: null } });

    expect(await outbox().model.countDocuments({ 'payload.citizenId': alice.id })).toBe(3);
    await outbox().processDue();
    const mine = wechat.messages.filter((m) => m.touser === wechat.openidOf('alice'));
    expect(mine.map((m) => m.data.phrase3?.value)).toEqual(['待受理', '已立案', '已派遣']);
    expect(mine[0]).toMatchObject({ template_id: 'tmpl-case-status', page: `pages/report-detail/index?id=${id}`, lang: 'zh_CN' });
    const caseNo = (await getCaseModel(api.db).findById(id).lean())!.caseNo;
    expect(mine[0]!.data.character_string1?.value).toBe(caseNo);
    expect(await outbox().model.countDocuments({ status: 'sent' })).toBeGreaterThanOrEqual(3);
  });

  it('tells the reporter why a report was rejected', async () => {
    const bob = await wechatCitizen('bob');
    const id = await report(bob);
    await api.services.workflow.transition(id, {
      action: 'reject',
      actor: { role: 'operator', id: null },
      set: { rejectReason: 'out_of_scope' },
    });
    await outbox().processDue();
    const last = wechat.messages.filter((m) => m.touser === wechat.openidOf('bob')).at(-1);
    expect(last?.data.phrase3?.value).toBe('已作废');
    expect(last?.data.thing5?.value).toContain('不属于城市管理范围');
  });

  it('drops a message the user did not subscribe to instead of retrying it', async () => {
    const carol = await wechatCitizen('carol');
    wechat.refuseSubscription(wechat.openidOf('carol'));
    await report(carol);
    await outbox().processDue();
    const msg = await outbox().model.findOne({ 'payload.citizenId': carol.id }).lean();
    expect(msg?.status).toBe('dropped');
    expect(msg?.lastError).toContain('43101');
    clock.advance(3600_000);
    expect(await outbox().processDue()).toBe(0);
    expect(wechat.sendAttempts.filter((a) => a.message.touser === wechat.openidOf('carol'))).toHaveLength(1);
  });

  it('retries with backoff while WeChat is busy or unreachable, then delivers once', async () => {
    const dave = await wechatCitizen('dave');
    wechat.failNextSends(2, { errcode: -1 });
    await report(dave);
    await outbox().processDue();
    let msg = await outbox().model.findOne({ 'payload.citizenId': dave.id }).lean();
    expect(msg).toMatchObject({ status: 'pending', attempts: 1 });
    // Not due yet: nothing is attempted before the backoff ends.
    expect(await outbox().processDue()).toBe(0);
    clock.advance(outbox().backoffMs(1));
    await outbox().processDue();
    msg = await outbox().model.findOne({ 'payload.citizenId': dave.id }).lean();
    expect(msg).toMatchObject({ status: 'pending', attempts: 2 });

    wechat.setDown(true);
    clock.advance(outbox().backoffMs(2));
    await outbox().processDue();
    wechat.setDown(false);
    clock.advance(outbox().backoffMs(3));
    await outbox().processDue();
    msg = await outbox().model.findOne({ 'payload.citizenId': dave.id }).lean();
    expect(msg).toMatchObject({ status: 'sent', attempts: 4 });
    expect(wechat.messages.filter((m) => m.touser === wechat.openidOf('dave'))).toHaveLength(1);
  });

  it('stores a message once even when the case effect is processed twice', async () => {
    const erin = await wechatCitizen('erin');
    const id = await report(erin);
    const doc = await getCaseModel(api.db).findById(id).lean();
    const event = doc!.events[0]!;
    const effect = { id: `${id}:1:notify`, type: 'notify', data: { seq: 1 } };
    await api.services.notifications.onCaseEvent(doc!, event, effect);
    await api.services.notifications.onCaseEvent(doc!, event, effect);
    expect(await outbox().model.countDocuments({ 'payload.citizenId': erin.id })).toBe(1);
  });

  it('finishes effects left behind by a crash on the next sweep', async () => {
    const fay = await wechatCitizen('fay');
    const id = await report(fay);
    await outbox().model.deleteMany({ 'payload.citizenId': fay.id });
    // Simulate a crash between the transition and its effects: the effect is still on the case.
    await getCaseModel(api.db).updateOne({ _id: id }, { $push: { effects: `${id}:1:notify` } });
    expect(await api.services.relay.drainPending()).toBeGreaterThanOrEqual(1);
    expect(await outbox().model.countDocuments({ 'payload.citizenId': fay.id })).toBe(1);
    expect((await getCaseModel(api.db).findById(id).lean())!.effects).toEqual([]);
  });
});
