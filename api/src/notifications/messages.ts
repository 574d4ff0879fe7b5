import {
  CITIZEN_STATUS_OF,
  REJECT_REASON_NAMES_ZH,
  shanghaiMinute,
  type CaseAction,
  type CaseState,
  type RejectReason,
  type SubscribePurpose,
} from '@ssp/shared';

/** The transitions a reporter is told about, with the one-line note the message carries. */
const NOTIFY_ON: Partial<Record<CaseAction, string>> = {
  submit: '已收到您的上报，等待受理',
  file: '您的上报已受理立案',
  dispatch: '已派遣至处置部门',
  approve_postpone: '处置部门申请缓办，已获批准',
  report_handled: '处置部门已处理完毕，等待核查',
  verify_pass: '问题已解决，案件已结案，欢迎评价',
  confirm_fixed: '案件已结案，感谢您的确认',
  accept_reopen: '已根据您的反馈重新派遣',
  decline_reopen: '经核实问题已解决，维持结案',
  reject: '您的上报未予受理',
  merge: '与已有案件重复，已合并办理',
  void: '案件已作废',
  external_update: '上级平台反馈了办理进展',
};

export function shouldNotify(action: string): boolean {
  return action in NOTIFY_ON;
}

/** The message-centre line for a step of my case (every step in NOTIFY_ON, 已收到 included). */
export function inboxTextOf(msg: {
  caseNo: string;
  categoryName: string;
  action: CaseAction;
  rejectReason?: RejectReason | null;
  publicNote?: string | null;
}): {
  title: string;
  body: string;
} {
  let body = NOTIFY_ON[msg.action] ?? '案件状态已更新';
  if (msg.action === 'reject' && msg.rejectReason) body = `未予受理：${REJECT_REASON_NAMES_ZH[msg.rejectReason]}`;
  if (msg.publicNote) body = `${body}。${msg.publicNote}`;
  return { title: `${msg.categoryName} · ${msg.caseNo}`, body };
}

/** The case actions a reporter is told about (in the message centre; on WeChat as configured). */
export const NOTIFIED_ACTIONS = Object.keys(NOTIFY_ON) as CaseAction[];

/** The one-time templates a case step can be sent with. */
export const ONE_TIME_STEP_PURPOSES = ['caseAccepted', 'caseResult'] as const;
export type OneTimeStepPurpose = (typeof ONE_TIME_STEP_PURPOSES)[number];

/**
 * Which one-time template each step spends, unless the deployment says otherwise
 * (WECHAT_ONE_TIME_STEPS). Never 已收到 (the citizen has just seen the confirmation on
 * screen; a one-time acceptance spent on it leaves nothing for the result). Each template
 * is spent on the step that matters most: the screening decision, and the outcome; 派遣,
 * 处理完毕 and 缓办 stay in the message centre. A long-term template covers every step.
 */
export const DEFAULT_ONE_TIME_STEPS: Record<OneTimeStepPurpose, CaseAction[]> = {
  caseAccepted: ['file', 'reject', 'merge', 'accept_reopen'],
  caseResult: ['verify_pass', 'confirm_fixed', 'decline_reopen', 'void'],
};

/** The step-to-template map read the other way: the template each action spends. */
export type OneTimeStepMap = Partial<Record<CaseAction, OneTimeStepPurpose>>;

export function invertSteps(steps: Partial<Record<OneTimeStepPurpose, readonly CaseAction[]>>): OneTimeStepMap {
  const map: OneTimeStepMap = {};
  for (const purpose of ONE_TIME_STEP_PURPOSES) for (const action of steps[purpose] ?? []) map[action] = purpose;
  return map;
}

const DEFAULT_STEP_MAP = invertSteps(DEFAULT_ONE_TIME_STEPS);

export function wechatPurposeOf(
  action: CaseAction,
  to: CaseState,
  mode: 'one-time' | 'long-term',
  steps: OneTimeStepMap = DEFAULT_STEP_MAP,
): SubscribePurpose | null {
  if (action === 'submit' || !(action in NOTIFY_ON)) return null;
  if (mode === 'long-term') return 'caseStatus';
  // An external platform's update that ends the case spends what closing or rejecting here would.
  if (action === 'external_update' && !steps.external_update) {
    if (to === 'closed') return steps.verify_pass ?? null;
    if (to === 'rejected') return steps.reject ?? null;
    return null;
  }
  return steps[action] ?? null;
}

/** Whether a step closes the case (a rating reminder follows it). */
export const closesCase = (action: CaseAction, to: CaseState) => to === 'closed' && action !== 'decline_reopen' && action !== 'rate';

/** WeChat limits: thing ≤ 20 chars, phrase ≤ 5 chars, character_string ≤ 32. */
function clip(text: string, max: number): string {
  // By code points, as WeChat counts: an emoji in a staff note is one character, never split in half.
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface CaseStatusMessage {
  caseNo: string;
  categoryName: string;
  state: CaseState;
  action: CaseAction;
  at: Date;
  rejectReason?: RejectReason | null;
  publicNote?: string | null;
}

/**
 * Data for the "案件进度提醒" subscribe-message template. The deployment's template
 * must have these keys: character_string1 (案件编号), thing2 (问题类型),
 * phrase3 (办理状态), time4 (更新时间), thing5 (备注).
 */
export function caseStatusTemplateData(msg: CaseStatusMessage): Record<string, { value: string }> {
  let note = NOTIFY_ON[msg.action] ?? (msg.action === 'rate' ? '问题已解决，请为处理结果评价' : '案件状态已更新');
  if (msg.action === 'reject' && msg.rejectReason) note = `未予受理：${REJECT_REASON_NAMES_ZH[msg.rejectReason]}`;
  if (msg.publicNote && (msg.action === 'reject' || msg.action === 'void' || msg.action === 'decline_reopen')) {
    note = msg.publicNote;
  }
  return {
    character_string1: { value: clip(msg.caseNo, 32) },
    thing2: { value: clip(msg.categoryName, 20) },
    phrase3: { value: clip(CITIZEN_STATUS_OF[msg.state], 5) },
    time4: { value: shanghaiMinute(msg.at) },
    thing5: { value: clip(note, 20) },
  };
}
