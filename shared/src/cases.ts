/**
 * The official case flow (GB/T 30428 family, domain brief §3) as one table.
 * The API checks every transition against it; the mini-program uses it to offer
 * only the actions a role may take in a state.
 */

export const CASE_STATES = [
  'pending', // 待受理
  'withdrawn', // 已撤回 (by the reporter, before acceptance)
  'rejected', // 不予受理 / 作废 (invalid, duplicate, out of scope, or voided)
  'filed', // 已立案, waiting for dispatch (also after a department's 回退)
  'forwarded', // 已转办 to an external official platform
  'dispatched', // 已派遣 to a department
  'processing', // 处置中 (the department signed for it)
  'postponed', // 缓办 (approved postponement; deadline moved)
  'handled', // 处理反馈 received, 待核查
  'closed', // 已结案
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const OPEN_CASE_STATES: readonly CaseState[] = ['pending', 'filed', 'forwarded', 'dispatched', 'processing', 'postponed', 'handled'];
export const TERMINAL_CASE_STATES: readonly CaseState[] = ['withdrawn', 'rejected', 'closed'];
/** States in which the handling deadline runs: past it without handling feedback, a case is overdue. */
export const DEADLINE_RUNNING_STATES: readonly CaseState[] = ['filed', 'dispatched', 'processing', 'postponed'];

/**
 * Who acts on a case. `reporter` is the citizen who filed it, `citizen` any other citizen
 * (backing it: 我也遇到); `system` and `external` are machines.
 */
export const ACTOR_ROLES = ['reporter', 'citizen', 'operator', 'dispatcher', 'department', 'supervisor', 'system', 'external'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const ACTOR_ROLE_NAMES_ZH: Record<ActorRole, string> = {
  reporter: '上报人',
  citizen: '市民',
  operator: '受理员',
  dispatcher: '派遣员',
  department: '处置部门',
  supervisor: '监督员',
  system: '系统',
  external: '上级平台',
};

export const CASE_ACTIONS = [
  'submit',
  'withdraw',
  'reject',
  'merge',
  'file',
  'forward',
  'dispatch',
  'accept_task',
  'return',
  'request_postpone',
  'approve_postpone',
  'deny_postpone',
  'report_handled',
  'verify_pass',
  'verify_fail',
  'confirm_fixed',
  'request_reopen',
  'accept_reopen',
  'decline_reopen',
  'void',
  'external_update',
  'support',
  'rate',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Facts about a case, besides its state, that decide whether an action is open. */
export interface CaseFlags {
  postponeRequested?: boolean;
  reopenRequested?: boolean;
  /** Public reports may close on the reporter's confirmation instead of on-site verification. */
  reporterMayConfirm?: boolean;
  rated?: boolean;
}

interface TransitionRule {
  from: readonly CaseState[];
  /** The state after the action; `same` keeps it (e.g. a request that only sets a flag). */
  to: CaseState | 'same' | 'external';
  roles: readonly ActorRole[];
  when?: (flags: CaseFlags) => boolean;
}

export const TRANSITIONS: Record<CaseAction, TransitionRule> = {
  submit: { from: [], to: 'pending', roles: ['reporter', 'system'] },
  withdraw: { from: ['pending'], to: 'withdrawn', roles: ['reporter'] },
  reject: { from: ['pending'], to: 'rejected', roles: ['operator'] },
  merge: { from: ['pending'], to: 'rejected', roles: ['operator'] },
  file: { from: ['pending'], to: 'filed', roles: ['operator'] },
  forward: { from: ['filed'], to: 'forwarded', roles: ['operator', 'dispatcher', 'system'] },
  dispatch: { from: ['filed'], to: 'dispatched', roles: ['dispatcher'] },
  accept_task: { from: ['dispatched'], to: 'processing', roles: ['department'] },
  return: { from: ['dispatched', 'processing'], to: 'filed', roles: ['department'] },
  request_postpone: {
    from: ['dispatched', 'processing'],
    to: 'same',
    roles: ['department'],
    when: (f) => !f.postponeRequested,
  },
  approve_postpone: {
    from: ['dispatched', 'processing'],
    to: 'postponed',
    roles: ['dispatcher'],
    when: (f) => !!f.postponeRequested,
  },
  deny_postpone: {
    from: ['dispatched', 'processing'],
    to: 'same',
    roles: ['dispatcher'],
    when: (f) => !!f.postponeRequested,
  },
  report_handled: { from: ['dispatched', 'processing', 'postponed'], to: 'handled', roles: ['department'] },
  verify_pass: { from: ['handled'], to: 'closed', roles: ['supervisor'] },
  verify_fail: { from: ['handled'], to: 'processing', roles: ['supervisor'] },
  confirm_fixed: { from: ['handled'], to: 'closed', roles: ['reporter'], when: (f) => !!f.reporterMayConfirm },
  request_reopen: { from: ['closed'], to: 'same', roles: ['reporter'], when: (f) => !f.reopenRequested && !f.rated },
  accept_reopen: { from: ['closed'], to: 'dispatched', roles: ['operator'], when: (f) => !!f.reopenRequested },
  decline_reopen: { from: ['closed'], to: 'same', roles: ['operator'], when: (f) => !!f.reopenRequested },
  // A filed case later found false (e.g. a fabricated report): voided, points clawed back.
  void: { from: ['filed', 'dispatched', 'processing', 'postponed', 'handled'], to: 'rejected', roles: ['operator'] },
  // Status reported back by an external platform for a forwarded case; the target is in the payload.
  external_update: { from: ['forwarded'], to: 'external', roles: ['external'] },
  // 我也遇到: another citizen backs an open case (or a merged duplicate's reporter, by the system).
  support: {
    from: ['pending', 'filed', 'forwarded', 'dispatched', 'processing', 'postponed', 'handled'],
    to: 'same',
    roles: ['citizen', 'system'],
  },
  // The reporter's satisfaction with a closed case, once.
  rate: { from: ['closed'], to: 'same', roles: ['reporter'], when: (f) => !f.rated && !f.reopenRequested },
};

/** States an external platform may report for a forwarded case. */
export const EXTERNAL_TARGET_STATES: readonly CaseState[] = ['forwarded', 'processing', 'handled', 'closed', 'rejected'];

export function canTransition(action: CaseAction, state: CaseState, role: ActorRole, flags: CaseFlags = {}): boolean {
  const rule = TRANSITIONS[action];
  if (!rule.roles.includes(role)) return false;
  if (!rule.from.includes(state)) return false;
  return rule.when ? rule.when(flags) : true;
}

/** The state an action leads to (for `external_update`, the reported target state). */
export function nextState(action: CaseAction, state: CaseState, externalTarget?: CaseState): CaseState {
  const to = TRANSITIONS[action].to;
  if (to === 'same') return state;
  if (to === 'external') {
    if (!externalTarget || !EXTERNAL_TARGET_STATES.includes(externalTarget)) {
      throw new Error(`external_update needs one of ${EXTERNAL_TARGET_STATES.join(', ')}`);
    }
    return externalTarget;
  }
  return to;
}

export function allowedActions(state: CaseState, role: ActorRole, flags: CaseFlags = {}): CaseAction[] {
  return CASE_ACTIONS.filter((action) => action !== 'submit' && canTransition(action, state, role, flags));
}

export const ACTION_NAMES_ZH: Record<CaseAction, string> = {
  submit: '市民上报',
  withdraw: '撤回上报',
  reject: '不予受理',
  merge: '合并重复上报',
  file: '立案',
  forward: '转办上级平台',
  dispatch: '派遣',
  accept_task: '签收',
  return: '回退',
  request_postpone: '申请缓办',
  approve_postpone: '批准缓办',
  deny_postpone: '驳回缓办',
  report_handled: '处理反馈',
  verify_pass: '核查通过',
  verify_fail: '核查不通过，返工',
  confirm_fixed: '上报人确认已解决',
  request_reopen: '上报人反馈未解决',
  accept_reopen: '重新派遣',
  decline_reopen: '维持结案',
  void: '作废',
  external_update: '上级平台反馈',
  support: '市民附议（我也遇到）',
  rate: '上报人评价',
};

/** Status names citizens see (common 随手拍 platforms use these). */
export const CITIZEN_STATUSES = ['待受理', '已立案', '已派遣', '处理中', '待核查', '已结案', '已作废', '缓办', '已撤回'] as const;
export type CitizenStatus = (typeof CITIZEN_STATUSES)[number];

export const CITIZEN_STATUS_OF: Record<CaseState, CitizenStatus> = {
  pending: '待受理',
  withdrawn: '已撤回',
  rejected: '已作废',
  filed: '已立案',
  forwarded: '处理中',
  dispatched: '已派遣',
  processing: '处理中',
  postponed: '缓办',
  handled: '待核查',
  closed: '已结案',
};

/** Citizen status filter → the case states it covers. */
export function statesForCitizenStatus(status: CitizenStatus): CaseState[] {
  return CASE_STATES.filter((s) => CITIZEN_STATUS_OF[s] === status);
}

export const REJECT_REASONS = ['invalid', 'duplicate', 'out_of_scope'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const REJECT_REASON_NAMES_ZH: Record<RejectReason, string> = {
  invalid: '信息无效',
  duplicate: '重复上报',
  out_of_scope: '不属于城市管理范围',
};

export const CASE_SOURCES = ['citizen', 'open311', 'staff', 'external'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];
