import { createHash, randomUUID } from 'node:crypto';
import { staffCaseDetailSchema } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, loginWithWeChatCode, patchJson, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { getCaseModel } from '../src/cases/models';

/**
 * Content security end to end, against a WeChat fake speaking msg_sec_check v2,
 * media_check_async and its signed message push: a refused text never lands, a photo
 * found risky later disappears from every view but a staff reviewer's.
 */
const PUSH_TOKEN = 'push-token-0123456789';
let wechat: FakeWeChat;
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({ env: { ...wechat.env, DEV_LOGIN_ENABLED: 'true', CONTENT_SECURITY: 'wechat', WECHAT_PUSH_TOKEN: PUSH_TOKEN } });
  wechat.configurePush(`${api.url}/wechat/push`, PUSH_TOKEN);
  city = await demoCity(api);
});
afterAll(async () => {
  await api.close();
  await wechat.close();
});
beforeEach(() => {
  wechat.reset();
  wechat.flagText('赌博网站');
});

const citizen = (user: string): Promise<TestCitizen> => loginWithWeChatCode(api, wechat.newCode(user));

async function report(who: TestCitizen, photoIds: string[], description: string) {
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, description, location: city.point, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  return res;
}

function signed(query: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID();
  const signature = createHash('sha1').update([PUSH_TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return new URLSearchParams({ signature, timestamp, nonce, ...query }).toString();
}

describe('text security', () => {
  it('refuses a risky description with a clear message, and stores nothing', async () => {
    const alice = await citizen('cs-alice');
    const photoIds = await uploadPhotos(api, alice, 1);
    const refused = await report(alice, photoIds, '小区门口有人发赌博网站传单');
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'CONTENT_REFUSED',
      message: '内容含有不适宜公开的信息，请修改后再提交',
      details: [{ field: 'description' }],
    });
    expect(await getCaseModel(api.db).countDocuments({ reporterId: alice.id })).toBe(0);
    expect(wechat.textChecks.at(-1)).toMatchObject({ openid: wechat.openidOf('cs-alice'), scene: 3 });

    const fine = await report(alice, photoIds, '小区门口井盖缺失');
    expect(fine.status).toBe(201);
    // Editing it later is checked the same way.
    const edit = await patchJson(api, `/me/reports/${fine.body.id}`, { description: '改成赌博网站广告' }, alice.auth);
    expect(edit.status).toBe(422);
    expect((await getCaseModel(api.db).findById(fine.body.id).lean())!.description).toBe('小区门口井盖缺失');
  });

  it('refuses a risky nickname (shown on the leaderboard)', async () => {
    const bob = await citizen('cs-bob');
    const res = await patchJson(api, '/me', { nickname: '赌博网站老板' }, bob.auth);
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('nickname');
    expect((await getJson(api, '/me', bob.auth)).body.nickname).not.toContain('赌博');
    expect((await patchJson(api, '/me', { nickname: '热心市民' }, bob.auth)).status).toBe(200);
    expect(wechat.textChecks.map((c) => c.scene)).toEqual([1, 1]);
  });

  it('cannot check citizens without a mini-program openid, and does not pretend to', async () => {
    const guest = await loginCitizen(api, 'cs-browser-user');
    const res = await report(guest, await uploadPhotos(api, guest, 1), '浏览器里写的描述');
    expect(res.status).toBe(201);
    expect(wechat.textChecks).toHaveLength(0);
    expect(wechat.mediaChecks).toHaveLength(0);
  });
});

describe('image security', () => {
  it('hides a photo found risky later from every view but a staff reviewer’s, and marks its case', async () => {
    const carol = await citizen('cs-carol');
    const [photoId] = await uploadPhotos(api, carol, 1);
    expect(wechat.mediaChecks).toHaveLength(1);
    expect(wechat.mediaChecks[0]!.mediaUrl).toContain(`/media/${photoId}`);
    const created = await report(carol, [photoId!], '路面塌陷');
    expect(created.status).toBe(201);
    const before = (await getCaseModel(api.db).findById(created.body.id).lean())!;
    expect((await fetch(`${api.url}/media/${photoId}`)).status).toBe(200);

    wechat.flagMedia(photoId!);
    expect(await wechat.deliverMediaChecks()).toEqual([200]);

    // Gone for the public, other citizens and the reporter alike.
    expect((await fetch(`${api.url}/media/${photoId}`)).status).toBe(404);
    expect((await fetch(`${api.url}/media/${photoId}/thumb`)).status).toBe(404);
    expect((await fetch(`${api.url}/media/${photoId}?review=forged-token-000000000`)).status).toBe(404);
    // Marked for an operator, who can still see it to decide.
    const after = (await getCaseModel(api.db).findById(created.body.id).lean())!;
    expect(after.flaggedPhotoIds).toEqual([photoId]);
    expect(after.version).toBe(before.version + 1);
    const operator = await staffLogin(api, 'operator');
    const detail = staffCaseDetailSchema.parse((await getJson(api, `/staff/cases/${created.body.id}`, operator.auth)).body);
    expect(detail.flaggedPhotoIds).toEqual([photoId]);
    const reviewUrl = detail.photos[0]!.url;
    expect(reviewUrl).toContain('?review=');
    const image = await fetch(`${api.url}${reviewUrl}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
  });

  it('leaves a photo that passed alone', async () => {
    const dan = await citizen('cs-dan');
    const [photoId] = await uploadPhotos(api, dan, 1);
    expect(await wechat.deliverMediaChecks()).toEqual([200]);
    expect((await fetch(`${api.url}/media/${photoId}`)).status).toBe(200);
  });

  it('accepts only pushes signed with the token, and answers the server check', async () => {
    const unsigned = await fetch(`${api.url}/wechat/push?signature=${'0'.repeat(40)}&timestamp=1&nonce=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Event: 'wxa_media_check', trace_id: 'media-1', result: { suggest: 'risky' } }),
    });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe('WECHAT_PUSH_SIGNATURE_INVALID');
    const verify = await fetch(`${api.url}/wechat/push?${signed({ echostr: 'echo-123' })}`);
    expect(verify.status).toBe(200);
    expect(await verify.text()).toBe('echo-123');
    expect((await fetch(`${api.url}/wechat/push?signature=bad&timestamp=1&nonce=2&echostr=x`)).status).toBe(401);
    const unknownTrace = await fetch(`${api.url}/wechat/push?${signed()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Event: 'wxa_media_check', trace_id: 'never-issued', result: { suggest: 'risky' } }),
    });
    expect(unknownTrace.status).toBe(200);
    expect(await unknownTrace.text()).toBe('success');
  });
});

describe('campaigns staff publish', () => {
  const body = (words: string) => `<p>欢迎参与<strong>${words}</strong>。</p><p>两周内有效</p>`;
  const draft = async (who: TestStaff, overrides: Record<string, unknown> = {}) => {
    const res = await postJson(
      api,
      '/admin/campaigns',
      {
        title: '清理小广告',
        summary: '两周内上报小广告，积分翻倍',
        body: body('文明城市建设'),
        startAt: new Date(Date.now() + 86_400_000).toISOString(),
        endAt: new Date(Date.now() + 15 * 86_400_000).toISOString(),
        targetCategoryIds: [],
        targetAreaIds: [],
        multiplier: 2,
        ...overrides,
      },
      who.auth,
    );
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  };
  const status = async (who: TestStaff, id: string) => (await getJson(api, `/admin/campaigns/${id}`, who.auth)).body.status as string;

  it('refuses to publish what cannot be checked: the author has no mini-program identity linked', async () => {
    const publicity = await staffLogin(api, 'publicity');
    const campaign = await draft(publicity);
    // Drafts are read by staff only: nothing is checked yet.
    expect(wechat.textChecks).toHaveLength(0);
    const res = await postJson(api, `/admin/campaigns/${campaign.id}/publish`, {}, publicity.auth);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'WECHAT_VISIT_REQUIRED', details: [{ field: 'wechat' }] });
    expect(res.body.error.message).toContain('工作台');
    expect(await status(publicity, campaign.id)).toBe('draft');

    wechat.scriptCode('bad-code', 40029);
    expect((await postJson(api, '/staff/me/wechat', { code: 'bad-code' }, publicity.auth)).body.error.code).toBe('WECHAT_CODE_INVALID');
    expect((await postJson(api, '/staff/me/wechat', {}, publicity.auth)).body.error.details[0].field).toBe('code');
  });

  it('checks title, summary, body text and images at publish with the author’s openid; a risky word keeps it a draft', async () => {
    const publicity = await staffLogin(api, 'publicity');
    expect((await postJson(api, '/staff/me/wechat', { code: wechat.newCode('cs-publicity') }, publicity.auth)).body).toEqual({ linked: true });
    const [cover] = await uploadPhotos(api, publicity, 1);
    const [inline] = await uploadPhotos(api, publicity, 1);
    const campaign = await draft(publicity, {
      body: `${body('赌博网站')}<p><img src="${api.url}/media/${inline}" alt="示例"></p>`,
      coverPhotoId: cover,
    });
    const refused = await postJson(api, `/admin/campaigns/${campaign.id}/publish`, {}, publicity.auth);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'CONTENT_REFUSED', details: [{ field: 'body' }] });
    expect(await status(publicity, campaign.id)).toBe('draft');
    const openid = wechat.openidOf('cs-publicity');
    expect(wechat.textChecks).toEqual([
      { content: '清理小广告', openid, scene: 3 },
      { content: '两周内上报小广告，积分翻倍', openid, scene: 3 },
      { content: '欢迎参与赌博网站。\n两周内有效', openid, scene: 3 },
    ]);

    const fixed = await patchJson(api, `/admin/campaigns/${campaign.id}`, { body: body('文明城市建设'), version: campaign.version }, publicity.auth);
    expect(fixed.status).toBe(200);
    const published = await postJson(api, `/admin/campaigns/${campaign.id}/publish`, {}, publicity.auth);
    expect(published.status).toBe(200);
    expect(await status(publicity, campaign.id)).toBe('scheduled');
    // The cover goes to the image check with the author's openid (the fixed body no longer holds the inline image).
    expect(wechat.mediaChecks.map((c) => [c.mediaUrl.split('/media/')[1], c.openid])).toEqual([[cover, openid]]);
  });

  it('checks what changes in a published campaign, and asks to reopen the workbench once WeChat forgets the visit', async () => {
    const publicity = await staffLogin(api, 'publicity');
    await postJson(api, '/staff/me/wechat', { code: wechat.newCode('cs-publicity-2') }, publicity.auth);
    const campaign = await draft(publicity);
    expect((await postJson(api, `/admin/campaigns/${campaign.id}/publish`, {}, publicity.auth)).status).toBe(200);
    const version = (await getJson(api, `/admin/campaigns/${campaign.id}`, publicity.auth)).body.version as number;
    wechat.reset();
    wechat.flagText('赌博网站');

    const risky = await patchJson(api, `/admin/campaigns/${campaign.id}`, { title: '赌博网站专项整治', version }, publicity.auth);
    expect(risky.status).toBe(422);
    expect(risky.body.error.details[0].field).toBe('title');
    expect((await getJson(api, `/campaigns/${campaign.id}`)).body.title).toBe('清理小广告');
    // Only the changed field was checked.
    expect(wechat.textChecks.map((c) => c.content)).toEqual(['赌博网站专项整治']);

    wechat.forgetVisit(wechat.openidOf('cs-publicity-2'));
    const stale = await patchJson(api, `/admin/campaigns/${campaign.id}`, { summary: '新的简介', version }, publicity.auth);
    expect(stale.status).toBe(422);
    expect(stale.body.error.code).toBe('WECHAT_VISIT_REQUIRED');
    await postJson(api, '/staff/me/wechat', { code: wechat.newCode('cs-publicity-2') }, publicity.auth);
    const ok = await patchJson(api, `/admin/campaigns/${campaign.id}`, { summary: '新的简介', version }, publicity.auth);
    expect(ok.status).toBe(200);
    expect((await getJson(api, `/campaigns/${campaign.id}`)).body.summary).toBe('新的简介');
  });

  it('splits a long body into pieces within WeChat’s 2,500 characters', async () => {
    const publicity = await staffLogin(api, 'publicity');
    await postJson(api, '/staff/me/wechat', { code: wechat.newCode('cs-publicity-3') }, publicity.auth);
    const long = '城'.repeat(2600) + '赌博网站';
    const campaign = await draft(publicity, { body: `<p>${long}</p>` });
    const res = await postJson(api, `/admin/campaigns/${campaign.id}/publish`, {}, publicity.auth);
    expect(res.status).toBe(422);
    const bodyChecks = wechat.textChecks.filter((c) => c.content.startsWith('城'));
    expect(bodyChecks.map((c) => c.content.length)).toEqual([2500, 104]);
  });
});
