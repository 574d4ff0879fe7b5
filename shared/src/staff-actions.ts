import { ACTION_NAMES_ZH, type CaseAction, type CaseState } from './cases';
import type { StaffRole } from './auth';
import type { StaffAction, StaffActionName } from './staff-cases';

/**
 * The staff action forms, shared by the mini-program's workbench and the desktop console:
 * which of the state machine's actions have a form, what each form asks for, and how its
 * answers become the body of POST /staff/cases/:id/actions. The server's `allowedActions`
 * decides which show.
 */

/** Staff see the internal state names (the official flow's stages). */
export const STAFF_STATE_NAMES_ZH: Record<CaseState, string> = {
  pending: '待受理',
  withdrawn: '已撤回',
  rejected: '不予受理/作废',
  filed: '已立案待派遣',
  forwarded: '已转办',
  dispatched: '已派遣',
  processing: '处置中',
  postponed: '缓办',
  handled: '待核查',
  closed: '已结案',
};

export type NoteKey = 'publicNote' | 'internalNote' | 'reason';

export interface ActionSpec {
  action: StaffActionName;
  label: string;
  tone: 'primary' | 'default' | 'danger';
  note?: { key: NoteKey; required: boolean; label: string; placeholder: string };
  /** Asks for a handling department (optional: the case's proposed one is the default). */
  department?: boolean;
  rejectReason?: boolean;
  duplicateOf?: boolean;
  forwardTarget?: boolean;
  afterPhotos?: boolean;
  postponeExtra?: boolean;
}

const publicNote = (required: boolean, label = '告知市民的说明'): ActionSpec['note'] => ({
  key: 'publicNote',
  required,
  label,
  placeholder: required ? '必填，市民可以看到' : '选填，市民可以看到',
});
const internalNote = (required: boolean, label = '内部备注'): ActionSpec['note'] => ({
  key: 'internalNote',
  required,
  label,
  placeholder: required ? '必填，仅工作人员可见' : '选填，仅工作人员可见',
});

export const ACTION_SPECS: Record<StaffActionName, ActionSpec> = {
  file: { action: 'file', label: '立案', tone: 'primary', department: true, note: internalNote(false) },
  dispatch: { action: 'dispatch', label: '派遣', tone: 'primary', department: true, note: internalNote(false) },
  reject: { action: 'reject', label: '不予受理', tone: 'danger', rejectReason: true, note: publicNote(true, '不予受理的理由') },
  merge: { action: 'merge', label: '标记重复', tone: 'default', duplicateOf: true, note: internalNote(false) },
  forward: { action: 'forward', label: '转办上级平台', tone: 'default', forwardTarget: true, note: internalNote(false) },
  accept_task: { action: 'accept_task', label: '签收', tone: 'primary' },
  report_handled: { action: 'report_handled', label: '处理完毕', tone: 'primary', afterPhotos: true, note: publicNote(true, '处理情况') },
  request_postpone: {
    action: 'request_postpone',
    label: '申请缓办',
    tone: 'default',
    postponeExtra: true,
    note: { key: 'reason', required: true, label: '缓办理由', placeholder: '必填' },
  },
  return: {
    action: 'return',
    label: '回退',
    tone: 'danger',
    note: { key: 'reason', required: true, label: '回退理由', placeholder: '必填，如：不属于本部门职责' },
  },
  approve_postpone: { action: 'approve_postpone', label: '批准缓办', tone: 'primary', note: publicNote(false) },
  deny_postpone: { action: 'deny_postpone', label: '驳回缓办', tone: 'danger', note: internalNote(true, '驳回理由') },
  verify_pass: { action: 'verify_pass', label: '核查通过，结案', tone: 'primary', note: publicNote(false) },
  verify_fail: { action: 'verify_fail', label: '核查不通过，返工', tone: 'danger', note: internalNote(true, '未通过的原因') },
  accept_reopen: { action: 'accept_reopen', label: '重新派遣', tone: 'primary', department: true, note: internalNote(false) },
  decline_reopen: { action: 'decline_reopen', label: '维持结案', tone: 'default', note: publicNote(true, '维持结案的说明') },
  void: { action: 'void', label: '作废', tone: 'danger', note: publicNote(true, '作废理由') },
};

/** The actions to offer, in the spec's order (primary first), from the server's allowed list. */
export function offeredActions(allowed: readonly CaseAction[]): ActionSpec[] {
  const set = new Set<string>(allowed);
  const specs = Object.values(ACTION_SPECS).filter((s) => set.has(s.action));
  const weight = { primary: 0, default: 1, danger: 2 } as const;
  return specs.sort((a, b) => weight[a.tone] - weight[b.tone]);
}

export function actionLabel(action: CaseAction): string {
  return (ACTION_SPECS as Record<string, ActionSpec | undefined>)[action]?.label ?? ACTION_NAMES_ZH[action];
}

export interface ActionForm {
  note?: string;
  departmentId?: string;
  rejectReason?: 'invalid' | 'out_of_scope';
  duplicateOf?: string;
  forwardTarget?: string;
  photoIds?: string[];
  extraValue?: string;
  extraUnit?: 'work_hours' | 'work_days';
}

export type BuiltAction = { ok: true; body: StaffAction } | { ok: false; message: string };

/** Turns a filled form into the action body, or a message saying what is missing. */
export function buildActionBody(action: StaffActionName, version: number, form: ActionForm): BuiltAction {
  const spec = ACTION_SPECS[action];
  const note = form.note?.trim() ?? '';
  if (spec.note?.required && !note) return { ok: false, message: `请填写${spec.note.label}` };
  if (note.length > 500) return { ok: false, message: '说明最多 500 字' };
  const body: Record<string, unknown> = { action, version };
  if (spec.note && note) body[spec.note.key] = note;
  if (spec.department && form.departmentId) body.departmentId = form.departmentId;
  if (spec.rejectReason) {
    if (!form.rejectReason) return { ok: false, message: '请选择不予受理的原因' };
    body.reason = form.rejectReason;
  }
  if (spec.duplicateOf) {
    if (!form.duplicateOf) return { ok: false, message: '请选择与之重复的案件' };
    body.duplicateOf = form.duplicateOf;
  }
  if (spec.forwardTarget) {
    if (!form.forwardTarget) return { ok: false, message: '请选择转办的平台' };
    body.targetId = form.forwardTarget;
  }
  if (spec.afterPhotos) {
    if (!form.photoIds?.length) return { ok: false, message: '请上传处置后的照片' };
    body.photoIds = form.photoIds;
  }
  if (spec.postponeExtra) {
    const value = Number(form.extraValue);
    if (!form.extraValue || !Number.isFinite(value) || value <= 0 || value > 365) return { ok: false, message: '请填写需要延长的时间（1–365）' };
    body.extra = { value, unit: form.extraUnit ?? 'work_days' };
  }
  return { ok: true, body: body as StaffAction };
}

/** A queue tab of the workbench. */
export interface QueueTab {
  key: string;
  title: string;
  query: Record<string, string>;
}

/** Each role's queues: what it has to act on first. Overdue cases sort first within a queue. */
export function queueTabs(role: StaffRole): QueueTab[] {
  switch (role) {
    case 'operator':
      return [
        { key: 'pending', title: '待受理', query: { state: 'pending' } },
        { key: 'reopen', title: '市民反馈未解决', query: { reopenRequested: 'true' } },
        { key: 'filed', title: '已立案', query: { state: 'filed' } },
        { key: 'overdue', title: '超期', query: { overdue: 'true' } },
      ];
    case 'dispatcher':
      return [
        { key: 'filed', title: '待派遣', query: { state: 'filed' } },
        { key: 'postpone', title: '缓办申请', query: { postponeRequested: 'true' } },
        { key: 'overdue', title: '超期', query: { overdue: 'true' } },
        { key: 'dispatched', title: '已派遣', query: { state: 'dispatched' } },
      ];
    case 'department':
      return [
        { key: 'dispatched', title: '待签收', query: { state: 'dispatched' } },
        { key: 'processing', title: '处置中', query: { state: 'processing' } },
        { key: 'postponed', title: '缓办', query: { state: 'postponed' } },
        { key: 'overdue', title: '超期', query: { overdue: 'true' } },
      ];
    case 'supervisor':
      return [
        { key: 'handled', title: '待核查', query: { state: 'handled' } },
        { key: 'closed', title: '已结案', query: { state: 'closed' } },
      ];
    default:
      return [];
  }
}

/** Overdue first, then the server's order (earliest due first). */
export function overdueFirst<T extends { overdue: boolean }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => Number(b.item.overdue) - Number(a.item.overdue) || a.i - b.i)
    .map((x) => x.item);
}

/** Roles that work cases; publicity staff run campaigns instead. */
export function worksCases(role: StaffRole): boolean {
  return role === 'operator' || role === 'dispatcher' || role === 'department' || role === 'supervisor';
}
