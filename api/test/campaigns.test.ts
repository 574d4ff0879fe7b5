import { randomUUID } from 'node:crypto';
import { adminCampaignSchema, campaignResultsSchema, publicCampaignSchema, type AdminCampaign, type CreateCampaignInput } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, patchJson, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import { toCaseView, toEventMessage } from '../src/cases/events';

// testTimeout in api/jest.config.js does not apply when jest runs from the root (projects).
jest.setTimeout(30_000);

// Monday 2026-11-23 10:00 in Beijing.
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
/** A grid in another district than city.gridId, with its centroid. */
let far: { gridId: string; streetId: string; districtId: string; point: { lat: number; lng: number } };
let here: { streetId: string; districtId: string };
let alice: TestCitizen;
let bob: TestCitizen;
let publicity: TestStaff;
let admin: TestStaff;
let operator: TestStaff;
let dispatcher: TestStaff;
let supervisor: TestStaff;
let handler: TestStaff;

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100' } });
  city = await demoCity(api);
  const tree = await api.services.catalogue.areaTree();
  const homeDistrict = tree.districts.find((d) => d.streets.some((s) => s.grids.some((g) => g.id === city.gridId)))!;
  const homeStreet = homeDistrict.streets.find((s) => s.grids.some((g) => g.id === city.gridId))!;
  here = { streetId: homeStreet.id, districtId: homeDistrict.id };
  const farDistrict = tree.districts.find((d) => d.id !== homeDistrict.id)!;
  const farGrid = farDistrict.streets[0]!.grids[0]!;
  far = { gridId: farGrid.id, streetId: farDistrict.streets[0]!.id, districtId: farDistrict.id, point: farGrid.centroid };
  alice = await loginCitizen(api, 'alice', '爱丽丝');
  bob = await loginCitizen(api, 'bob');
  publicity = await staffLogin(api, 'publicity');
  admin = await staffLogin(api, 'admin');
  operator = await staffLogin(api, 'operator');
  dispatcher = await staffLogin(api, 'dispatcher');
  supervisor = await staffLogin(api, 'supervisor');
  handler = await staffLogin(api, 'department', city.departmentIds[0]);
});
afterAll(async () => {
  await api.close();
});

const iso = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
const beijingDay = (at: Date) => new Date(at.getTime() + 8 * HOUR).toISOString().slice(0, 10);
const beijingMinute = (at: string) => new Date(Date.parse(at) + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

function draftInput(overrides: Partial<CreateCampaignInput> = {}): CreateCampaignInput {
  return {
    title: '创建文明城市·清理小广告',
    summary: '两周内上报非法小广告，积分翻倍',
    body: '<p>欢迎参与<strong>文明城市</strong>建设。</p>',
    startAt: iso(DAY),
    endAt: iso(15 * DAY),
    targetCategoryIds: [],
    targetAreaIds: [],
    multiplier: 2,
    ...overrides,
  };
}

async function createDraft(overrides: Partial<CreateCampaignInput> = {}, who: TestStaff = publicity): Promise<AdminCampaign> {
  const res = await postJson(api, '/admin/campaigns', draftInput(overrides), who.auth);
  expect(res.status).toBe(201);
  return adminCampaignSchema.parse(res.body);
}

async function publish(id: string, who: TestStaff = publicity) {
  const res = await postJson(api, `/admin/campaigns/${id}/publish`, {}, who.auth);
  expect(res.status).toBe(200);
  return res.body as AdminCampaign;
}

/** A campaign that starts a minute from now, published, with the clock moved past its start. */
async function liveCampaign(overrides: Partial<CreateCampaignInput> = {}): Promise<AdminCampaign> {
  const draft = await createDraft({ startAt: iso(MIN), endAt: iso(20 * DAY), ...overrides });
  await publish(draft.id);
  clock.advance(2 * MIN);
  const res = await getJson(api, `/admin/campaigns/${draft.id}`, publicity.auth);
  expect(res.body.status).toBe('live');
  return res.body as AdminCampaign;
}

async function endCampaign(id: string) {
  expect((await postJson(api, `/admin/campaigns/${id}/end`, {}, publicity.auth)).status).toBe(200);
}

async function report(who: TestCitizen, opts: { categoryId?: string; point?: { lat: number; lng: number }; campaignId?: string } = {}) {
  const photoIds = await uploadPhotos(api, who, 1);
  const res = await postJson(
    api,
    '/reports',
    {
      categoryId: opts.categoryId ?? city.publicCategory.id,
      description: '电线杆上贴满小广告',
      location: opts.point ?? city.point,
      photoIds,
      clientRequestId: randomUUID(),
      ...(opts.campaignId ? { campaignId: opts.campaignId } : {}),
    },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function act(staff: TestStaff, id: string, body: Record<string, unknown>) {
  const version = (await getJson(api, `/staff/cases/${id}`, staff.auth)).body.version;
  const res = await postJson(api, `/staff/cases/${id}/actions`, { ...body, version }, staff.auth);
  expect(res.status).toBe(200);
  return res.body;
}

function fields(res: { body: { error: { details?: { field?: string }[] } } }) {
  return (res.body.error.details ?? []).map((d) => d.field);
}

describe('who may run campaigns', () => {
  it('lets publicity staff and admins in, keeps other staff and citizens out, and wants a login', async () => {
    const operatorTry = await postJson(api, '/admin/campaigns', draftInput(), operator.auth);
    expect(operatorTry.status).toBe(403);
    expect(operatorTry.body.error.code).toBe('FORBIDDEN');
    expect((await postJson(api, '/admin/campaigns', draftInput(), alice.auth)).status).toBe(403);
    expect((await getJson(api, '/admin/campaigns', alice.auth)).status).toBe(403);
    const anonymous = await postJson(api, '/admin/campaigns', draftInput());
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    expect((await getJson(api, '/admin/campaigns')).status).toBe(401);

    const byPublicity = await createDraft();
    expect(byPublicity).toMatchObject({
      status: 'draft',
      published: false,
      version: 1,
      createdBy: { id: publicity.id, name: publicity.displayName },
    });
    const byAdmin = await createDraft({}, admin);
    expect(byAdmin.createdBy.name).toBe(admin.displayName);

    const list = await getJson(api, '/admin/campaigns', admin.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([byPublicity.id, byAdmin.id]));
    for (const path of [`/admin/campaigns/${byAdmin.id}`, `/admin/campaigns/${byAdmin.id}/preview`, `/admin/campaigns/${byAdmin.id}/results`]) {
      expect((await getJson(api, path, operator.auth)).status).toBe(403);
      expect((await getJson(api, path, publicity.auth)).status).toBe(200);
    }
    expect((await postJson(api, `/admin/campaigns/${byAdmin.id}/publish`, {}, operator.auth)).status).toBe(403);
    expect((await getJson(api, '/admin/campaigns/000000000000000000000000', publicity.auth)).status).toBe(404);
    expect((await getJson(api, '/admin/campaigns/not-an-id', publicity.auth)).status).toBe(404);
  });
});

describe('bad input', () => {
  it('names the field at fault for dates, targets, multiplier and body size', async () => {
    const backwards = await postJson(api, '/admin/campaigns', draftInput({ startAt: iso(5 * DAY), endAt: iso(2 * DAY) }), publicity.auth);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('VALIDATION_FAILED');
    expect(fields(backwards)).toEqual(['endAt']);

    const tooLong = await postJson(api, '/admin/campaigns', draftInput({ startAt: iso(DAY), endAt: iso(400 * DAY) }), publicity.auth);
    expect(fields(tooLong)).toEqual(['endAt']);
    const over = await postJson(api, '/admin/campaigns', draftInput({ startAt: iso(-3 * DAY), endAt: iso(-DAY) }), publicity.auth);
    expect(fields(over)).toEqual(['endAt']);

    const targets = await postJson(
      api,
      '/admin/campaigns',
      draftInput({ targetCategoryIds: [city.publicCategory.id, 'E9999'], targetAreaIds: [city.gridId, 'NOWHERE'] }),
      publicity.auth,
    );
    expect(targets.status).toBe(400);
    expect(fields(targets)).toEqual(['targetCategoryIds[1]', 'targetAreaIds[1]']);

    for (const multiplier of [0.5, 99]) {
      const res = await postJson(api, '/admin/campaigns', draftInput({ multiplier }), publicity.auth);
      expect(res.status).toBe(400);
      expect(fields(res)).toEqual(['multiplier']);
    }
    const notANumber = await postJson(api, '/admin/campaigns', { ...draftInput(), multiplier: '2' }, publicity.auth);
    expect(fields(notANumber)).toEqual(['multiplier']);

    const bigBody = await postJson(
      api,
      '/admin/campaigns',
      draftInput({ body: `<p>${'字'.repeat(api.config.campaigns.bodyMaxChars)}</p>` }),
      publicity.auth,
    );
    expect(bigBody.status).toBe(400);
    expect(fields(bigBody)).toEqual(['body']);

    const shape = await postJson(api, '/admin/campaigns', { ...draftInput({ title: 'x'.repeat(41) }), startAt: '明天', extra: 1 }, publicity.auth);
    expect(shape.status).toBe(400);
    expect(fields(shape)).toEqual(expect.arrayContaining(['title', 'startAt']));
    expect((await postJson(api, '/admin/campaigns', [1, 2], publicity.auth)).status).toBe(400);

    const citizenPhoto = (await uploadPhotos(api, alice, 1))[0]!;
    const cover = await postJson(api, '/admin/campaigns', draftInput({ coverPhotoId: citizenPhoto }), publicity.auth);
    expect(cover.status).toBe(400);
    expect(cover.body.error.code).toBe('PHOTO_NOT_FOUND');
    expect(fields(cover)).toEqual(['coverPhotoId']);
    const ownCover = (await uploadPhotos(api, publicity, 1))[0]!;
    const withCover = await createDraft({ coverPhotoId: ownCover });
    expect(withCover.cover).toEqual({ url: `/media/${ownCover}`, thumbUrl: `/media/${ownCover}/thumb` });

    const edit = await patchJson(api, `/admin/campaigns/${withCover.id}`, { version: withCover.version, multiplier: 6 }, publicity.auth);
    expect(edit.status).toBe(400);
    expect(fields(edit)).toEqual(['multiplier']);
    const noVersion = await patchJson(api, `/admin/campaigns/${withCover.id}`, { title: '新标题' }, publicity.auth);
    expect(fields(noVersion)).toEqual(['version']);
  });
});

describe('rich-text body', () => {
  it.each([
    ['a script', '<p>好</p><script>alert(1)</script>'],
    ['an upper-case script inside svg', '<svg><SCRIPT>alert(1)</SCRIPT></svg>'],
    ['a style sheet', '<style>p { display: none }</style><p>好</p>'],
    ['an onerror handler', '<img src="x" onerror="alert(1)">'],
    ['an onclick handler on an unknown tag', '<div onclick="steal()">点我</div>'],
    ['a javascript: link', '<a href="javascript:alert(1)">领积分</a>'],
    ['an entity-obfuscated javascript: link', '<a href="jav&#x09;ascript&#58;alert(1)">领积分</a>'],
    ['a javascript: image', '<img src=" JaVaScRiPt:alert(1)">'],
  ])('refuses %s with CAMPAIGN_BODY_UNSAFE on body', async (_what, body) => {
    const res = await postJson(api, '/admin/campaigns', draftInput({ body }), publicity.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('CAMPAIGN_BODY_UNSAFE');
    expect(fields(res).every((f) => f === 'body')).toBe(true);
    expect(fields(res).length).toBeGreaterThan(0);
  });

  it('keeps the safe subset and strips the rest, on create and on edit', async () => {
    const staffPhoto = (await uploadPhotos(api, publicity, 1))[0]!;
    const citizenPhoto = (await uploadPhotos(api, alice, 1))[0]!;
    const body = [
      '<p class="lead">活动<strong>重要</strong><b>通知</b><em>请转发</em></p>',
      '<iframe src="https://evil.example/frame">框架内文字</iframe>',
      '<div style="position:fixed">保留文字</div>',
      '<ul><li>一</li><li>二</li></ul><ol><li>三</li></ol>',
      '<a href="https://example.org/rules" target="_blank">活动规则</a>',
      '<a href="/relative">相对链接</a><a href="data:text/html,hi">数据链接</a><a href="//evil.example/x">协议相对</a>',
      '<img src="https://evil.example/a.png">',
      `<img src="/media/${staffPhoto}" alt="现场" width="900">`,
      `<img src="${api.config.publicBaseUrl}/media/${staffPhoto}/thumb">`,
      `<img src="/media/${citizenPhoto}">`,
      '<img src="/media/AAAAAAAAAAAAAAAAAAAAAA">',
      '<img src="data:image/png;base64,AAAA">',
      '<!-- 备注 --><form action="https://evil.example"><input name="pwd"></form>',
    ].join('');
    const expected = [
      '<p>活动<strong>重要</strong><b>通知</b><em>请转发</em></p>',
      '保留文字',
      '<ul><li>一</li><li>二</li></ul><ol><li>三</li></ol>',
      '<a href="https://example.org/rules" rel="noopener noreferrer">活动规则</a>',
      '相对链接数据链接协议相对',
      `<img src="/media/${staffPhoto}" alt="现场" />`,
      `<img src="/media/${staffPhoto}" />`,
    ].join('');
    const created = await createDraft({ body });
    expect(created.body).toBe(expected);
    const preview = await getJson(api, `/admin/campaigns/${created.id}/preview`, publicity.auth);
    expect(preview.body.body).toBe(expected);

    const edited = await patchJson(
      api,
      `/admin/campaigns/${created.id}`,
      { version: created.version, body: '<p onmouseover="x()">悬停</p>' },
      publicity.auth,
    );
    expect(edited.status).toBe(400);
    expect(edited.body.error.code).toBe('CAMPAIGN_BODY_UNSAFE');
    const fine = await patchJson(
      api,
      `/admin/campaigns/${created.id}`,
      { version: created.version, body: '<p>新的<span>正文</span></p>' },
      publicity.auth,
    );
    expect(fine.status).toBe(200);
    expect(fine.body.body).toBe('<p>新的正文</p>');
    expect(fine.body.changes.at(-1)).toMatchObject({ action: 'update', fields: ['body'], diff: [] });
  });
});

describe('lifecycle', () => {
  it('goes draft → scheduled → live → ended as the clock moves, with publish, unpublish and edits logged', async () => {
    const draft = await createDraft({ startAt: iso(DAY), endAt: iso(3 * DAY) });
    expect(draft.status).toBe('draft');
    expect((await getJson(api, `/campaigns/${draft.id}`)).status).toBe(404);
    expect((await getJson(api, '/campaigns')).body.items.map((i: { id: string }) => i.id)).not.toContain(draft.id);
    const preview = await getJson(api, `/admin/campaigns/${draft.id}/preview`, publicity.auth);
    expect(preview.status).toBe(200);
    expect(publicCampaignSchema.parse(preview.body)).toMatchObject({ id: draft.id, status: 'draft', title: draft.title });

    const scheduled = await publish(draft.id);
    expect(scheduled).toMatchObject({ status: 'scheduled', published: true, version: 2 });
    const again = await postJson(api, `/admin/campaigns/${draft.id}/publish`, {}, publicity.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CAMPAIGN_ALREADY_PUBLISHED');
    const shown = await getJson(api, `/campaigns/${draft.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ status: 'scheduled', statusName: '即将开始' });

    clock.advance(DAY + MIN);
    expect((await getJson(api, `/admin/campaigns/${draft.id}`, publicity.auth)).body.status).toBe('live');
    expect((await getJson(api, `/campaigns/${draft.id}`)).body.status).toBe('live');

    const noReason = await postJson(api, `/admin/campaigns/${draft.id}/unpublish`, {}, publicity.auth);
    expect(noReason.status).toBe(400);
    expect(fields(noReason)).toEqual(['reason']);
    const unpublished = await postJson(api, `/admin/campaigns/${draft.id}/unpublish`, { reason: '封面图片有误，修改后重新发布' }, admin.auth);
    expect(unpublished.status).toBe(200);
    expect(unpublished.body.status).toBe('draft');
    expect((await getJson(api, `/campaigns/${draft.id}`)).status).toBe(404);
    expect((await postJson(api, `/admin/campaigns/${draft.id}/unpublish`, { reason: '再次' }, admin.auth)).body.error.code).toBe(
      'CAMPAIGN_NOT_PUBLISHED',
    );
    expect((await postJson(api, `/admin/campaigns/${draft.id}/end`, {}, admin.auth)).body.error.code).toBe('CAMPAIGN_NOT_PUBLISHED');

    const live = await publish(draft.id);
    expect(live.status).toBe('live');

    const locked = await patchJson(
      api,
      `/admin/campaigns/${draft.id}`,
      { version: live.version, multiplier: 3, targetAreaIds: [city.gridId] },
      publicity.auth,
    );
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('CAMPAIGN_LIVE_LOCKED');
    expect(fields(locked)).toEqual(['multiplier', 'targetAreaIds']);

    const stale = await patchJson(api, `/admin/campaigns/${draft.id}`, { version: live.version - 1, title: '过期的修改' }, publicity.auth);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');

    const newEnd = iso(3 * DAY);
    const edited = await patchJson(
      api,
      `/admin/campaigns/${draft.id}`,
      { version: live.version, title: '文明城市·延长一天', endAt: newEnd },
      publicity.auth,
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: live.version + 1, title: '文明城市·延长一天', endAt: newEnd, status: 'live' });
    const unchanged = await patchJson(
      api,
      `/admin/campaigns/${draft.id}`,
      { version: edited.body.version, title: '文明城市·延长一天' },
      publicity.auth,
    );
    expect(unchanged.body.version).toBe(edited.body.version);

    const log = (await getJson(api, `/admin/campaigns/${draft.id}`, publicity.auth)).body.changes as AdminCampaign['changes'];
    expect(log.map((c) => c.action)).toEqual(['create', 'publish', 'unpublish', 'publish', 'update']);
    expect(log[2]).toMatchObject({ by: { id: admin.id, name: admin.displayName }, reason: '封面图片有误，修改后重新发布', fields: ['published'] });
    expect(log[4]).toMatchObject({
      by: { id: publicity.id, name: publicity.displayName },
      fields: ['title', 'endAt'],
      diff: [
        { field: 'title', before: draft.title, after: '文明城市·延长一天' },
        { field: 'endAt', before: draft.endAt, after: newEnd },
      ],
    });
    expect(log.every((c) => typeof c.at === 'string')).toBe(true);

    clock.advance(3 * DAY);
    const ended = await getJson(api, `/admin/campaigns/${draft.id}`, publicity.auth);
    expect(ended.body.status).toBe('ended');
    const late = await patchJson(api, `/admin/campaigns/${draft.id}`, { version: ended.body.version, summary: '补充说明' }, publicity.auth);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('CAMPAIGN_ENDED');
    expect((await postJson(api, `/admin/campaigns/${draft.id}/unpublish`, { reason: '撤下' }, publicity.auth)).body.error.code).toBe(
      'CAMPAIGN_ENDED',
    );
    expect((await postJson(api, `/admin/campaigns/${draft.id}/end`, {}, publicity.auth)).body.error.code).toBe('CAMPAIGN_ENDED');
    expect((await getJson(api, `/campaigns/${draft.id}`)).body.status).toBe('ended');
  });

  it('ends a live campaign early and refuses to publish one whose window has passed', async () => {
    const live = await liveCampaign();
    const ended = await postJson(api, `/admin/campaigns/${live.id}/end`, { reason: '目标已完成' }, admin.auth);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended', endedAt: clock.now().toISOString() });
    expect(ended.body.changes.at(-1)).toMatchObject({ action: 'end', reason: '目标已完成', by: { name: admin.displayName } });
    const shown = await getJson(api, `/campaigns/${live.id}`);
    expect(shown.body).toMatchObject({ status: 'ended', endAt: clock.now().toISOString() });
    expect((await patchJson(api, `/admin/campaigns/${live.id}`, { version: ended.body.version, title: '改' }, publicity.auth)).body.error.code).toBe(
      'CAMPAIGN_ENDED',
    );

    const short = await createDraft({ startAt: iso(HOUR), endAt: iso(2 * HOUR) });
    clock.advance(3 * HOUR);
    const tooLate = await postJson(api, `/admin/campaigns/${short.id}/publish`, { version: short.version }, publicity.auth);
    expect(tooLate.status).toBe(400);
    expect(fields(tooLate)).toEqual(['endAt']);
    expect((await postJson(api, `/admin/campaigns/${short.id}/publish`, { version: 99 }, publicity.auth)).status).toBe(409);
  });

  it('lists live, then upcoming, then recently ended campaigns to citizens, never drafts', async () => {
    const live = await liveCampaign({ title: '进行中的活动' });
    const scheduled = await createDraft({ title: '即将开始的活动', startAt: iso(2 * DAY), endAt: iso(9 * DAY) });
    await publish(scheduled.id);
    const ended = await liveCampaign({ title: '已结束的活动' });
    await endCampaign(ended.id);
    const draft = await createDraft({ title: '草稿活动', startAt: iso(-HOUR), endAt: iso(DAY) });

    const list = await getJson(api, '/campaigns');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((i: { id: string }) => i.id) as string[];
    expect(ids).not.toContain(draft.id);
    expect(ids.indexOf(live.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(live.id)).toBeLessThan(ids.indexOf(scheduled.id));
    expect(ids.indexOf(scheduled.id)).toBeLessThan(ids.indexOf(ended.id));
    const statuses = list.body.items.map((i: { status: string }) => i.status) as string[];
    expect(statuses).toEqual([...statuses].sort((a, b) => ['live', 'scheduled', 'ended'].indexOf(a) - ['live', 'scheduled', 'ended'].indexOf(b)));
    expect(statuses).not.toContain('draft');

    clock.advance(31 * DAY);
    const later = (await getJson(api, '/campaigns')).body.items.map((i: { id: string }) => i.id);
    expect(later).not.toContain(ended.id);
    expect((await getJson(api, `/campaigns/${ended.id}`)).status).toBe(200);
    expect((await getJson(api, `/campaigns/${draft.id}`)).status).toBe(404);
  });
});

describe('matching reports to campaigns', () => {
  const place = (categoryId: string, where: 'here' | 'far', at = clock.now()) =>
    where === 'here'
      ? { categoryId, gridId: city.gridId, streetId: here.streetId, districtId: here.districtId, at }
      : { categoryId, gridId: far.gridId, streetId: far.streetId, districtId: far.districtId, at };

  it('picks the live campaign by category, area and window; the highest multiplier, then the earliest start', async () => {
    const campaigns = api.services.campaigns;
    const P = city.publicCategory.id;
    const O = city.otherCategory.id;

    const a = await liveCampaign({ targetCategoryIds: [P], multiplier: 2 });
    expect(await campaigns.matchFor(place(P, 'here'))).toEqual({ campaignId: a.id, multiplier: 2 });
    expect(await campaigns.matchFor(place(P, 'far'))).toEqual({ campaignId: a.id, multiplier: 2 });
    expect(await campaigns.matchFor(place(O, 'here'))).toBeNull();
    expect(await campaigns.matchFor(place(P, 'here', new Date(Date.parse(a.startAt) - 1)))).toBeNull();

    const b = await liveCampaign({ targetCategoryIds: [O], targetAreaIds: [city.gridId], multiplier: 3 });
    expect(await campaigns.matchFor(place(O, 'here'))).toEqual({ campaignId: b.id, multiplier: 3 });
    expect(await campaigns.matchFor(place(O, 'far'))).toBeNull();

    const c = await liveCampaign({ targetCategoryIds: [P], targetAreaIds: [here.districtId], multiplier: 3 });
    expect((await campaigns.matchFor(place(P, 'here')))?.campaignId).toBe(c.id);
    expect((await campaigns.matchFor(place(P, 'far')))?.campaignId).toBe(a.id);

    const d = await liveCampaign({ targetAreaIds: [here.streetId, far.gridId], multiplier: 3 });
    expect((await campaigns.matchFor(place(P, 'here')))?.campaignId).toBe(c.id); // same multiplier, earlier start
    expect((await campaigns.matchFor(place(P, 'far')))?.campaignId).toBe(d.id);

    await endCampaign(c.id);
    expect((await campaigns.matchFor(place(P, 'here')))?.campaignId).toBe(d.id);

    const scheduled = await createDraft({ multiplier: 5, startAt: iso(DAY), endAt: iso(2 * DAY) });
    await publish(scheduled.id);
    expect((await campaigns.matchFor(place(P, 'here')))?.campaignId).toBe(d.id);
    expect((await campaigns.matchFor(place(P, 'here', new Date(Date.parse(scheduled.startAt) + HOUR))))?.campaignId).toBe(scheduled.id);

    expect(await campaigns.multiplierFor(d.id)).toBe(3);
    expect(await campaigns.multiplierFor('nope')).toBeNull();
    const draft = await createDraft({ multiplier: 4 });
    expect(await campaigns.multiplierFor(draft.id)).toBeNull();

    for (const id of [a.id, b.id, d.id]) await endCampaign(id);
    const unpublished = await postJson(api, `/admin/campaigns/${scheduled.id}/unpublish`, { reason: '取消' }, publicity.auth);
    expect(unpublished.status).toBe(200);
    expect(await campaigns.matchFor(place(P, 'here'))).toBeNull();
  });

  it('gives a submitted report the matching campaign whether or not it came through the campaign entry', async () => {
    const campaign = await liveCampaign({ targetCategoryIds: [city.publicCategory.id], targetAreaIds: [here.districtId] });
    const plain = await report(alice);
    const outside = await report(alice, { point: far.point });
    const other = await report(alice, { categoryId: city.otherCategory.id });
    const campaignOf = async (id: string) => (await getJson(api, `/staff/cases/${id}`, operator.auth)).body.campaignId;
    expect(await campaignOf(plain)).toBe(campaign.id);
    expect(await campaignOf(outside)).toBeNull();
    expect(await campaignOf(other)).toBeNull();
    await endCampaign(campaign.id);
  });
});

describe('reminders when a campaign goes live', () => {
  it('manages subscriptions per district with field-level errors', async () => {
    const carl = await loginCitizen(api, 'carl');
    expect((await postJson(api, '/me/campaign-subscriptions', { districtId: here.districtId })).status).toBe(401);
    expect((await postJson(api, '/me/campaign-subscriptions', { districtId: here.districtId }, publicity.auth)).status).toBe(403);
    const unknown = await postJson(api, '/me/campaign-subscriptions', { districtId: city.gridId }, carl.auth);
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual(['districtId']);
    expect(fields(await postJson(api, '/me/campaign-subscriptions', {}, carl.auth))).toEqual(['districtId']);

    await postJson(api, '/me/campaign-subscriptions', { districtId: here.districtId }, carl.auth);
    const twice = await postJson(api, '/me/campaign-subscriptions', { districtId: here.districtId }, carl.auth);
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual({ districtIds: [here.districtId] });
    const removed = await fetch(`${api.url}/me/campaign-subscriptions/${here.districtId}`, { method: 'DELETE', headers: carl.auth });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ districtIds: [] });
    expect((await getJson(api, '/me/campaign-subscriptions', carl.auth)).body).toEqual({ districtIds: [] });
  });

  it('queues one WeChat reminder per subscribed citizen of a targeted district, once', async () => {
    const dave = await loginCitizen(api, 'dave');
    const erin = await loginCitizen(api, 'erin');
    const fay = await loginCitizen(api, 'fay');
    for (const [who, districtId] of [
      [dave, here.districtId],
      [erin, far.districtId],
      [fay, here.districtId],
      [fay, far.districtId],
    ] as const) {
      expect((await postJson(api, '/me/campaign-subscriptions', { districtId }, who.auth)).status).toBe(200);
    }
    const outbox = api.db.collection<{ _id: string; payload: any }>('notification_outbox');
    const keysFor = async (id: string) => (await outbox.find({ _id: { $regex: `^campaign:${id}:` } }).toArray()).map((m) => m._id).sort();

    const local = await createDraft({
      title: '老城区文明城市创建行动：集中清理非法小广告',
      summary: '',
      targetAreaIds: [city.gridId],
      startAt: iso(HOUR),
      endAt: iso(3 * DAY),
    });
    await publish(local.id);
    const citywide = await createDraft({ title: '全城随手拍', startAt: iso(HOUR), endAt: iso(3 * DAY) });
    await publish(citywide.id);
    const draft = await createDraft({ startAt: iso(HOUR), endAt: iso(3 * DAY) });

    await api.services.campaigns.notifyLiveCampaigns();
    expect(await keysFor(local.id)).toEqual([]);

    clock.advance(HOUR + MIN);
    await api.services.campaigns.notifyLiveCampaigns();
    expect(await keysFor(local.id)).toEqual([`campaign:${local.id}:${dave.id}`, `campaign:${local.id}:${fay.id}`].sort());
    expect(await keysFor(citywide.id)).toEqual([dave.id, erin.id, fay.id].map((c) => `campaign:${citywide.id}:${c}`).sort());
    expect(await keysFor(draft.id)).toEqual([]);

    const message = await outbox.findOne({ _id: `campaign:${local.id}:${dave.id}` });
    expect(message!.payload).toEqual({
      citizenId: dave.id,
      template: 'campaign',
      page: `packagePublic/campaign/index?id=${local.id}`,
      data: {
        thing1: { value: '老城区文明城市创建行动：集中清理非法小…' },
        time2: { value: beijingMinute(local.startAt) },
        time3: { value: beijingMinute(local.endAt) },
        thing4: { value: '点击查看活动详情' },
      },
    });
    expect(Array.from(message!.payload.data.thing1.value as string).length).toBe(20);

    // Again, and after an unpublish/publish round: still one message per citizen.
    await api.services.campaigns.notifyLiveCampaigns();
    const round = await postJson(api, `/admin/campaigns/${local.id}/unpublish`, { reason: '调整' }, publicity.auth);
    expect(round.status).toBe(200);
    await publish(local.id);
    await api.services.campaigns.notifyLiveCampaigns();
    expect(await keysFor(local.id)).toHaveLength(2);
    expect(await keysFor(citywide.id)).toHaveLength(3);

    await endCampaign(local.id);
    await endCampaign(citywide.id);
  });
});

describe('results', () => {
  it('counts reports, filings, closures, participants and new citizens per day, exactly once', async () => {
    const P = city.publicCategory.id;
    const campaign = await liveCampaign({ targetCategoryIds: [P], multiplier: 5, participationGoal: 100, startAt: iso(MIN), endAt: iso(7 * DAY) });
    const day1 = beijingDay(clock.now());
    const carol = await loginCitizen(api, 'carol', '卡罗'); // account created during the campaign

    const r1 = await report(alice, { campaignId: campaign.id });
    const r2 = await report(carol, { campaignId: campaign.id });
    const r3 = await report(alice, { campaignId: campaign.id });
    expect((await postJson(api, `/reports/${r1}/support`, {}, bob.auth)).status).toBe(200);
    expect((await postJson(api, `/reports/${r1}/support`, {}, carol.auth)).status).toBe(200);

    // r1: on time.
    await act(operator, r1, { action: 'file' });
    await act(dispatcher, r1, { action: 'dispatch', departmentId: city.departmentIds[0] });
    await act(handler, r1, { action: 'accept_task' });
    await act(handler, r1, { action: 'report_handled', photoIds: await uploadPhotos(api, handler, 1), publicNote: '已清理' });
    await act(supervisor, r1, { action: 'verify_pass' });
    // r2: handled after its deadline.
    await act(operator, r2, { action: 'file' });
    await act(dispatcher, r2, { action: 'dispatch', departmentId: city.departmentIds[0] });
    await act(handler, r2, { action: 'accept_task' });
    await act(operator, r3, { action: 'file' });
    const deadline = (await getJson(api, `/staff/cases/${r2}`, operator.auth)).body.deadline as string;
    clock.set(new Date(Date.parse(deadline) + DAY));
    const closeDay = beijingDay(clock.now());
    await act(handler, r2, { action: 'report_handled', photoIds: await uploadPhotos(api, handler, 1), publicNote: '已清理' });
    await act(supervisor, r2, { action: 'verify_pass' });

    const res = await getJson(api, `/admin/campaigns/${campaign.id}/results`, publicity.auth);
    expect(res.status).toBe(200);
    const results = campaignResultsSchema.parse(res.body);
    expect(results).toMatchObject({
      campaignId: campaign.id,
      participants: 3,
      newCitizens: 1,
      reportsReceived: 3,
      filed: 3,
      closed: 2,
      onTimeRate: 0.5,
    });
    expect(closeDay > day1).toBe(true);
    expect(results.perDay.find((d) => d.date === day1)).toEqual({ date: day1, received: 3, filed: 3, closed: 1 });
    expect(results.perDay.find((d) => d.date === closeDay)).toMatchObject({ received: 0, filed: 0, closed: 1 });
    expect(results.perDay[0]!.date).toBe(day1);
    const dates = results.perDay.map((d) => d.date);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(dates).size).toBe(dates.length);
    for (const key of ['received', 'filed', 'closed'] as const) {
      expect(results.perDay.reduce((sum, d) => sum + d[key], 0)).toBe(key === 'received' ? 3 : key === 'filed' ? 3 : 2);
    }

    // Effects run again (a retry after a crash): nothing counts twice.
    const caseDoc = await api.services.workflow.get(r1);
    for (const event of caseDoc.events) {
      const effect = { id: `${r1}:${event.seq}:campaigns`, type: 'campaigns', data: { seq: event.seq }, createdAt: event.at, attempts: 1 };
      await api.services.campaigns.onCaseEvent(toEventMessage(caseDoc, event), toCaseView(caseDoc), effect);
    }
    const again = campaignResultsSchema.parse((await getJson(api, `/admin/campaigns/${campaign.id}/results`, publicity.auth)).body);
    expect(again).toEqual(results);

    // Points: the net of the points ledger lines carrying the campaign.
    const ledger = api.db.collection('points_ledger');
    await ledger.insertMany([
      { businessKey: 'test:1', campaignId: campaign.id, amount: 7, kind: 'adjustment', test: true },
      { businessKey: 'test:2', campaignId: campaign.id, amount: -2, kind: 'clawback', test: true },
      { businessKey: 'test:3', campaignId: 'another', amount: 100, kind: 'earn', test: true },
    ]);
    const withPoints = (await getJson(api, `/admin/campaigns/${campaign.id}/results`, publicity.auth)).body;
    expect(withPoints.pointsAwarded).toBe(results.pointsAwarded + 5);
    await ledger.deleteMany({ test: true });

    const csv = await fetch(`${api.url}/admin/campaigns/${campaign.id}/results.csv`, { headers: publicity.auth });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
    expect(lines[0]).toBe('日期,收到上报,立案,结案');
    expect(lines).toContain(`${day1},3,3,1`);
    expect(lines).toContain(`${closeDay},0,0,1`);
    expect(lines.at(-1)).toBe('合计,3,3,2');
    expect(lines).toHaveLength(results.perDay.length + 2);
    expect((await fetch(`${api.url}/admin/campaigns/${campaign.id}/results.csv`, { headers: alice.auth })).status).toBe(403);

    // Citizens see counts only.
    const shown = await getJson(api, `/campaigns/${campaign.id}`);
    expect(shown.status).toBe(200);
    const detail = publicCampaignSchema.strict().parse(shown.body);
    expect(detail.progress).toEqual({ reportsReceived: 3, fixed: 2, participants: 3, goal: 100 });
    expect(detail.targetCategories).toEqual([{ id: P, name: city.publicCategory.name }]);
    const text = JSON.stringify(shown.body);
    for (const secret of [alice.id, bob.id, carol.id, r1, r2, r3, '爱丽丝', '卡罗', '电线杆上贴满小广告']) expect(text).not.toContain(secret);
  });
});
