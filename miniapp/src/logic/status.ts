import { CITIZEN_STATUS_OF, CITIZEN_STATUSES, type CaseState, type CitizenStatus } from '@ssp/shared';

/** Colour families of the status chips; the CSS has one class per tone (chip--<tone>). */
export type ChipTone = 'waiting' | 'active' | 'review' | 'done' | 'void' | 'paused';

const TONE_OF: Record<CitizenStatus, ChipTone> = {
  待受理: 'waiting',
  已立案: 'active',
  已派遣: 'active',
  处理中: 'active',
  待核查: 'review',
  已结案: 'done',
  已作废: 'void',
  缓办: 'paused',
  已撤回: 'void',
};

export interface StatusChip {
  label: CitizenStatus;
  tone: ChipTone;
}

export function citizenChip(status: CitizenStatus): StatusChip {
  return { label: status, tone: TONE_OF[status] };
}

export function chipForState(state: CaseState): StatusChip {
  return citizenChip(CITIZEN_STATUS_OF[state]);
}

/** Filters on 我的上报: 全部 first, then every citizen status. */
export const MY_REPORT_FILTERS: { label: string; status?: CitizenStatus }[] = [
  { label: '全部' },
  ...CITIZEN_STATUSES.map((status) => ({ label: status, status })),
];

/** What each status means to the citizen, shown under the chip on the detail page. */
export const STATUS_EXPLANATIONS: Record<CitizenStatus, string> = {
  待受理: '已收到您的上报，工作人员会尽快核实',
  已立案: '已确认问题并立案，正在安排处置部门',
  已派遣: '已派给处置部门，正在等待处理',
  处理中: '处置部门正在处理',
  待核查: '处置部门已反馈处理完毕，正在核查',
  已结案: '问题已处理完毕，欢迎评价',
  已作废: '经核实不予受理',
  缓办: '处置需要更长时间，已批准延期',
  已撤回: '您已撤回这条上报',
};

/** Staff see the internal state names (the official flow's stages); one list, in shared/. */
export { STAFF_STATE_NAMES_ZH } from '@ssp/shared';
