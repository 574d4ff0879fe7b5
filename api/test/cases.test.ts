import { randomUUID } from 'node:crypto';
import { computeDeadline, staffCaseDetailSchema, type StaffCaseDetail } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity, offset } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';

// Monday 2026-11-23 10:00 in Beijing.
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
let alice: TestCitizen;
let bob: TestCitizen;
let operator: TestStaff;
let operator2: TestStaff;
let dispatcher: TestStaff;
let supervisor: TestStaff;
let handlerA: TestStaff;
let handlerB: TestStaff;
let publicity: TestStaff;
let admin: TestStaff;

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100' } });
  city = await demoCity(api);
  alice = await loginCitizen(api, 'alice');
  bob = await loginCitizen(api, 'bob');
  operator = await staffLogin(api, 'operator');
  operator2 = await staffLogin(api, 'operator');
  dispatcher = await staffLogin(api, 'dispatcher');
  supervisor = await staffLogin(api, 'supervisor');
  handlerA = await staffLogin(api, 'department', city.departmentIds[0]);
  handlerB = await staffLogin(api, 'department', city.departmentIds[1]);
  publicity = await staffLogin(api, 'publicity');
  admin = await staffLogin(api, 'admin');
});
afterAll(async () => {
  await api.close();
});

async function report(who: TestCitizen, at = city.point): Promise<string> {
  const photoIds = await uploadPhotos(api, who, 1);
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, description: '人行道井盖缺失', location: at, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function detail(staff: TestStaff, id: string): Promise<StaffCaseDetail> {
  const res = await getJson(api, `/staff/cases/${id}`, staff.auth);
  expect(res.status).toBe(200);
  return staffCaseDetailSchema.parse(res.body);
}

async function act(staff: TestStaff, id: string, body: Record<string, unknown>) {
  const version = body.version ?? (await getJson(api, `/staff/cases/${id}`, staff.auth)).body?.version ?? 1;
  return postJson(api, `/staff/cases/${id}/actions`, { ...body, version }, staff.auth);
}

async function fileAndDispatch(id: string, departmentId = city.departmentIds[0]) {
  expect((await act(operator, id, { action: 'file' })).status).toBe(200);
  const res = await act(dispatcher, id, { action: 'dispatch', departmentId });
  expect(res.status).toBe(200);
  return res.body as StaffCaseDetail;
}

describe('the official flow over HTTP', () => {
  it('takes a citizen report from 待受理 to 结案 with rework, scoped to the department', async () => {
    const id = await report(alice);
    const queue = await getJson(api, '/staff/cases?state=pending&limit=100', operator.auth);
    expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(id);
    const pending = await detail(operator, id);
    expect(pending.allowedActions).toEqual(['reject', 'merge', 'file']);
    expect(pending.proposedDepartments.length).toBeGreaterThan(0);

    const filed = await act(operator, id, { action: 'file', version: pending.version });
    expect(filed.status).toBe(200);
    expect(filed.body.state).toBe('filed');
    expect(filed.body.deadline).not.toBeNull();
    expect(filed.body.departmentId).toBe(pending.proposedDepartments[0]);

    const dispatched = await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
    expect(dispatched.body.state).toBe('dispatched');

    // Another department neither sees nor touches it.
    expect((await getJson(api, `/staff/cases/${id}`, handlerB.auth)).status).toBe(404);
    const bQueue = await getJson(api, '/staff/cases?limit=100', handlerB.auth);
    expect(bQueue.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await act(handlerB, id, { action: 'accept_task', version: dispatched.body.version })).status).toBe(404);

    const aQueue = await getJson(api, '/staff/cases?limit=100', handlerA.auth);
    expect(aQueue.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await act(handlerA, id, { action: 'accept_task' })).body.state).toBe('processing');

    const noPhotos = await act(handlerA, id, { action: 'report_handled', photoIds: [], publicNote: '已处理' });
    expect(noPhotos.status).toBe(400);
    expect(noPhotos.body.error.details[0].field).toBe('photoIds');
    const citizenPhoto = (await uploadPhotos(api, alice, 1))[0];
    const foreignPhoto = await act(handlerA, id, { action: 'report_handled', photoIds: [citizenPhoto], publicNote: '已处理' });
    expect(foreignPhoto.status).toBe(400);

    const after1 = await uploadPhotos(api, handlerA, 1);
    expect((await act(handlerA, id, { action: 'report_handled', photoIds: after1, publicNote: '已加装临时盖板' })).body.state).toBe('handled');
    const rework = await act(supervisor, id, { action: 'verify_fail', internalNote: '盖板不牢固' });
    expect(rework.body).toMatchObject({ state: 'processing', reworkCount: 1 });

    const after2 = await uploadPhotos(api, handlerA, 2);
    await act(handlerA, id, { action: 'report_handled', photoIds: after2, publicNote: '已更换新井盖' });
    const closed = await act(supervisor, id, { action: 'verify_pass' });
    expect(closed.body).toMatchObject({ state: 'closed', reworkCount: 1, allowedActions: [] });
    const names = closed.body.events.map((e: { actorName: string | null }) => e.actorName);
    expect(names.at(-1)).toBe(supervisor.displayName);
    expect(names[1]).toBe(operator.displayName);

    const citizenView = await getJson(api, `/me/reports/${id}`, alice.auth);
    expect(citizenView.body.status).toBe('已结案');
    expect(citizenView.body.afterPhotos.map((p: { id: string }) => p.id)).toEqual(after2);
    expect(citizenView.body.timeline.map((t: { actor: string }) => t.actor)).toEqual([
      '上报人',
      '受理员',
      '派遣员',
      '处置部门',
      '处置部门',
      '监督员',
      '处置部门',
      '监督员',
    ]);
    // Staff names and ids never reach citizens.
    for (const staff of [operator, dispatcher, handlerA, supervisor]) {
      expect(JSON.stringify(citizenView.body)).not.toContain(staff.displayName);
      expect(JSON.stringify(citizenView.body)).not.toContain(staff.id);
    }
  });

  it('refuses actions a role may not take, and callers outside the flow', async () => {
    const id = await report(alice);
    const byDepartment = await act(handlerA, id, { action: 'file', version: 1 });
    expect(byDepartment.status).toBe(404); // not its case at all
    const byDispatcher = await act(dispatcher, id, { action: 'file' });
    expect(byDispatcher.status).toBe(409);
    expect(byDispatcher.body.error.code).toBe('ILLEGAL_TRANSITION');
    const dispatchTooEarly = await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
    expect(dispatchTooEarly.status).toBe(409);
    const verifyTooEarly = await act(supervisor, id, { action: 'verify_pass' });
    expect(verifyTooEarly.status).toBe(409);

    for (const outsider of [publicity, admin]) {
      expect((await getJson(api, '/staff/cases', outsider.auth)).status).toBe(403);
      expect((await act(outsider, id, { action: 'file', version: 1 })).status).toBe(403);
    }
    expect((await getJson(api, '/staff/cases', alice.auth)).status).toBe(403);
    expect((await getJson(api, '/staff/cases')).status).toBe(401);

    const unknownAction = await act(operator, id, { action: 'teleport' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.error.details[0].field).toBe('action');
    const noVersion = await postJson(api, `/staff/cases/${id}/actions`, { action: 'file' }, operator.auth);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.details[0].field).toBe('version');
    const badDept = await act(operator, id, { action: 'file', departmentId: 'no-such-dept' });
    expect(badDept.status).toBe(400);
    expect(badDept.body.error.details[0].field).toBe('departmentId');
    expect((await getJson(api, '/staff/cases/not-an-id', operator.auth)).status).toBe(404);
    expect((await getJson(api, '/staff/cases?overdue=maybe', operator.auth)).status).toBe(400);
  });

  it('lets exactly one of two staff acting at once succeed', async () => {
    const id = await report(alice);
    const { version } = await detail(operator, id);
    const [a, b] = await Promise.all([
      act(operator, id, { action: 'file', version }),
      act(operator2, id, { action: 'reject', version, reason: 'invalid', publicNote: '照片无法辨认' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('CONFLICT');
    const stale = await act(operator, id, { action: 'file', version });
    expect(stale.status).toBe(409);
    const final = await detail(operator, id);
    expect(final.events).toHaveLength(2);
  });
});

describe('deadlines and overdue', () => {
  it('computes the deadline from the category limit on the working calendar, and flags overdue cases first', async () => {
    // Friday 2026-11-27 16:30 Beijing: the clock stops for the weekend.
    clock.set('2026-11-27T08:30:00Z');
    const id = await report(alice);
    const filed = await act(operator, id, { action: 'file' });
    const calendar = await api.services.catalogue.getCalendar();
    const category = await api.services.catalogue.getCategory(city.publicCategory.id);
    const expected = computeDeadline(clock.now(), category.timeLimit, calendar);
    expect(filed.body.deadline).toBe(expected.toISOString());

    await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
    const later = await report(bob, offset(city.point, 300, 300));
    clock.advance(3 * 3600_000);
    await fileAndDispatchExisting(later);
    expect((await detail(operator, id)).overdue).toBe(category.timeLimit.unit === 'urgent_hours' && category.timeLimit.value < 3);

    clock.set(new Date(expected.getTime() + 60_000));
    const overdue = await getJson(api, '/staff/cases?overdue=true&limit=100', dispatcher.auth);
    const ids = overdue.body.items.map((i: { id: string }) => i.id);
    expect(ids).toContain(id);
    expect(overdue.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    const all = await getJson(api, '/staff/cases?state=dispatched&limit=100', dispatcher.auth);
    const order = all.body.items.map((i: { id: string }) => i.id);
    expect(order.indexOf(id)).toBeLessThan(order.indexOf(later));
    clock.set('2026-11-23T02:00:00Z');
  });

  it('moves the deadline by an approved postponement', async () => {
    const id = await report(alice);
    const dispatched = await fileAndDispatch(id);
    await act(handlerA, id, { action: 'accept_task' });
    const asked = await act(handlerA, id, { action: 'request_postpone', extra: { value: 2, unit: 'work_days' }, reason: '需协调产权单位' });
    expect(asked.body.postponeRequested).toBe(true);
    expect((await act(handlerA, id, { action: 'request_postpone', extra: { value: 1, unit: 'work_days' }, reason: '再申请' })).status).toBe(409);
    const postponed = await act(dispatcher, id, { action: 'approve_postpone', publicNote: '需协调产权单位，延期处理' });
    expect(postponed.body.state).toBe('postponed');
    const calendar = await api.services.catalogue.getCalendar();
    const expected = computeDeadline(new Date(dispatched.deadline!), { value: 2, unit: 'work_days' }, calendar);
    expect(postponed.body.deadline).toBe(expected.toISOString());
    const citizen = await getJson(api, `/me/reports/${id}`, alice.auth);
    expect(citizen.body.status).toBe('缓办');

    const other = await report(alice);
    await fileAndDispatch(other);
    await act(handlerA, other, { action: 'request_postpone', extra: { value: 4, unit: 'work_hours' }, reason: '材料未到' });
    const denied = await act(dispatcher, other, { action: 'deny_postpone', internalNote: '不符合缓办条件' });
    expect(denied.body).toMatchObject({ state: 'dispatched', postponeRequested: false });
  });
});

async function fileAndDispatchExisting(id: string) {
  await act(operator, id, { action: 'file' });
  await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[0] });
}

describe('returns, duplicates, reopening and voiding', () => {
  it('sends a returned case back to the dispatcher, who dispatches it elsewhere', async () => {
    const id = await report(alice);
    await fileAndDispatch(id);
    const returned = await act(handlerA, id, { action: 'return', reason: '不属于本单位职责' });
    expect(returned.status).toBe(200);
    const afterReturn = await detail(dispatcher, id);
    expect(afterReturn).toMatchObject({ state: 'filed', departmentId: null });
    expect((await getJson(api, `/staff/cases/${id}`, handlerA.auth)).status).toBe(404);
    const noDept = await act(dispatcher, id, { action: 'dispatch' });
    expect(noDept.status).toBe(400);
    const redispatched = await act(dispatcher, id, { action: 'dispatch', departmentId: city.departmentIds[1] });
    expect(redispatched.body.departmentId).toBe(city.departmentIds[1]);
    expect((await getJson(api, `/staff/cases/${id}`, handlerB.auth)).status).toBe(200);
  });

  it('merges a duplicate: its reporter becomes a supporter of the original and can follow it', async () => {
    const original = await report(alice);
    const duplicate = await report(bob, offset(city.point, 10, 0));
    const selfMerge = await act(operator, duplicate, { action: 'merge', duplicateOf: duplicate });
    expect(selfMerge.status).toBe(400);
    const merged = await act(operator, duplicate, { action: 'merge', duplicateOf: original });
    expect(merged.body).toMatchObject({ state: 'rejected', rejectReason: 'duplicate', duplicateOf: original });
    const orig = await detail(operator, original);
    expect(orig.supporterCount).toBe(1);
    const bobsView = await getJson(api, `/me/reports/${duplicate}`, bob.auth);
    expect(bobsView.body).toMatchObject({ status: '已作废', rejectReason: '重复上报', mergedInto: { id: original } });
    const following = await getJson(api, `/me/reports/${original}`, bob.auth);
    expect(following.body.relation).toBe('supporter');

    const closedOne = await report(alice);
    await act(operator, closedOne, { action: 'reject', reason: 'invalid', publicNote: '无效' });
    const another = await report(bob);
    const intoClosed = await act(operator, another, { action: 'merge', duplicateOf: closedOne });
    expect(intoClosed.status).toBe(409);
  });

  it('handles a reporter\'s "not fixed": accept sends it back out, decline keeps it closed', async () => {
    const closeCase = async () => {
      const id = await report(alice);
      await fileAndDispatch(id);
      await act(handlerA, id, { action: 'report_handled', photoIds: await uploadPhotos(api, handlerA, 1), publicNote: '已处理' });
      await act(supervisor, id, { action: 'verify_pass' });
      return id;
    };
    const first = await closeCase();
    expect((await act(operator, first, { action: 'accept_reopen' })).status).toBe(409); // nobody asked
    await postJson(api, `/me/reports/${first}/not-fixed`, { note: '井盖又松了' }, alice.auth);
    const asked = await getJson(api, '/staff/cases?reopenRequested=true&limit=100', operator.auth);
    expect(asked.body.items.map((i: { id: string }) => i.id)).toContain(first);
    const reopened = await act(operator, first, { action: 'accept_reopen' });
    expect(reopened.body).toMatchObject({ state: 'dispatched', reopenRequested: false, departmentId: city.departmentIds[0] });

    const second = await closeCase();
    await postJson(api, `/me/reports/${second}/not-fixed`, { note: '没修' }, alice.auth);
    const declined = await act(operator, second, { action: 'decline_reopen', publicNote: '经现场核实已修复' });
    expect(declined.body).toMatchObject({ state: 'closed', reopenRequested: false });
    const citizen = await getJson(api, `/me/reports/${second}`, alice.auth);
    expect(citizen.body.timeline.at(-1)).toMatchObject({ action: 'decline_reopen', note: '经现场核实已修复' });
  });

  it('voids a filed case found to be false', async () => {
    const id = await report(alice);
    await act(operator, id, { action: 'file' });
    const voided = await act(operator, id, { action: 'void', publicNote: '经核实为虚假上报' });
    expect(voided.body.state).toBe('rejected');
    expect((await getJson(api, `/me/reports/${id}`, alice.auth)).body.status).toBe('已作废');
  });
});

describe("closing public reports on the reporter's confirmation (configurable)", () => {
  it('lets the reporter confirm a handled case only when the deployment allows it', async () => {
    const id = await report(alice);
    await fileAndDispatch(id);
    await act(handlerA, id, { action: 'report_handled', photoIds: await uploadPhotos(api, handlerA, 1), publicNote: '已处理' });
    const refused = await postJson(api, `/me/reports/${id}/confirm`, {}, alice.auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ILLEGAL_TRANSITION');

    const confirming = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', CASES_REPORTER_MAY_CONFIRM: 'true' } });
    try {
      const c = await demoCity(confirming);
      const carol = await loginCitizen(confirming, 'carol');
      const photoIds = await uploadPhotos(confirming, carol, 1);
      const created = await postJson(
        confirming,
        '/reports',
        { categoryId: c.publicCategory.id, location: c.point, photoIds, clientRequestId: randomUUID() },
        carol.auth,
      );
      await confirming.services.relay.settled(); // the new report's effects run after the answer
      const caseId = created.body.id as string;
      const wf = confirming.services.workflow;
      await wf.transition(caseId, { action: 'file', actor: { role: 'operator', id: null } });
      await wf.transition(caseId, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
      await wf.transition(caseId, { action: 'report_handled', actor: { role: 'department', id: null } });
      const view = await getJson(confirming, `/me/reports/${caseId}`, carol.auth);
      expect(view.body.can.confirmFixed).toBe(true);
      const confirmed = await postJson(confirming, `/me/reports/${caseId}/confirm`, {}, carol.auth);
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.status).toBe('已结案');
      expect(confirmed.body.timeline.at(-1)).toMatchObject({ action: 'confirm_fixed', actor: '上报人' });
    } finally {
      await confirming.close();
    }
  });
});

describe('searching and narrowing the queue', () => {
  async function reportWith(description: string): Promise<string> {
    const photoIds = await uploadPhotos(api, alice, 1);
    const res = await postJson(
      api,
      '/reports',
      { categoryId: city.publicCategory.id, description, location: city.point, photoIds, clientRequestId: randomUUID() },
      alice.auth,
    );
    await api.services.relay.settled(); // the new report's effects run after the answer
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

  it('finds a case by its number, by its first digits, and by words of its description', async () => {
    const id = await reportWith('菜市场东门 垃圾桶 满溢 Overflowing');
    const other = await reportWith('菜市场西门路灯不亮');
    const { caseNo } = await detail(operator, id);

    const byNumber = await operator.api.callRaw('caseQueue', { query: { q: caseNo, limit: 100 } });
    expect(ids(byNumber)).toEqual([id]);
    // Each item carries its position (GCJ-02) for the console's map.
    expect(byNumber.body.items[0].location).toEqual(city.point);
    const byPrefix = await operator.api.callRaw('caseQueue', { query: { q: caseNo.slice(0, 8), limit: 100 } });
    expect(ids(byPrefix)).toEqual(expect.arrayContaining([id, other]));

    const byWords = await operator.api.callRaw('caseQueue', { query: { q: '菜市场 垃圾桶', limit: 100 } });
    expect(ids(byWords)).toEqual([id]);
    const anyCase = await operator.api.callRaw('caseQueue', { query: { q: 'overflowing', limit: 100 } });
    expect(ids(anyCase)).toEqual([id]);
    // Regular-expression characters are text.
    const literal = await operator.api.callRaw('caseQueue', { query: { q: '菜市场.*(', limit: 100 } });
    expect(literal.status).toBe(200);
    expect(ids(literal)).toEqual([]);
  });

  it('keeps cases reported within a date range (Beijing days), and refuses a malformed date', async () => {
    clock.set('2026-11-24T15:30:00Z'); // 2026-11-24 23:30 in Beijing
    const late = await reportWith('夜间施工噪音');
    clock.set('2026-11-24T16:30:00Z'); // 2026-11-25 00:30 in Beijing
    const next = await reportWith('夜间施工噪音');
    clock.set('2026-11-23T02:00:00Z');

    const day24 = await operator.api.callRaw('caseQueue', { query: { from: '2026-11-24', to: '2026-11-24', q: '施工噪音', limit: 100 } });
    expect(ids(day24)).toEqual([late]);
    const from25 = await operator.api.callRaw('caseQueue', { query: { from: '2026-11-25', q: '施工噪音', limit: 100 } });
    expect(ids(from25)).toEqual([next]);
    const bad = await operator.api.callRaw('caseQueue', { query: { from: '2026-02-30' } as never });
    expect(bad.status).toBe(400);
  });
});
