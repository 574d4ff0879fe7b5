import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { OperationId, StatsExportRow, StatsQueryInput } from '@ssp/shared';
import type { Principal } from '../auth/tokens';
import { ApiError } from '../core/errors';
import type { HandlerEntry, Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import * as csv from '../core/csv';
import { rateLimit } from '../core/rate-limit';
import type { StatsScope } from './service';

type Cut = (query: StatsQueryInput, scope: StatsScope) => Promise<unknown>;

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

function staffScope(principal: StaffPrincipal): Extract<StatsScope, { kind: 'staff' }> {
  if (principal.role !== 'department') return { kind: 'staff' };
  if (!principal.departmentId) throw new ApiError(403, 'FORBIDDEN', '账号未关联处置部门');
  return { kind: 'staff', departmentId: principal.departmentId };
}

/**
 * Public answers are the same for everyone for five minutes: a strong ETag of the body,
 * and 304 when the request is fresh (Koa's `ctx.fresh`: If-None-Match names the ETag;
 * a request with `Cache-Control: no-cache` asks for the body again and gets it).
 */
function sendCached(ctx: Context, body: string, type: string, etag = etagOf(body)): void {
  ctx.etag = etag;
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body;
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * The JSON and ETag of public answers a cut hands out again (the summary keeps its answer
 * while its published cells are the same, cuts.ts): serialised and hashed once. Weak keys:
 * an entry goes when the cut lets its answer go.
 */
const serialised = new WeakMap<object, { body: string; etag: string }>();
function serialise(answer: object): { body: string; etag: string } {
  let kept = serialised.get(answer);
  if (!kept) {
    const body = JSON.stringify(answer);
    kept = { body, etag: etagOf(body) };
    serialised.set(answer, kept);
  }
  return kept;
}

const CSV_COUNTS = [
  'reported',
  'accepted',
  'filed',
  'rejected',
  'handled',
  'closures',
  'due',
  'closed',
  'onTime',
  'overdue',
  'reworked',
  'postponed',
  'reopened',
  'rated',
  'satisfied',
  'supporters',
] as const;
const CSV_RATES = ['filingRate', 'validReportRate', 'closureRate', 'onTimeRate', 'reworkRate', 'handlingRate', 'satisfaction'] as const;
const CSV_DIMS = ['month', 'level', 'districtId', 'streetId', 'gridId', 'family', 'majorCode', 'categoryId', 'departmentId', 'source'] as const;

/** Open-data CSV: one published cell a line; rates as percents, empty when undefined. */
function toCsv(rows: StatsExportRow[]): string {
  const header = [...CSV_DIMS, ...CSV_COUNTS, ...CSV_RATES.map((r) => `${r}Percent`)];
  const lines = rows.map((row) => [
    ...CSV_DIMS.map((d) => row[d]),
    ...CSV_COUNTS.map((c) => row.counts[c]),
    ...CSV_RATES.map((r) => row.rates[r].percent),
  ]);
  return csv.toCsv(header, lines);
}

/** Anonymised public statistics (no login, cached, rate-limited) and the unsuppressed staff view. */
export function statsHandlers({ stats, rateLimits, ctx: serviceCtx }: Services): Handlers<OperationsOfTag<'stats'>> {
  const limitPublic = rateLimit(rateLimits, { name: 'stats-public', limit: serviceCtx.config.stats.publicRatePerMinute, key: (ctx) => ctx.ip });
  const published = (cut: Cut): HandlerEntry<OperationId> => ({
    use: [limitPublic],
    handle: async (input, ctx) => {
      const { body, etag } = serialise((await cut(input.query as StatsQueryInput, { kind: 'public' })) as object);
      sendCached(ctx, body, 'application/json', etag);
    },
  });
  const forStaff =
    (cut: Cut) =>
    ({ caller, query }: { caller: StaffPrincipal; query: StatsQueryInput }) =>
      cut(query, staffScope(caller));

  return {
    publicStatsSummary: published((q, s) => stats.summary(q, s)),
    staffStatsSummary: forStaff((q, s) => stats.summary(q, s)),
    publicStatsTimeseries: published((q, s) => stats.timeseries(q, s)),
    staffStatsTimeseries: forStaff((q, s) => stats.timeseries(q, s)),
    publicStatsCategories: published((q, s) => stats.categories(q, s)),
    staffStatsCategories: forStaff((q, s) => stats.categories(q, s)),
    publicStatsAreas: published((q, s) => stats.areas(q, s)),
    staffStatsAreas: forStaff((q, s) => stats.areas(q, s)),
    publicStatsDepartments: published((q, s) => stats.departments(q, s)),
    staffStatsDepartments: forStaff((q, s) => stats.departments(q, s)),
    publicStatsMap: published((q, s) => stats.map(q, s)),
    staffStatsMap: forStaff((q, s) => stats.map(q, s)),
    publicStatsExportJson: {
      use: [limitPublic],
      handle: async ({ query }, ctx) => sendCached(ctx, JSON.stringify(await stats.exportCells(query)), 'application/json'),
    },
    publicStatsExportCsv: {
      use: [limitPublic],
      handle: async ({ query }, ctx) => {
        const { rows } = await stats.exportCells(query);
        ctx.attachment('suishoupai-stats.csv');
        sendCached(ctx, toCsv(rows), csv.CSV_CONTENT_TYPE);
      },
    },
    statsCases: ({ caller, query }) => stats.cases(query, staffScope(caller)),
  };
}
