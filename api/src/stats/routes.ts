import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { statsCasesQuerySchema, statsQuerySchema, type StatsExportRow, type StatsQueryInput } from '@ssp/shared';
import { principalOf, requireStaff } from '../auth/middleware';
import type { Principal } from '../auth/tokens';
import * as csv from '../core/csv';
import { ApiError, parseInput } from '../core/errors';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';
import type { StatsScope, StatsService } from './service';

const statsStaff = requireStaff('operator', 'dispatcher', 'supervisor', 'admin', 'publicity', 'department');

type Cut = (query: StatsQueryInput, scope: StatsScope) => Promise<unknown>;

function cutsOf(stats: StatsService): Record<string, Cut> {
  return {
    summary: (q, s) => stats.summary(q, s),
    timeseries: (q, s) => stats.timeseries(q, s),
    categories: (q, s) => stats.categories(q, s),
    areas: (q, s) => stats.areas(q, s),
    departments: (q, s) => stats.departments(q, s),
    map: (q, s) => stats.map(q, s),
  };
}

function staffScope(ctx: Context): Extract<StatsScope, { kind: 'staff' }> {
  const principal = principalOf(ctx) as Extract<Principal, { kind: 'staff' }>;
  if (principal.role !== 'department') return { kind: 'staff' };
  if (!principal.departmentId) throw new ApiError(403, 'FORBIDDEN', '账号未关联处置部门');
  return { kind: 'staff', departmentId: principal.departmentId };
}

/**
 * Public answers are the same for everyone for five minutes: a strong ETag of the body,
 * and 304 when the request is fresh (Koa's `ctx.fresh`: If-None-Match names the ETag;
 * a request with `Cache-Control: no-cache` asks for the body again and gets it).
 */
function sendCached(ctx: Context, body: string, type: string): void {
  ctx.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.type = type;
  ctx.body = body;
}

const CSV_COUNTS = ['reported', 'accepted', 'filed', 'rejected', 'handled', 'closures', 'due', 'closed', 'onTime', 'overdue', 'reworked', 'postponed', 'reopened', 'rated', 'satisfied', 'supporters'] as const;
const CSV_RATES = ['filingRate', 'validReportRate', 'closureRate', 'onTimeRate', 'reworkRate', 'handlingRate', 'satisfaction'] as const;
const CSV_DIMS = ['month', 'level', 'districtId', 'streetId', 'gridId', 'family', 'majorCode', 'categoryId', 'departmentId', 'source'] as const;

/** Open-data CSV: one published cell a line; rates as percents, empty when undefined. */
function toCsv(rows: StatsExportRow[]): string {
  const header = [...CSV_DIMS, ...CSV_COUNTS, ...CSV_RATES.map((r) => `${r}Percent`)];
  const lines = rows.map((row) => [...CSV_DIMS.map((d) => row[d]), ...CSV_COUNTS.map((c) => row.counts[c]), ...CSV_RATES.map((r) => row.rates[r].percent)]);
  return csv.toCsv(header, lines);
}

/** Anonymised public statistics (no login, cached, rate-limited) and the unsuppressed staff view. */
export function statsRoutes({ stats, rateLimits, ctx: serviceCtx }: Services): Router {
  const router = new Router();
  const limiter = rateLimit(rateLimits, { name: 'stats-public', limit: serviceCtx.config.stats.publicRatePerMinute, key: (ctx) => ctx.ip });
  const publicQuery = (ctx: Context): StatsQueryInput => parseInput(statsQuerySchema, ctx.query);

  for (const [name, cut] of Object.entries(cutsOf(stats))) {
    router.get(`/stats/public/${name}`, limiter, async (ctx) => {
      const body = await cut(publicQuery(ctx), { kind: 'public' });
      sendCached(ctx, JSON.stringify(body), 'application/json');
    });
    router.get(`/stats/staff/${name}`, statsStaff, async (ctx) => {
      ctx.body = await cut(parseInput(statsQuerySchema, ctx.query), staffScope(ctx));
    });
  }

  router.get('/stats/public/export.json', limiter, async (ctx) => {
    sendCached(ctx, JSON.stringify(await stats.exportCells(publicQuery(ctx))), 'application/json');
  });
  router.get('/stats/public/export.csv', limiter, async (ctx) => {
    const { rows } = await stats.exportCells(publicQuery(ctx));
    ctx.attachment('suishoupai-stats.csv');
    sendCached(ctx, toCsv(rows), csv.CSV_CONTENT_TYPE);
  });

  router.get('/stats/staff/cases', statsStaff, async (ctx) => {
    ctx.body = await stats.cases(parseInput(statsCasesQuerySchema, ctx.query), staffScope(ctx));
  });

  return router;
}
