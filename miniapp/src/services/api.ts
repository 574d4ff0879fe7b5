import type { CitizenStatus, CreateCampaignInput, CreateReportInput, StaffAction, UpdateCampaignInput } from '@ssp/shared';
import { bareApi } from './client';
import { api, linkStaffWeChat, staffApi } from './session';

/*
 * Every endpoint the mini-program calls, by its name in the API contract: the shared
 * client (@ssp/shared client.ts) types each call and validates each answer with the
 * contract's schemas. `bareApi` carries no session, `api` the citizen's, `staffApi` staff's.
 */

// ---- city data (public)

export const cityApi = {
  city: () => bareApi.call('getCity'),
  categories: () => bareApi.call('listCategories', { query: { public: 'true' } }),
  areas: () => bareApi.call('getAreaTree'),
  locate: (lat: number, lng: number) => bareApi.call('locateArea', { query: { lat, lng } }),
  /** The street address there, or null (no provider configured). */
  reverse: (lat: number, lng: number) => api.call('reverseGeocode', { query: { lat, lng } }).then((r) => r.address),
  departments: () => bareApi.call('listDepartments'),
};

// ---- citizen reports

export const reportsApi = {
  /** `created` is false when the clientRequestId was seen before: the first report comes back. */
  async create(input: CreateReportInput) {
    const { status, body } = await api.callWithStatus('createReport', { body: input });
    return { created: status === 201, report: body };
  },
  nearby: (lat: number, lng: number, category: string) => api.call('nearbyReports', { query: { lat, lng, category } }).then((r) => r.items),
  support: (id: string) => api.call('supportReport', { params: { id } }),
  mine: (q: { status?: CitizenStatus; cursor?: string | null; limit?: number }) =>
    api.call('listMyReports', { query: { status: q.status, cursor: q.cursor ?? undefined, limit: q.limit ?? 20 } }),
  detail: (id: string) => api.call('getMyReport', { params: { id } }),
  edit: (id: string, description: string) => api.call('editMyReport', { params: { id }, body: { description } }),
  withdraw: (id: string) => api.call('withdrawMyReport', { params: { id } }),
  rate: (id: string, score: number, comment: string) => api.call('rateMyReport', { params: { id }, body: { score, comment } }),
  notFixed: (id: string, note: string) => api.call('reportNotFixed', { params: { id }, body: { note } }),
  confirm: (id: string) => api.call('confirmFixed', { params: { id } }),
  share: (id: string) => api.call('shareMyReport', { params: { id } }),
  shared: (id: string) => bareApi.call('getSharedCase', { params: { id } }),
};

// ---- staff workbench

export const staffCasesApi = {
  queue: (query: Record<string, string | undefined>) => staffApi.call('caseQueue', { query: { limit: 20, ...query } }),
  detail: (id: string) => staffApi.call('getStaffCase', { params: { id } }),
  act: (id: string, body: StaffAction) => staffApi.call('actOnCase', { params: { id }, body }),
  forwardTargets: () => staffApi.call('listForwardingTargets'),
  departments: () => cityApi.departments(),
};

// ---- campaigns (citizens: public; publicity staff: /admin/campaigns)

export const campaignsApi = {
  list: () => bareApi.call('listCampaigns'),
  detail: (id: string) => bareApi.call('getCampaign', { params: { id } }),
  subscriptions: () => api.call('listCampaignSubscriptions'),
  subscribe: (districtId: string) => api.call('subscribeCampaigns', { body: { districtId } }),
  unsubscribe: (districtId: string) => api.call('unsubscribeCampaigns', { params: { districtId } }),
};

/** Publishing passes WeChat's content checks with the author's openid: linked first (an account signed in before linking existed). */
export const staffCampaignsApi = {
  list: () => staffApi.call('listCampaignsAdmin'),
  detail: (id: string) => staffApi.call('getCampaignAdmin', { params: { id } }),
  create: (body: CreateCampaignInput) => staffApi.call('createCampaign', { body }),
  update: (id: string, body: UpdateCampaignInput) => staffApi.call('updateCampaign', { params: { id }, body }),
  preview: (id: string) => staffApi.call('previewCampaign', { params: { id } }),
  publish: async (id: string, version: number) => {
    await linkStaffWeChat();
    return staffApi.call('publishCampaign', { params: { id }, body: { version } });
  },
  end: (id: string, version: number, reason?: string) => staffApi.call('endCampaign', { params: { id }, body: { version, reason } }),
  results: (id: string) => staffApi.call('campaignResults', { params: { id } }),
};

// ---- points, rewards, claims, leaderboard

export const pointsApi = {
  mine: () => api.call('getMyPoints'),
  history: (cursor?: string | null) => api.call('myPointsHistory', { query: { cursor: cursor ?? undefined, limit: 20 } }),
  setAnonymous: (anonymous: boolean) => api.call('setPointsPreferences', { body: { anonymous } }),
  rewards: () => bareApi.call('listRewards').then((r) => r.items),
  /** The same clientRequestId on a retry returns the same claim (no double spend). */
  claim: (rewardId: string, clientRequestId: string) => api.call('claimReward', { params: { id: rewardId }, body: { clientRequestId } }),
  claims: (cursor?: string | null) => api.call('listMyClaims', { query: { cursor: cursor ?? undefined, limit: 20 } }),
  /** Signed in or not: the API adds the caller's own standing when it knows them. */
  leaderboard: (period: 'month' | 'all') => api.call('leaderboard', { query: { period, limit: 50 } }),
};

// ---- message centre and WeChat subscribe-message grants

export const messagesApi = {
  page: (cursor?: string | null) => api.call('listMyMessages', { query: { cursor: cursor ?? undefined, limit: 20 } }),
  unread: () => api.call('myUnreadCount').then((r) => r.unread),
  markRead: (ids?: string[]) => api.call('markMessagesRead', { body: ids ? { ids } : {} }).then((r) => r.unread),
  subscriptions: () => api.call('mySubscriptions'),
  recordSubscriptions: (results: Record<string, 'accept' | 'reject' | 'ban' | 'filter'>) => api.call('recordSubscriptions', { body: { results } }),
};

// ---- public statistics (anonymised, by whole months)

type StatsQuery = { from?: string; to?: string; granularity?: 'month' | 'year' };

export const statsApi = {
  summary: (q: StatsQuery = {}) => bareApi.call('publicStatsSummary', { query: q }),
  timeseries: (q: StatsQuery = {}) => bareApi.call('publicStatsTimeseries', { query: { granularity: 'month', ...q } }),
  categories: (q: StatsQuery = {}) => bareApi.call('publicStatsCategories', { query: q }),
  departments: (q: StatsQuery = {}) => bareApi.call('publicStatsDepartments', { query: q }),
};
