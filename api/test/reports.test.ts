import { randomUUID } from 'node:crypto';
import { reportDetailSchema, reportPageSchema, nearbyCaseSchema } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, patchJson, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity, offset } from './helpers/city';
import { getCaseModel } from '../src/cases/models';

let api: TestApi;
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let alice: TestCitizen;
let bob: TestCitizen;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '50' } });
  city = await demoCity(api);
  alice = await loginCitizen(api, 'alice', '爱丽丝');
  bob = await loginCitizen(api, 'bob');
});
afterAll(async () => {
  await api.close();
});

async function submit(who: TestCitizen, overrides: Record<string, unknown> = {}) {
  const photoIds = await uploadPhotos(api, who, 1);
  return postJson(
    api,
    '/reports',
    {
      categoryId: city.publicCategory.id,
      description: '井盖缺失，行人容易踩空',
      location: city.point,
      address: '示范路 12 号附近',
      photoIds,
      anonymous: false,
      clientRequestId: randomUUID(),
      ...overrides,
    },
    who.auth,
  );
}

describe('submitting a report', () => {
  it('creates a pending case with a timeline entry and the grid resolved', async () => {
    const res = await submit(alice);
    expect(res.status).toBe(201);
    const detail = reportDetailSchema.parse(res.body);
    expect(detail.status).toBe('待受理');
    expect(detail.relation).toBe('reporter');
    expect(detail.caseNo).toMatch(/^\d{8}-\d{5}$/);
    expect(detail.timeline).toHaveLength(1);
    expect(detail.timeline[0]).toMatchObject({ action: 'submit', actor: '上报人', status: '待受理' });
    expect(detail.photos).toHaveLength(1);
    expect(detail.can).toMatchObject({ edit: true, withdraw: true, rate: false });
    const stored = await getCaseModel(api.db).findById(detail.id).lean();
    expect(stored?.gridId).toBe(city.gridId);
    // Its effects (messages, points, statistics…) run after the answer and then leave the case.
    await api.services.relay.settled();
    expect((await getCaseModel(api.db).findById(detail.id).lean())?.effects).toEqual([]);
  });

  it('returns the same report when the client retries with the same request id', async () => {
    const photoIds = await uploadPhotos(api, alice, 2);
    const body = {
      categoryId: city.publicCategory.id,
      description: '重试测试',
      location: city.point,
      photoIds,
      clientRequestId: `retry-${randomUUID()}`,
    };
    const first = await postJson(api, '/reports', body, alice.auth);
    const replays = await Promise.all([1, 2, 3, 4].map(() => postJson(api, '/reports', body, alice.auth)));
    expect(first.status).toBe(201);
    for (const r of replays) {
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(first.body.id);
    }
    expect(await getCaseModel(api.db).countDocuments({ clientRequestId: body.clientRequestId })).toBe(1);
  });

  it('collapses concurrent first submissions of one intent into one report', async () => {
    const photoIds = await uploadPhotos(api, bob, 1);
    const body = { categoryId: city.publicCategory.id, location: city.point, photoIds, clientRequestId: `race-${randomUUID()}` };
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => postJson(api, '/reports', body, bob.auth)));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await getCaseModel(api.db).countDocuments({ clientRequestId: body.clientRequestId })).toBe(1);
  });

  it('refuses bad input with the field at fault and stores nothing', async () => {
    const before = await getCaseModel(api.db).countDocuments();
    const noPhotos = await submit(alice, { photoIds: [] });
    expect(noPhotos.status).toBe(400);
    expect(noPhotos.body.error.details[0].field).toBe('photoIds');

    const bobsPhoto = (await uploadPhotos(api, bob, 1))[0];
    const foreign = await submit(alice, { photoIds: [bobsPhoto] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatchObject({ code: 'PHOTO_NOT_FOUND' });
    expect(foreign.body.error.details[0].field).toBe('photoIds[0]');

    const unknownCategory = await submit(alice, { categoryId: 'NOPE' });
    expect(unknownCategory.status).toBe(400);
    expect(unknownCategory.body.error.code).toBe('CATEGORY_NOT_FOUND');

    const internal = await submit(alice, { categoryId: city.internalCategory.id });
    expect(internal.status).toBe(400);
    expect(internal.body.error.code).toBe('CATEGORY_NOT_PUBLIC');

    const outside = await submit(alice, { location: { lat: 39.9, lng: 116.4 } });
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('OUTSIDE_SERVICE_AREA');

    const longText = await submit(alice, { description: '长'.repeat(501) });
    expect(longText.status).toBe(400);
    expect(longText.body.error.details[0].field).toBe('description');

    const badLocation = await submit(alice, { location: { lat: 'north', lng: 115 } });
    expect(badLocation.status).toBe(400);
    expect(badLocation.body.error.details[0].field).toBe('location.lat');

    const extra = await submit(alice, { reporterId: 'someone-else' });
    expect(extra.status).toBe(400);

    const anonymous = await postJson(api, '/reports', {});
    expect(anonymous.status).toBe(401);
    expect(await getCaseModel(api.db).countDocuments()).toBe(before);
  });
});

describe('duplicates nearby and backing a case', () => {
  it('lists open cases of the category within the radius, anonymised, and counts backing once', async () => {
    const created = await submit(alice, { location: city.point });
    const caseId = created.body.id as string;
    const near = offset(city.point, 20, 0);

    const found = await getJson(api, `/reports/nearby?lat=${near.lat}&lng=${near.lng}&category=${city.publicCategory.id}`, bob.auth);
    expect(found.status).toBe(200);
    const items = found.body.items.map((i: unknown) => nearbyCaseSchema.parse(i));
    const match = items.find((i: { id: string }) => i.id === caseId);
    expect(match).toBeDefined();
    expect(match.distanceM).toBe(20);
    expect(match.mine).toBe(false);
    expect(JSON.stringify(found.body)).not.toContain('井盖缺失');
    expect(JSON.stringify(found.body)).not.toContain(alice.id);

    const otherCategory = await getJson(api, `/reports/nearby?lat=${near.lat}&lng=${near.lng}&category=${city.otherCategory.id}`, bob.auth);
    expect(otherCategory.body.items.find((i: { id: string }) => i.id === caseId)).toBeUndefined();
    const far = offset(city.point, 200, 0);
    const farAway = await getJson(api, `/reports/nearby?lat=${far.lat}&lng=${far.lng}&category=${city.publicCategory.id}`, bob.auth);
    expect(farAway.body.items.find((i: { id: string }) => i.id === caseId)).toBeUndefined();

    const once = await postJson(api, `/reports/${caseId}/support`, {}, bob.auth);
    const twice = await postJson(api, `/reports/${caseId}/support`, {}, bob.auth);
    expect(once.body).toEqual({ id: caseId, supporterCount: 1, supported: true });
    expect(twice.body).toEqual({ id: caseId, supporterCount: 1, supported: true });
    const parallel = await Promise.all([1, 2, 3].map(() => postJson(api, `/reports/${caseId}/support`, {}, bob.auth)));
    expect(parallel.every((r) => r.body.supporterCount === 1)).toBe(true);

    const own = await postJson(api, `/reports/${caseId}/support`, {}, alice.auth);
    expect(own.status).toBe(400);
    expect(own.body.error.code).toBe('CANNOT_SUPPORT_OWN');

    const asBacker = await getJson(api, `/me/reports/${caseId}`, bob.auth);
    expect(asBacker.status).toBe(200);
    expect(asBacker.body).toMatchObject({ relation: 'supporter', description: '', location: null, address: null });

    const badQuery = await getJson(api, `/reports/nearby?lat=abc&lng=115&category=x`, bob.auth);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.details[0].field).toBe('lat');
  });
});

describe('daily rate limit', () => {
  it('refuses reports above the daily limit until the next Beijing day', async () => {
    const limited = await startTestApi({
      clock: new TestClock(new Date('2026-11-23T10:00:00Z')),
      env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '2' },
    });
    const limitedClock = limited.services.ctx.clock as TestClock;
    try {
      const c = await demoCity(limited);
      const carol = await loginCitizen(limited, 'carol');
      const send = async () => {
        const photoIds = await uploadPhotos(limited, carol, 1);
        return postJson(
          limited,
          '/reports',
          { categoryId: c.publicCategory.id, location: c.point, photoIds, clientRequestId: randomUUID() },
          carol.auth,
        );
      };
      expect((await send()).status).toBe(201);
      expect((await send()).status).toBe(201);
      const third = await send();
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      // 10:00Z is 18:00 in Beijing: six hours to midnight.
      expect(Number(third.headers.get('retry-after'))).toBe(6 * 3600);
      limitedClock.advance(6 * 3600_000 + 1000);
      expect((await send()).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('edit and withdraw before acceptance', () => {
  it('lets the reporter edit and withdraw only while pending', async () => {
    const created = await submit(alice);
    const id = created.body.id as string;
    const edited = await patchJson(api, `/me/reports/${id}`, { description: '补充：在公交站旁' }, alice.auth);
    expect(edited.status).toBe(200);
    expect(edited.body.description).toBe('补充：在公交站旁');
    const byOther = await patchJson(api, `/me/reports/${id}`, { description: 'x' }, bob.auth);
    expect(byOther.status).toBe(404);

    const withdrawn = await postJson(api, `/me/reports/${id}/withdraw`, {}, alice.auth);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('已撤回');
    const again = await patchJson(api, `/me/reports/${id}`, { description: 'late' }, alice.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REPORT_NOT_EDITABLE');

    const filedOne = await submit(alice);
    await api.services.workflow.transition(filedOne.body.id, { action: 'file', actor: { role: 'operator', id: 'op-1' } });
    const tooLate = await postJson(api, `/me/reports/${filedOne.body.id}/withdraw`, {}, alice.auth);
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('REPORT_NOT_EDITABLE');
    const editLate = await patchJson(api, `/me/reports/${filedOne.body.id}`, { description: 'late' }, alice.auth);
    expect(editLate.status).toBe(409);
  });
});

describe('tracking', () => {
  it('pages through my reports with a cursor and filters by status, never showing others', async () => {
    const dave = await loginCitizen(api, 'dave');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock.advance(1000);
      ids.push((await submit(dave)).body.id);
    }
    await api.services.workflow.transition(ids[0]!, { action: 'file', actor: { role: 'operator', id: 'op-1' } });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await getJson(api, `/me/reports?limit=2${cursor ? `&cursor=${cursor}` : ''}`, dave.auth);
      const parsed = reportPageSchema.parse(page.body);
      seen.push(...parsed.items.map((i) => i.id));
      cursor = parsed.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const filed = await getJson(api, `/me/reports?status=${encodeURIComponent('已立案')}`, dave.auth);
    expect(filed.body.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);

    const bobs = await getJson(api, '/me/reports?limit=50', bob.auth);
    expect(bobs.body.items.some((i: { id: string }) => ids.includes(i.id))).toBe(false);
    const peek = await getJson(api, `/me/reports/${ids[1]}`, bob.auth);
    expect(peek.status).toBe(404);
    const badCursor = await getJson(api, '/me/reports?cursor=garbage', dave.auth);
    expect(badCursor.status).toBe(400);
    const badStatus = await getJson(api, '/me/reports?status=done', dave.auth);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details[0].field).toBe('status');
  });

  it('follows a case to closure with after-photos, roles instead of names, and rating rules', async () => {
    const created = await submit(alice);
    const id = created.body.id as string;
    const wf = api.services.workflow;
    const early = await postJson(api, `/me/reports/${id}/rating`, { score: 5 }, alice.auth);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('NOT_RATABLE');

    await wf.transition(id, { action: 'file', actor: { role: 'operator', id: 'staff-op-7' } });
    await wf.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: 'staff-dp-3' }, set: { departmentId: 'dept-x' } });
    const after = await uploadPhotos(api, bob, 1);
    await wf.transition(id, {
      action: 'report_handled',
      actor: { role: 'department', id: 'staff-dept-1' },
      photoIds: after,
      publicNote: '已更换井盖',
      set: { afterPhotoIds: after },
    });
    await wf.transition(id, { action: 'verify_pass', actor: { role: 'supervisor', id: 'staff-sup-2' } });

    const detail = reportDetailSchema.parse((await getJson(api, `/me/reports/${id}`, alice.auth)).body);
    expect(detail.status).toBe('已结案');
    expect(detail.afterPhotos.map((p) => p.id)).toEqual(after);
    expect(detail.timeline.map((t) => t.status)).toEqual(['待受理', '已立案', '已派遣', '待核查', '已结案']);
    expect(detail.timeline.map((t) => t.actor)).toEqual(['上报人', '受理员', '派遣员', '处置部门', '监督员']);
    expect(detail.timeline[3]?.note).toBe('已更换井盖');
    expect(JSON.stringify(detail)).not.toMatch(/staff-/);
    expect(detail.can).toMatchObject({ rate: true, reportNotFixed: true, edit: false });

    const bad = await postJson(api, `/me/reports/${id}/rating`, { score: 6 }, alice.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('score');
    const notMine = await postJson(api, `/me/reports/${id}/rating`, { score: 4 }, bob.auth);
    expect(notMine.status).toBe(404);
    const rated = await postJson(api, `/me/reports/${id}/rating`, { score: 4, comment: '修得很快' }, alice.auth);
    expect(rated.status).toBe(200);
    expect(rated.body.rating).toMatchObject({ score: 4, comment: '修得很快' });
    const twice = await postJson(api, `/me/reports/${id}/rating`, { score: 1 }, alice.auth);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_RATED');
    const notFixedAfterRating = await postJson(api, `/me/reports/${id}/not-fixed`, { note: '又坏了' }, alice.auth);
    expect(notFixedAfterRating.status).toBe(409);
  });

  it('records "not fixed" as a reopen request instead of a rating', async () => {
    const created = await submit(alice);
    const id = created.body.id as string;
    const wf = api.services.workflow;
    await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    await wf.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
    await wf.transition(id, { action: 'report_handled', actor: { role: 'department', id: null } });
    await wf.transition(id, { action: 'verify_pass', actor: { role: 'supervisor', id: null } });

    const res = await postJson(api, `/me/reports/${id}/not-fixed`, { note: '井盖还是松动' }, alice.auth);
    expect(res.status).toBe(200);
    expect(res.body.reopenRequested).toBe(true);
    expect(res.body.can).toMatchObject({ rate: false, reportNotFixed: false });
    const again = await postJson(api, `/me/reports/${id}/not-fixed`, { note: '再说一次' }, alice.auth);
    expect(again.status).toBe(409);
    const rate = await postJson(api, `/me/reports/${id}/rating`, { score: 3 }, alice.auth);
    expect(rate.status).toBe(409);
    expect(rate.body.error.code).toBe('NOT_RATABLE');
  });
});
