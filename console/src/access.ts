import { TRANSITIONS, contract, type ActorRole, type CaseAction, type OperationId, type StaffRole } from '@ssp/shared';

/**
 * What the console offers a role, derived from the two tables the API enforces: the
 * contract's access list per operation (shared/src/contract.ts) and the state machine's
 * roles per action (shared/src/cases.ts). The console only hides what a role cannot do;
 * the API still decides every call.
 */
export function mayCall(role: StaffRole, operation: OperationId): boolean {
  const access = contract[operation].access;
  return access === 'public' || (Array.isArray(access) && (access as readonly string[]).includes(role));
}

/** Whether the role takes any of these case actions in the state machine. */
export function takesAction(role: StaffRole, actions: readonly CaseAction[]): boolean {
  return actions.some((a) => (TRANSITIONS[a].roles as readonly ActorRole[]).includes(role as ActorRole));
}

export type ScreenKey =
  'home' | 'desk' | 'tasks' | 'verify' | 'campaigns' | 'stats' | 'staff' | 'rewards' | 'claims' | 'points' | 'forwarding' | 'cityData';

export interface Screen {
  key: ScreenKey;
  path: string;
  title: string;
  /** Operations the screen calls; the role must be allowed every one. */
  operations: readonly OperationId[];
  /** Case actions the screen exists for; the role must take at least one (when given). */
  actions?: readonly CaseAction[];
}

export const SCREENS: readonly Screen[] = [
  { key: 'home', path: '/', title: '工作台首页', operations: ['getStaffMe'] },
  {
    key: 'desk',
    path: '/desk',
    title: '案件调度台',
    operations: ['caseQueue', 'getStaffCase', 'actOnCase', 'getAreaTree', 'listCategories'],
    actions: ['file', 'reject', 'dispatch', 'forward', 'approve_postpone', 'accept_reopen'],
  },
  {
    key: 'tasks',
    path: '/tasks',
    title: '我的任务',
    operations: ['caseQueue', 'getStaffCase', 'actOnCase', 'uploadPhotos'],
    actions: ['accept_task', 'report_handled'],
  },
  {
    key: 'verify',
    path: '/verify',
    title: '核查队列',
    operations: ['caseQueue', 'getStaffCase', 'actOnCase'],
    actions: ['verify_pass', 'verify_fail'],
  },
  {
    key: 'campaigns',
    path: '/campaigns',
    title: '宣传活动',
    operations: ['listCampaignsAdmin', 'getCampaignAdmin', 'createCampaign', 'updateCampaign', 'previewCampaign', 'publishCampaign', 'uploadPhotos'],
  },
  {
    key: 'stats',
    path: '/stats',
    title: '统计分析',
    operations: ['staffStatsSummary', 'staffStatsTimeseries', 'staffStatsDepartments', 'statsCases', 'getCity'],
  },
  { key: 'staff', path: '/staff', title: '工作人员账号', operations: ['listStaff', 'createStaff', 'updateStaff', 'listDepartments'] },
  { key: 'rewards', path: '/rewards', title: '奖励与库存', operations: ['listRewardsAdmin', 'upsertReward'] },
  { key: 'claims', path: '/claims', title: '兑换发放', operations: ['listClaims', 'fulfilClaim', 'failClaim', 'exportClaimsCsv'] },
  { key: 'points', path: '/points', title: '积分调整', operations: ['searchCitizens', 'getCitizenPoints', 'citizenPointsHistory', 'adjustPoints'] },
  { key: 'forwarding', path: '/forwarding', title: '转办投递', operations: ['forwardingStatus', 'retryFailedForwarding'] },
  {
    key: 'cityData',
    path: '/city-data',
    title: '城市数据',
    operations: [
      'getCatalogueData',
      'replaceCatalogueData',
      'getAreasData',
      'replaceAreasData',
      'getDepartmentsData',
      'replaceDepartmentsData',
      'getCalendar',
      'replaceCalendar',
    ],
  },
];

export function screensFor(role: StaffRole): Screen[] {
  return SCREENS.filter((s) => s.operations.every((op) => mayCall(role, op)) && (!s.actions || takesAction(role, s.actions)));
}
