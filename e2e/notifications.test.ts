/**
 * Issue 16 in the browser: one case followed from submit to closure and rating, for a
 * citizen whose deployment uses one-time subscribe templates and for one with a
 * long-term template. Shows exactly which steps reached WeChat (a loopback fake that
 * keeps WeChat's quotas: one send per one-time acceptance, 43101 without) and that every
 * step is in the message centre, with the unread badge on 我的.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createApiClient, fetchTransport, type StaffAction } from '@ssp/shared';
import type { TestApi } from '../api/test/helpers/harness';
import { startFakeWeChat, type FakeWeChat } from '../api/test/fakes/wechat-server';
import { uploadPhotos } from '../api/test/helpers/citizens';
import { getCitizenModel } from '../api/src/auth/models';
import { citizenClient, publicClient } from './helpers/api';
import { citizenLogin, createStaff, openRoute, startApp, type DemoCity, type MovableClock } from './helpers/app';
import { byTestId, openDevice, shot, tap, tapTab, storageValue, type Device } from './helpers/browser';

let wechat: FakeWeChat;
const devices: Device[] = [];

beforeAll(async () => {
  wechat = await startFakeWeChat({ longTermTemplates: ['tmpl-long'] });
});
afterAll(async () => {
  const errors = devices.flatMap((d) => d.errors);
  for (const d of devices) await d.close();
  await wechat.close();
  if (errors.length) throw new Error(`uncaught errors in the app:\n${errors.join('\n')}`);
});

const CONFIGS: { name: string; env: Record<string, string>; accepted: string[]; reachedWeChat: string[][] }[] = [
  {
    name: 'one-time templates',
    env: {
      WECHAT_SUBSCRIBE_MODE: 'one-time',
      WECHAT_TEMPLATE_CASE_ACCEPTED: 'tmpl-accepted',
      WECHAT_TEMPLATE_CASE_RESULT: 'tmpl-result',
      WECHAT_TEMPLATE_RATING_REMINDER: 'tmpl-rating',
    },
    accepted: ['tmpl-accepted', 'tmpl-result', 'tmpl-rating'],
    // 已收到, 派遣 and 处理完毕 stay in the message centre; the rating reminder is not sent once rated.
    reachedWeChat: [
      ['tmpl-accepted', '已立案'],
      ['tmpl-result', '已结案'],
    ],
  },
  {
    name: 'a long-term template',
    env: { WECHAT_SUBSCRIBE_MODE: 'long-term', WECHAT_TEMPLATE_CASE_STATUS: 'tmpl-long' },
    accepted: ['tmpl-long'],
    reachedWeChat: [
      ['tmpl-long', '已立案'],
      ['tmpl-long', '已派遣'],
      ['tmpl-long', '待核查'],
      ['tmpl-long', '已结案'],
    ],
  },
];

const STEPS = [
  '已收到您的上报，等待受理',
  '您的上报已受理立案',
  '已派遣至处置部门',
  '处置部门已处理完毕，等待核查',
  '问题已解决，案件已结案，欢迎评价',
];

describe.each(CONFIGS)('a citizen with $name', (config) => {
  let api: TestApi;
  let city: DemoCity;
  let appUrl: string;
  let clock: MovableClock;
  let page: Page;

  beforeAll(async () => {
    wechat.reset();
    ({ api, city, appUrl, clock } = await startApp({ ...wechat.env, ...config.env }));
    const d = await openDevice(`notify-${config.accepted.length}`, { at: city.point });
    devices.push(d);
    page = d.page;
  });
  afterAll(async () => {
    await shot(page, `notify-last-${config.accepted.length}`).catch(() => undefined);
    await api?.close();
  });

  it('hears of the steps that matter on WeChat and finds every step in the message centre', async () => {
    const user = `notify-${randomUUID().slice(0, 8)}`;
    await openRoute(page, appUrl);
    await citizenLogin(page, appUrl, user, '关心进度的市民');
    const client = await citizenClient(page, api.url);
    const me = await client.call('getMe');
    // The same person also uses the mini-program: their account has its openid.
    const openid = wechat.openidOf(user);
    await getCitizenModel(api.db).updateOne({ _id: me.id }, { $set: { openid } });

    // The subscribe popup at submit (the mini-program shows it; here WeChat's side is the fake's).
    const offered = await client.call('mySubscriptions');
    expect(offered.templates.filter((t) => t.purpose !== 'campaign').map((t) => t.templateId)).toEqual(config.accepted);
    // WeChat's side of the popup, over the fake's HTTP control endpoint, then what the mini-program posts.
    const accepted = await fetch(`${wechat.url}/__fake/subscribe-accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid, templateIds: config.accepted }),
    });
    expect(accepted.status).toBe(200);
    await client.call('recordSubscriptions', { body: { results: Object.fromEntries(config.accepted.map((t) => [t, 'accept' as const])) } });

    const token = (await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen'))!.accessToken;
    const photoIds = await uploadPhotos(api, { auth: { authorization: `Bearer ${token}` } }, 1);
    const report = await client.call('createReport', {
      body: { categoryId: city.publicCategory.id, description: '路灯不亮', location: city.point, photoIds, clientRequestId: randomUUID() },
    });
    // The dispatch desk takes it to closure over HTTP, each step by its role.
    const staff = async (role: 'operator' | 'dispatcher' | 'department' | 'supervisor') => {
      const account = await createStaff(api, role, role === 'department' ? city.departmentIds[0] : undefined);
      const { accessToken } = await publicClient(api.url).call('staffLogin', { body: { username: account.username, password: account.password } });
      return { token: accessToken, client: createApiClient({ baseUrl: api.url, transport: fetchTransport(), getAccessToken: () => accessToken }) };
    };
    const [operator, dispatcher, department, supervisor] = [
      await staff('operator'),
      await staff('dispatcher'),
      await staff('department'),
      await staff('supervisor'),
    ];
    const act = async (who: typeof operator, action: StaffAction) => {
      await who.client.call('actOnCase', { params: { id: report.id }, body: action });
    };
    const version = async () => (await operator.client.call('getStaffCase', { params: { id: report.id } })).version;
    await act(operator, { action: 'file', version: await version() });
    await act(dispatcher, { action: 'dispatch', departmentId: city.departmentIds[0]!, version: await version() });
    await act(department, { action: 'accept_task', version: await version() });
    const after = await uploadPhotos(api, { auth: { authorization: `Bearer ${department.token}` } }, 1);
    await act(department, { action: 'report_handled', photoIds: after, publicNote: '已修复路灯', version: await version() });
    await act(supervisor, { action: 'verify_pass', version: await version() });
    await api.services.notifications.outbox.processDue();

    // 我的 shows the unread count; the message centre every step, newest first.
    await openRoute(page, appUrl, 'pages/index/index');
    await tapTab(page, '我的');
    const badge = byTestId(page, 'unread-badge');
    await badge.waitFor();
    const unread = Number(await badge.textContent());
    expect(unread).toBeGreaterThanOrEqual(STEPS.length);
    await shot(page, `notify-mine-${config.accepted.length}`);
    await tap(page, 'entry-messages');
    await byTestId(page, 'messages').waitFor();
    const texts = await byTestId(page, 'message').allTextContents();
    const stepsShown = STEPS.filter((step) => texts.some((t) => t.includes(step)));
    expect(stepsShown).toEqual(STEPS);
    await shot(page, `notify-messages-${config.accepted.length}`);
    // Seen is read.
    let left = unread;
    for (let i = 0; i < 50 && left > 0; i++) {
      await page.waitForTimeout(200);
      left = (await client.call('myUnreadCount')).unread;
    }
    expect(left).toBe(0);

    // The citizen rates the result in the browser.
    await openRoute(page, appUrl, `pages/report-detail/index?id=${report.id}`);
    await tap(page, 'star-5');
    await tap(page, 'rate-submit');
    await byTestId(page, 'rating').filter({ hasText: '感谢您的评价' }).waitFor();

    // Sharing what was fixed: before and after, the area, never who or exactly where.
    await tap(page, 'share-fixed');
    const shared = byTestId(page, 'shared-case');
    await shared.waitFor();
    await byTestId(page, 'shared-before').waitFor();
    const sharedText = (await shared.textContent()) ?? '';
    expect(sharedText).not.toContain('关心进度的市民');
    expect(sharedText).not.toContain('路灯不亮');
    await shot(page, `notify-shared-${config.accepted.length}`);

    // A day later the rating reminder is due, but the case was rated: nothing more is sent.
    clock.advance(25 * 3600_000);
    await api.services.notifications.outbox.processDue();
    const reached = wechat.messages.filter((m) => m.touser === openid).map((m) => [m.template_id, m.data.phrase3?.value]);
    expect(reached).toEqual(config.reachedWeChat);
    console.log(
      `[notifications] ${config.name}: ${reached.length} of ${STEPS.length} steps reached WeChat; ${STEPS.length} of ${STEPS.length} in the message centre`,
    );
  });
});
