import { allowedActions, staffActionSchema, type CaseState, type StaffRole } from '@ssp/shared';
import { ACTION_SPECS, buildActionBody, offeredActions, overdueFirst, queueTabs, worksCases } from '../src/logic/staff-actions';

describe('workbench actions', () => {
  it('offers exactly the actions the shared state machine allows, primary first', () => {
    expect(offeredActions(allowedActions('pending', 'operator')).map((a) => a.action)).toEqual(['file', 'merge', 'reject']);
    expect(offeredActions(allowedActions('filed', 'dispatcher')).map((a) => a.action)).toEqual(['dispatch', 'forward']);
    expect(offeredActions(allowedActions('dispatched', 'department')).map((a) => a.action)).toEqual([
      'accept_task',
      'report_handled',
      'request_postpone',
      'return',
    ]);
    expect(offeredActions(allowedActions('processing', 'dispatcher', { postponeRequested: true })).map((a) => a.action)).toEqual([
      'approve_postpone',
      'deny_postpone',
    ]);
    expect(offeredActions(allowedActions('handled', 'supervisor')).map((a) => a.action)).toEqual(['verify_pass', 'verify_fail']);
    expect(offeredActions(allowedActions('closed', 'supervisor'))).toEqual([]);
  });

  it('has a form for every staff action of the state machine', () => {
    const roles = ['operator', 'dispatcher', 'department', 'supervisor'] as const;
    const states: CaseState[] = ['pending', 'filed', 'dispatched', 'processing', 'postponed', 'handled', 'closed'];
    for (const role of roles) {
      for (const state of states) {
        for (const flags of [{}, { postponeRequested: true }, { reopenRequested: true }]) {
          for (const action of allowedActions(state, role, flags)) expect(ACTION_SPECS).toHaveProperty(action);
        }
      }
    }
  });

  it('builds bodies the API schema accepts, and says what is missing in Chinese', () => {
    const ok = (action: Parameters<typeof buildActionBody>[0], form: Parameters<typeof buildActionBody>[2]) => {
      const built = buildActionBody(action, 3, form);
      if (!built.ok) throw new Error(built.message);
      expect(staffActionSchema.safeParse(built.body).success).toBe(true);
      return built.body;
    };
    expect(ok('file', { departmentId: 'dept-water' })).toEqual({ action: 'file', version: 3, departmentId: 'dept-water' });
    expect(ok('reject', { rejectReason: 'invalid', note: '照片与问题无关' })).toEqual({
      action: 'reject',
      version: 3,
      reason: 'invalid',
      publicNote: '照片与问题无关',
    });
    expect(ok('report_handled', { photoIds: ['AAAAAAAAAAAAAAAAAAAAAA'], note: '已修复' })).toMatchObject({
      photoIds: ['AAAAAAAAAAAAAAAAAAAAAA'],
      publicNote: '已修复',
    });
    expect(ok('request_postpone', { extraValue: '2', extraUnit: 'work_days', note: '需要采购井盖' })).toMatchObject({
      extra: { value: 2, unit: 'work_days' },
      reason: '需要采购井盖',
    });
    expect(ok('return', { note: '不属于本部门' })).toMatchObject({ reason: '不属于本部门' });
    expect(ok('accept_task', {})).toEqual({ action: 'accept_task', version: 3 });

    expect(buildActionBody('reject', 3, { note: 'x' })).toEqual({ ok: false, message: '请选择不予受理的原因' });
    expect(buildActionBody('report_handled', 3, { note: '已修复' })).toEqual({ ok: false, message: '请上传处置后的照片' });
    expect(buildActionBody('verify_fail', 3, {})).toEqual({ ok: false, message: '请填写未通过的原因' });
    expect(buildActionBody('request_postpone', 3, { note: 'x', extraValue: '0' })).toEqual({ ok: false, message: '请填写需要延长的时间（1–365）' });
    expect(buildActionBody('merge', 3, {})).toEqual({ ok: false, message: '请选择与之重复的案件' });
  });

  it('gives each case role its queues, and puts overdue cases first', () => {
    const roles: StaffRole[] = ['operator', 'dispatcher', 'department', 'supervisor'];
    for (const r of roles) {
      expect(worksCases(r)).toBe(true);
      expect(queueTabs(r).length).toBeGreaterThan(1);
    }
    expect(queueTabs('operator')[0]).toMatchObject({ title: '待受理', query: { state: 'pending' } });
    expect(queueTabs('publicity')).toEqual([]);
    expect(worksCases('publicity')).toBe(false);
    const items = [
      { id: 1, overdue: false },
      { id: 2, overdue: true },
      { id: 3, overdue: false },
      { id: 4, overdue: true },
    ];
    expect(overdueFirst(items).map((i) => i.id)).toEqual([2, 4, 1, 3]);
  });
});
