import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { campaignIdFromScene, sharedCaseSchema } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin } from './helpers/staff';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';

/** What citizens and publicity staff can share: a fixed case's before/after, a campaign poster with its mini-program code. */
let wechat: FakeWeChat;
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({ env: { ...wechat.env, DEV_LOGIN_ENABLED: 'true' } });
  city = await demoCity(api);
});
afterAll(async () => {
  await api.close();
  await wechat.close();
});

async function closedCase(who: TestCitizen): Promise<string> {
  const photoIds = await uploadPhotos(api, who, 1);
  const res = await postJson(
    api,
    '/reports',
    {
      categoryId: city.publicCategory.id,
      description: '我家楼下 3 单元门口的井盖没了，电话 13800000000',
      address: '幸福小区 3 栋 2 单元',
      location: city.point,
      photoIds,
      clientRequestId: randomUUID(),
    },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  const id = res.body.id as string;
  const wf = api.services.workflow;
  await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
  await wf.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
  const staffPhoto = (
    await api.services.media.save(
      [
        await api.services.media.processImage(
          await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a3' } })
            .jpeg()
            .toBuffer(),
        ),
      ],
      { kind: 'staff', id: 'dept' },
    )
  )[0]!;
  await wf.transition(id, {
    action: 'report_handled',
    actor: { role: 'department', id: null },
    photoIds: [staffPhoto._id],
    set: { afterPhotoIds: [staffPhoto._id] },
  });
  await wf.transition(id, { action: 'verify_pass', actor: { role: 'supervisor', id: null } });
  return id;
}

describe('sharing a fixed case', () => {
  it('shows anyone the before and after of a closed case its reporter shared, never who or exactly where', async () => {
    const alice = await loginCitizen(api, 'share-alice', '不该出现的昵称');
    const photoIds = await uploadPhotos(api, alice, 1);
    const open = await postJson(
      api,
      '/reports',
      { categoryId: city.publicCategory.id, location: city.point, photoIds, clientRequestId: randomUUID() },
      alice.auth,
    );
    await api.services.relay.settled(); // the new report's effects run after the answer
    const notYet = await postJson(api, `/me/reports/${open.body.id}/share`, {}, alice.auth);
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.code).toBe('CASE_NOT_CLOSED');
    expect((await getJson(api, `/shared-cases/${open.body.id}`)).status).toBe(404);

    const id = await closedCase(alice);
    expect((await getJson(api, `/shared-cases/${id}`)).status).toBe(404);
    const bob = await loginCitizen(api, 'share-bob');
    expect((await postJson(api, `/me/reports/${id}/share`, {}, bob.auth)).status).toBe(404);

    const shared = await postJson(api, `/me/reports/${id}/share`, {}, alice.auth);
    expect(shared.status).toBe(200);
    const view = sharedCaseSchema.parse((await getJson(api, `/shared-cases/${id}`)).body);
    expect(view).toEqual(sharedCaseSchema.parse(shared.body));
    expect(view.before).toHaveLength(1);
    expect(view.after).toHaveLength(1);
    expect(view.area.split(' ')).toHaveLength(3);
    const text = JSON.stringify(view);
    for (const secret of [alice.id, '不该出现的昵称', '幸福小区', '13800000000', '井盖没了', String(city.point.lat), String(city.point.lng)]) {
      expect(text).not.toContain(secret);
    }
    expect((await fetch(`${api.url}${view.after[0]!.url}`)).status).toBe(200);
  });
});

describe('campaign poster', () => {
  it('renders a PNG poster with the mini-program code that opens the campaign', async () => {
    const publicity = await staffLogin(api, 'publicity');
    const created = await postJson(
      api,
      '/admin/campaigns',
      {
        title: '创建文明城市·清理小广告专项行动',
        summary: '两周内上报非法小广告，积分翻倍',
        body: '<p>欢迎参与</p>',
        startAt: new Date(Date.now() + 86_400_000).toISOString(),
        endAt: new Date(Date.now() + 15 * 86_400_000).toISOString(),
        targetCategoryIds: [],
        targetAreaIds: [],
        multiplier: 2,
      },
      publicity.auth,
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const res = await fetch(`${api.url}/admin/campaigns/${id}/poster.png`, { headers: publicity.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toContain('poster.png');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 750, height: 1200 });
    expect(wechat.codes).toHaveLength(1);
    expect(wechat.codes[0]!.page).toBe('packagePublic/campaign/index');
    expect(campaignIdFromScene(encodeURIComponent(wechat.codes[0]!.scene))).toBe(id);

    const citizen = await loginCitizen(api, 'poster-citizen');
    expect((await fetch(`${api.url}/admin/campaigns/${id}/poster.png`, { headers: citizen.auth })).status).toBe(403);
    expect((await fetch(`${api.url}/admin/campaigns/${'0'.repeat(24)}/poster.png`, { headers: publicity.auth })).status).toBe(404);
    wechat.setDown(true);
    const down = await fetch(`${api.url}/admin/campaigns/${id}/poster.png`, { headers: publicity.auth });
    wechat.setDown(false);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('WECHAT_UNAVAILABLE');
  });
});
