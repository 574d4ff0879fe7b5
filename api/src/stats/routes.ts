import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { OperationId, StatsExportRow, StatsQueryInput } from '@ssp/shared';
import type { Principal } from '../auth/tokens';
import { ApiError } from '../core/errors';
import type { HandlerEntry, Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import { FixedWindowLimiter } from './rate-limit';
import type { StatsScope } from './service';

type Cut = (query: StatsQueryInput, scope: StatsScope) => Promise<unknown>;

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

function staffScope(principal: StaffPrincipal): Extract<StatsScope, { kind: 'staff' }> {
  if (principal.role !== 'department') return { kind: 'staff' };
  if (!principal.departmentId) throw new ApiError(403, 'FORBIDDEN', '账号未关联处置部门');
  return { kind: 'staff', departmentId: principal.departmentId };
}

/** Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks for it). */
function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === etag);
}

/**
 * Public answers are the same for everyone for five minutes: a strong ETag of the body,
 * and 304 when If-None-Match names it (also under `Cache-Control: no-cache`, which asks
 * caches to revalidate with us, as fetch() sends with conditional requests).
 */
function sendCached(ctx: Context, body: string, type: string): void {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', 'public, max-age=300');
  const ifNoneMatch = ctx.get('if-none-match');
  if (ifNoneMatch && etagMatches(ifNoneMatch, etag)) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body;
}

const CSV_COUNTS = ['reported', 'accepted', 'filed', 'rejected', 'handled', 'closures', 'due', 'closed', 'onTime', 'overdue', 'reworked', 'postponed', 'reopened', 'rated', 'satisfied', 'supporters'] as const;
const CSV_RATES = ['filingRate', 'validReportRate', 'closureRate', 'onTimeRate', 'reworkRate', 'handlingRate', 'satisfaction'] as const;
const CSV_DIMS = ['month', 'level', 'districtId', 'streetId', 'gridId', 'family', 'majorCode', 'categoryId', 'departmentId', 'source'] as const;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Open-data CSV: one published cell a line; rates as percents, empty when undefined. */
function toCsv(rows: StatsExportRow[]): string {
  const header = [...CSV_DIMS, ...CSV_COUNTS, ...CSV_RATES.map((r) => `${r}Percent`)];
  const lines = rows.map((row) =>
    [...CSV_DIMS.map((d) => row[d]), ...CSV_COUNTS.map((c) => row.counts[c]), ...CSV_RATES.map((r) => row.rates[r].percent)].map(csvField).join(','),
  );
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** Anonymised public statistics (no login, cached, rate-limited) and the unsuppressed staff view. */
export function statsHandlers({ stats, ctx: serviceCtx }: Services): Handlers<OperationsOfTag<'stats'>> {
  const limiter = new FixedWindowLimiter(serviceCtx.config.stats.publicRatePerMinute, serviceCtx.clock);
  const limitPublic: Middleware = async (ctx, next) => {
    limiter.hit(ctx.ip);
    await next();
  };
  const published =
    (cut: Cut): HandlerEntry<OperationId> => ({
      use: [limitPublic],
      handle: async (input, ctx) => {
        const body = await cut(input.query as StatsQueryInput, { kind: 'public' });
        sendCached(ctx, JSON.stringify(body), 'application/json');
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
        sendCached(ctx, toCsv(rows), 'text/csv; charset=utf-8');
      },
    },
    statsCases: ({ caller, query }) => stats.cases(query, staffScope(caller)),
  };
}
