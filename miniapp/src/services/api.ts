import {
  adminCampaignListSchema,
  adminCampaignSchema,
  areaTreeSchema,
  campaignListSchema,
  campaignResultsSchema,
  claimSchema,
  leaderboardSchema,
  myPointsSchema,
  pointsHistorySchema,
  rewardSchema,
  publicCampaignSchema,
  type CreateCampaignInput,
  type UpdateCampaignInput,
  categoryListSchema,
  citySchema,
  departmentListSchema,
  forwardingTargetListSchema,
  locateResultSchema,
  nearbyCaseSchema,
  reportDetailSchema,
  reportPageSchema,
  staffCaseDetailSchema,
  staffCaseSummarySchema,
  supportResultSchema,
  type CitizenStatus,
  type CreateReportInput,
  type StaffAction,
  type StatsDepartments,
  type StatsSummary,
  type StatsTimeseries,
  type StatsTree,
} from '@ssp/shared';
import { z } from 'zod';
import { bareApi } from './client';
import { parseBody } from './request';
import { api, staffApi } from './session';

/** Every endpoint the mini-program calls, typed and validated with the shared schemas. */

// ---- city data (public)

export const cityApi = {
  city: () => bareApi.get('/city', { schema: citySchema }),
  categories: () => bareApi.get('/categories', { query: { public: true }, schema: categoryListSchema }),
  areas: () => bareApi.get('/areas', { schema: areaTreeSchema }),
  locate: (lat: number, lng: number) => bareApi.get('/areas/locate', { query: { lat, lng }, schema: locateResultSchema }),
  departments: () => bareApi.get('/departments', { schema: departmentListSchema }),
};

// ---- citizen reports

const nearbyListSchema = z.object({ items: z.array(nearbyCaseSchema) });

export const reportsApi = {
  /** `created` is false when the clientRequestId was seen before: the first report comes back. */
  async create(input: CreateReportInput) {
    const res = await api.requestRaw('POST', '/reports', { body: input });
    return { created: res.statusCode === 201, report: parseBody(reportDetailSchema, res) };
  },
  nearby: (lat: number, lng: number, category: string) =>
    api.get('/reports/nearby', { query: { lat, lng, category }, schema: nearbyListSchema }).then((r) => r.items),
  support: (id: string) => api.post(`/reports/${id}/support`, { schema: supportResultSchema }),
  mine: (q: { status?: CitizenStatus; cursor?: string | null; limit?: number }) =>
    api.get('/me/reports', { query: { status: q.status, cursor: q.cursor, limit: q.limit ?? 20 }, schema: reportPageSchema }),
  detail: (id: string) => api.get(`/me/reports/${id}`, { schema: reportDetailSchema }),
  edit: (id: string, description: string) => api.patch(`/me/reports/${id}`, { body: { description }, schema: reportDetailSchema }),
  withdraw: (id: string) => api.post(`/me/reports/${id}/withdraw`, { schema: reportDetailSchema }),
  rate: (id: string, score: number, comment: string) =>
    api.post(`/me/reports/${id}/rating`, { body: { score, comment }, schema: reportDetailSchema }),
  notFixed: (id: string, note: string) => api.post(`/me/reports/${id}/not-fixed`, { body: { note }, schema: reportDetailSchema }),
  confirm: (id: string) => api.post(`/me/reports/${id}/confirm`, { schema: reportDetailSchema }),
};

// ---- staff workbench

const queueSchema = z.object({ items: z.array(staffCaseSummarySchema), nextCursor: z.string().nullable() });

export const staffCasesApi = {
  queue: (query: Record<string, string | undefined>) => staffApi.get('/staff/cases', { query: { limit: 20, ...query }, schema: queueSchema }),
  detail: (id: string) => staffApi.get(`/staff/cases/${id}`, { schema: staffCaseDetailSchema }),
  act: (id: string, body: StaffAction) => staffApi.post(`/staff/cases/${id}/actions`, { body, schema: staffCaseDetailSchema }),
  forwardTargets: () => staffApi.get('/forwarding/targets', { schema: forwardingTargetListSchema }),
  departments: () => cityApi.departments(),
};

// ---- campaigns (citizens: public; publicity staff: /admin/campaigns)

export const campaignsApi = {
  list: () => bareApi.get('/campaigns', { schema: campaignListSchema }),
  detail: (id: string) => bareApi.get(`/campaigns/${id}`, { schema: publicCampaignSchema }),
};

export const staffCampaignsApi = {
  list: () => staffApi.get('/admin/campaigns', { schema: adminCampaignListSchema }),
  detail: (id: string) => staffApi.get(`/admin/campaigns/${id}`, { schema: adminCampaignSchema }),
  create: (body: CreateCampaignInput) => staffApi.post('/admin/campaigns', { body, schema: adminCampaignSchema }),
  update: (id: string, body: UpdateCampaignInput) => staffApi.patch(`/admin/campaigns/${id}`, { body, schema: adminCampaignSchema }),
  preview: (id: string) => staffApi.get(`/admin/campaigns/${id}/preview`, { schema: publicCampaignSchema }),
  publish: (id: string, version: number) => staffApi.post(`/admin/campaigns/${id}/publish`, { body: { version }, schema: adminCampaignSchema }),
  end: (id: string, version: number, reason?: string) =>
    staffApi.post(`/admin/campaigns/${id}/end`, { body: { version, reason }, schema: adminCampaignSchema }),
  results: (id: string) => staffApi.get(`/admin/campaigns/${id}/results`, { schema: campaignResultsSchema }),
};

// ---- points, rewards, claims, leaderboard

const rewardListSchema = z.object({ items: z.array(rewardSchema) });
const claimPageSchema = z.object({ items: z.array(claimSchema), nextCursor: z.string().nullable() });

export const pointsApi = {
  mine: () => api.get('/me/points', { schema: myPointsSchema }),
  history: (cursor?: string | null) => api.get('/me/points/history', { query: { cursor, limit: 20 }, schema: pointsHistorySchema }),
  setAnonymous: (anonymous: boolean) => api.put('/me/points/preferences', { body: { anonymous } }),
  rewards: () => bareApi.get('/rewards', { schema: rewardListSchema }).then((r) => r.items),
  /** The same clientRequestId on a retry returns the same claim (no double spend). */
  claim: (rewardId: string, clientRequestId: string) =>
    api.post(`/rewards/${rewardId}/claims`, { body: { clientRequestId }, schema: claimSchema }),
  claims: (cursor?: string | null) => api.get('/me/claims', { query: { cursor, limit: 20 }, schema: claimPageSchema }),
  /** Signed in or not: the API adds the caller's own standing when it knows them. */
  leaderboard: (period: 'month' | 'all') => api.get('/leaderboard', { query: { period, limit: 50 }, schema: leaderboardSchema }),
};

// ---- public statistics (anonymised, by whole months; the API has no schemas for these, types only)

type StatsQuery = { from?: string; to?: string; granularity?: 'month' | 'year' };

export const statsApi = {
  summary: (q: StatsQuery = {}) => bareApi.get('/stats/public/summary', { query: q }) as Promise<StatsSummary>,
  timeseries: (q: StatsQuery = {}) => bareApi.get('/stats/public/timeseries', { query: { granularity: 'month', ...q } }) as Promise<StatsTimeseries>,
  categories: (q: StatsQuery = {}) => bareApi.get('/stats/public/categories', { query: q }) as Promise<StatsTree>,
  departments: (q: StatsQuery = {}) => bareApi.get('/stats/public/departments', { query: q }) as Promise<StatsDepartments>,
};
