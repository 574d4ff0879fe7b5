import {
  STATS_MAX_RANGE_DAYS,
  addMonths,
  addSums,
  countsOf,
  daysBetween,
  durationSummary,
  emptySums,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  ratesOf,
  shanghaiDay,
  type RollupSums,
  type StatsFigures,
  type StatsFilters,
  type StatsGranularity,
  type StatsQueryInput,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import { cellMatches, cutPublished, publishMonth, type PublishedCell } from './anonymise';
import type { CellDim } from './increments';
import type { RollupGenerations } from './generations';
import { readCohorts, readSums, type CellFilters } from './rollups';

/** Who asks: the public (anonymised), or staff (a department handler only for its department). */
export type StatsScope = { kind: 'public' } | { kind: 'staff'; departmentId?: string };

export interface Resolved {
  from: string;
  to: string;
  granularity: StatsGranularity;
  filters: CellFilters;
}

/** One figure of a cut: its period (when by period), its path down a hierarchy (shorter when merged), its sums. */
export interface Entry {
  period: string | null;
  path: (string | null)[];
  sums: RollupSums;
}

/** How long a month's published cells are reused; public responses say max-age=300 too. */
export const PUBLIC_CACHE_MS = 300_000;
/**
 * Published cells of months before the current one change only as their cases move on:
 * kept an hour, so a refresh reads one month's cohort rows, not twelve (at 200 k cases
 * the twelve take seconds on the local stand-in).
 */
export const PAST_MONTHS_CACHE_MS = 3_600_000;
/** Cached months are re-published this long before they expire (the `public-stats` background loop). */
export const REFRESH_AHEAD_MS = 90_000;

const SUPPRESSION_NOTE =
  '公开统计按上报月份计算：某月收到的上报，每件只计一次，按它现在所在的网格、问题类别和处置部门，统计至今已受理、立案、派遣、处置、结案了多少，所以各项数字逐级不会超过上一项，各项比率都不超过 100%。为保护上报人隐私，网格×小类×部门×来源单元中任一案件数介于 1 与阈值之间的，逐级并入上一级的「其他」（来源→小类→大类→门类→网格→街道→区县→全市，部门保留到最后），全市一级仍不足阈值的不计入任何公开数字；任何两个公开数字相减，也得不到少于阈值的案件数。';

export const bad = (field: string, issue: string) => new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field, issue }]);

/**
 * Reading the rollups: a query resolved against the caller's scope, and the figures of
 * a cut down a hierarchy — staff straight from the rollups, the public from the
 * anonymised published cells (anonymise.ts), cached.
 */
export class StatsReader {
  private readonly publicCells = new Map<string, { at: number; cells: PublishedCell[] }>();
  /** Public cuts already merged from the published cells, kept as long as the cells they came from. */
  private readonly publicEntries = new Map<string, { at: number; entries: Entry[] }>();
  /** The one read of rollups publishing months now: requests arriving meanwhile wait for it instead of repeating it. */
  private publishing?: Promise<void>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalogue: CatalogueService,
    private readonly generations: RollupGenerations,
  ) {}

  private get db() {
    return this.ctx.db;
  }

  today(): string {
    return shanghaiDay(this.ctx.clock.now());
  }

  async activeGen(): Promise<number> {
    return (await this.generations.meta()).active.gen;
  }

  /** Drops every cached public answer (a rebuilt generation was swapped in). */
  forget(): void {
    this.publicCells.clear();
    this.publicEntries.clear();
  }

  /** Validates and completes a query: default range the last 12 whole months, known ids, the caller's scope. */
  async resolve(input: StatsQueryInput, scope: StatsScope): Promise<Resolved> {
    const thisMonth = monthOf(this.today());
    const from = input.from ?? firstDayOfMonth(addMonths(thisMonth, -11));
    const to = input.to ?? lastDayOfMonth(thisMonth);
    if (from > to) throw bad('from', '开始日期不能晚于结束日期');
    if (daysBetween(from, to) >= STATS_MAX_RANGE_DAYS) throw bad('to', '时间范围最长 3 年');
    const granularity = input.granularity ?? 'month';
    if (scope.kind === 'public') {
      if (from !== firstDayOfMonth(monthOf(from))) throw bad('from', '公开统计按整月发布，请从某月 1 日开始（或使用 YYYY-MM）');
      if (to !== lastDayOfMonth(monthOf(to))) throw bad('to', '公开统计按整月发布，请到某月最后一天结束（或使用 YYYY-MM）');
      if (granularity !== 'month' && granularity !== 'year') throw bad('granularity', '公开统计的时间粒度为 month 或 year');
    }

    const filters: CellFilters = {};
    for (const key of ['family', 'majorCode', 'categoryId', 'districtId', 'streetId', 'gridId', 'departmentId', 'source'] as const) {
      if (input[key] !== undefined) filters[key] = input[key];
    }
    if (scope.kind === 'staff' && scope.departmentId) {
      if (filters.departmentId && filters.departmentId !== scope.departmentId) {
        throw new ApiError(403, 'FORBIDDEN', '只能查看本部门的统计', [{ field: 'departmentId', issue: 'not your department' }]);
      }
      filters.departmentId = scope.departmentId;
    }
    await this.checkIds(filters);
    return { from, to, granularity, filters };
  }

  private async checkIds(f: CellFilters): Promise<void> {
    if (f.categoryId && !(await this.catalogue.allCategories()).some((c) => c.id === f.categoryId)) throw bad('categoryId', '类别不存在');
    if (f.departmentId && !(await this.catalogue.getDepartment(f.departmentId))) throw bad('departmentId', '部门不存在');
    if (f.districtId || f.streetId || f.gridId) {
      const { districts } = await this.catalogue.areaTree();
      const streets = districts.flatMap((d) => d.streets);
      if (f.districtId && !districts.some((d) => d.id === f.districtId)) throw bad('districtId', '区县不存在');
      if (f.streetId && !streets.some((s) => s.id === f.streetId)) throw bad('streetId', '街道不存在');
      if (f.gridId && !streets.some((s) => s.grids.some((g) => g.id === f.gridId))) throw bad('gridId', '网格不存在');
    }
  }

  figures(sums: RollupSums): StatsFigures {
    const counts = countsOf(sums);
    return {
      counts,
      rates: ratesOf(counts, { postponedOutOfDenominator: this.ctx.config.stats.postponedOutOfDenominator }),
      durations: durationSummary(sums),
    };
  }

  envelope(r: Resolved, scope: StatsScope) {
    return {
      range: { from: r.from, to: r.to },
      filters: r.filters as StatsFilters,
      asOf: this.today(),
      suppression: scope.kind === 'public' ? { minCell: this.ctx.config.stats.minCell, note: SUPPRESSION_NOTE } : null,
    };
  }

  /** The published cells (anonymise.ts) of the range's months: the current month's kept PUBLIC_CACHE_MS, earlier ones PAST_MONTHS_CACHE_MS. */
  async publishedCells(r: Resolved, gen: number): Promise<{ at: number; cells: PublishedCell[] }> {
    const now = this.ctx.clock.now().getTime();
    const thisMonth = monthOf(this.today());
    for (const [k, v] of this.publicCells) {
      const ttl = k.endsWith(`|${thisMonth}`) ? PUBLIC_CACHE_MS : PAST_MONTHS_CACHE_MS;
      if (now - v.at >= ttl) this.publicCells.delete(k);
    }
    for (const [k, v] of this.publicEntries) if (now - v.at >= PUBLIC_CACHE_MS) this.publicEntries.delete(k);
    const months: string[] = [];
    for (let m = monthOf(r.from); m <= monthOf(r.to); m = addMonths(m, 1)) months.push(m);
    const missingMonths = () => months.filter((m) => !this.publicCells.has(`${gen}|${m}`));
    for (let missing = missingMonths(); missing.length; missing = missingMonths()) {
      this.publishing ??= this.publishMonths(gen, missing, now).finally(() => {
        this.publishing = undefined;
      });
      await this.publishing;
    }
    const published = months.map((m) => this.publicCells.get(`${gen}|${m}`)!);
    // A merged answer lives as long as the current month's cells in it (earlier months' may be older).
    const current = this.publicCells.get(`${gen}|${thisMonth}`);
    const at = months.includes(thisMonth) && current ? current.at : now;
    return { at, cells: published.flatMap((p) => p.cells.filter((c) => cellMatches(c, r.filters))) };
  }

  /**
   * Re-publishes, in the background, the cached months whose cells expire within
   * REFRESH_AHEAD_MS, and publishes the default range (the last 12 months) when nothing is
   * cached yet (after a start): a request then finds fresh cells instead of waiting for the
   * read (seconds at a city's volume on the local stand-in). Fresher cells only shorten how
   * old the published figures are; they never change what is published.
   */
  async refreshPublished(): Promise<number> {
    const gen = await this.activeGen();
    const now = this.ctx.clock.now().getTime();
    const thisMonth = monthOf(this.today());
    const due: string[] = [];
    for (const [k, v] of this.publicCells) {
      const [cellGen, month] = k.split('|') as [string, string];
      if (Number(cellGen) !== gen) continue;
      const ttl = month === thisMonth ? PUBLIC_CACHE_MS : PAST_MONTHS_CACHE_MS;
      if (now - v.at >= ttl - REFRESH_AHEAD_MS) due.push(month);
    }
    if (!this.publicCells.size) for (let i = 11; i >= 0; i -= 1) due.push(addMonths(thisMonth, -i));
    if (!due.length) return 0;
    // One read at a time: a request that finds a month missing meanwhile waits for this one.
    await this.publishing;
    this.publishing ??= this.publishMonths(gen, due.sort(), now).finally(() => {
      this.publishing = undefined;
    });
    await this.publishing;
    return due.length;
  }

  /** One read of the cohort rows for every month still to publish. */
  private async publishMonths(gen: number, months: string[], at: number): Promise<void> {
    const groups = await readCohorts(this.db, gen, months, this.today());
    for (const month of months) {
      const cells = publishMonth(
        month,
        groups.filter((g) => g.period === month),
        this.ctx.config.stats.minCell,
      );
      this.publicCells.set(`${gen}|${month}`, { at, cells });
    }
  }

  /**
   * The figures of a cut down a hierarchy of dims (e.g. district → street → grid), by
   * period or not. Staff: straight from the rollups. Public: from the published cells,
   * a merged cell ending its path where its dims stop.
   */
  async entries(r: Resolved, scope: StatsScope, hierarchy: readonly CellDim[], byPeriod: boolean): Promise<Entry[]> {
    const granularity = byPeriod ? r.granularity : undefined;
    if (scope.kind === 'staff') {
      const { gen } = (await this.generations.meta()).active;
      const groups = await readSums(this.db, gen, { from: r.from, to: r.to, filters: r.filters, groupBy: hierarchy, granularity }, this.today());
      return groups.map((g) => ({ period: g.period, path: hierarchy.map((d) => g.dims[d] ?? null), sums: g.sums }));
    }
    const { gen } = (await this.generations.meta()).active;
    const cacheKey = `${gen}|${JSON.stringify([r.from, r.to, r.filters, hierarchy, granularity ?? null])}`;
    const cached = this.publicEntries.get(cacheKey);
    if (cached && this.ctx.clock.now().getTime() - cached.at < PUBLIC_CACHE_MS) return cached.entries;
    const published = await this.publishedCells(r, gen);
    const entries = cutPublished(published.cells, hierarchy, granularity);
    this.publicEntries.set(cacheKey, { at: published.at, entries });
    return entries;
  }

  total(entries: readonly Entry[]): RollupSums {
    return entries.reduce((sum, e) => addSums(sum, e.sums), emptySums());
  }
}
