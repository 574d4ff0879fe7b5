import {
  CATEGORY_FAMILY_NAMES_ZH,
  STATS_MAX_RANGE_DAYS,
  addDays,
  addMonths,
  addSums,
  countsOf,
  daysBetween,
  departmentComposite,
  durationSummary,
  emptySums,
  filedScore,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  periodBounds,
  periodOf,
  ratesOf,
  shanghaiDay,
  type CaseState,
  type CategoryFamily,
  type RollupSums,
  type StatsCaseItem,
  type StatsCasesPage,
  type StatsCasesQueryInput,
  type StatsDepartmentRow,
  type StatsDepartments,
  type StatsExport,
  type StatsFigures,
  type StatsFilters,
  type StatsGranularity,
  type StatsMap,
  type StatsMapGrid,
  type StatsNode,
  type StatsNodeLevel,
  type StatsQueryInput,
  type StatsSummary,
  type StatsTimeseries,
  type StatsTree,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict } from '../core/errors';
import { keyset } from '../core/pagination';
import type { CatalogueService } from '../catalogue/service';
import { getCaseModel, type CaseDoc, type CaseEffect } from '../cases/models';
import type { CaseEventMessage, CaseView } from '../cases/events';
import { CHAIN, cellMatches, cutPublished, publishMonth, type PublishedCell } from './anonymise';
import { incrementsOf, replay, type CellDim } from './increments';
import { TIERS, getProcessedEffectModel, getRollupModel, getStatsMetaModel, type StatsMetaDoc } from './models';
import { RollupBatch, readCohorts, readSums, type CellFilters } from './rollups';
import { isDuplicateKeyError } from '../db';

/** Who asks: the public (anonymised), or staff (a department handler only for its department). */
export type StatsScope = { kind: 'public' } | { kind: 'staff'; departmentId?: string };

interface Resolved {
  from: string;
  to: string;
  granularity: StatsGranularity;
  filters: CellFilters;
}

/** One figure of a cut: its period (when by period), its path down a hierarchy (shorter when merged), its sums. */
interface Entry {
  period: string | null;
  path: (string | null)[];
  sums: RollupSums;
}

const META_ID = 'rollups';
const INITIAL_META: StatsMetaDoc = { _id: META_ID, active: { gen: 1, cutoff: new Date(0) }, building: null };
/** How long a month's published cells are reused; public responses say max-age=300 too. */
export const PUBLIC_CACHE_MS = 300_000;
/**
 * Published cells of months before the current one change only as their cases move on:
 * kept an hour, so a refresh reads one month's cohort rows, not twelve (at 200 k cases
 * the twelve take seconds on the local stand-in).
 */
export const PAST_MONTHS_CACHE_MS = 3_600_000;
/** States in which a deadline runs (as in the staff queue): past it, a case is overdue. */
const RUNNING_STATES: CaseState[] = ['filed', 'dispatched', 'processing', 'postponed'];
const REBUILD_FLUSH_ROWS = 5000;

const SUPPRESSION_NOTE =
  '公开统计按上报月份计算：某月收到的上报，每件只计一次，按它现在所在的网格、问题类别和处置部门，统计至今已受理、立案、派遣、处置、结案了多少，所以各项数字逐级不会超过上一项，各项比率都不超过 100%。为保护上报人隐私，网格×小类×部门×来源单元中任一案件数介于 1 与阈值之间的，逐级并入上一级的「其他」（来源→小类→大类→门类→网格→街道→区县→全市，部门保留到最后），全市一级仍不足阈值的不计入任何公开数字；任何两个公开数字相减，也得不到少于阈值的案件数。';

const startOfDay = (day: string) => new Date(`${day}T00:00:00+08:00`);
const bad = (field: string, issue: string) => new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field, issue }]);

/** The cases behind a figure: newest first. */
const DRILL_DOWN_ORDER = keyset<CaseDoc, 'date'>('createdAt', -1, 'date');

/**
 * Anonymised closure statistics from pre-aggregated rollups: a case-event subscriber
 * keeps them up to date, `rebuild()` recomputes them from the case event logs, and
 * every query reads rollups only (never cases), except the staff drill-down to the
 * cases behind a figure.
 */
export class StatsService {
  private readonly publicCells = new Map<string, { at: number; cells: PublishedCell[] }>();
  /** Public cuts already merged from the published cells, kept as long as the cells they came from. */
  private readonly publicEntries = new Map<string, { at: number; entries: Entry[] }>();
  /** The one read of rollups publishing months now: requests arriving meanwhile wait for it instead of repeating it. */
  private publishing?: Promise<void>;
  private indexes?: Promise<void>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalogue: CatalogueService,
  ) {}

  private get db() {
    return this.ctx.db;
  }

  private today(): string {
    return shanghaiDay(this.ctx.clock.now());
  }

  /** Indexes that must exist before the first write (the rest come with autoIndex). */
  ensureIndexes(): Promise<void> {
    this.indexes ??= (async () => {
      await Promise.all([
        ...TIERS.map((t) => getRollupModel(this.db, t).createIndexes()),
        getProcessedEffectModel(this.db).createIndexes(),
        // Backs the drill-down's range and order (GET /stats/staff/cases).
        getCaseModel(this.db).collection.createIndex({ createdAt: -1, _id: -1 }, { name: 'stats_drilldown' }),
      ]);
    })().catch((err) => {
      this.indexes = undefined;
      throw err;
    });
    return this.indexes;
  }

  async meta(): Promise<StatsMetaDoc> {
    return (await getStatsMetaModel(this.db).findById(META_ID).lean<StatsMetaDoc>()) ?? INITIAL_META;
  }

  // ------------------------------------------------------------ incremental

  /**
   * Case-event subscriber. Idempotency: the effect id is recorded first (unique `_id`),
   * then the counters are incremented, so a retried or concurrently drained effect is
   * counted at most once. Trade-off: a crash between the two loses this event's
   * increments (the figures under-count, never over-count); when the increments fail
   * with an error, the marker is taken back so the relay's retry applies them, and a
   * failure after some tiers were written may then count those tiers twice. Without
   * multi-document transactions one of the two must give; `rebuild-stats` restores
   * exact figures from the event logs either way.
   */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    await this.ensureIndexes();
    const prefix = view.history.filter((e) => e.seq <= event.seq);
    // An event belongs to the incremental side of a generation when it, or an earlier
    // event of its case, is at or after the generation's cutoff (a rebuild counts the
    // log prefix before it), so each event is counted once even if clocks went back.
    const at = new Date(Math.max(...prefix.map((e) => new Date(e.at).getTime())));
    // The event's marker and the generation are independent reads: one round trip. The
    // marker makes a retried effect count once; it must not outlive a failure to count.
    const Processed = getProcessedEffectModel(this.db);
    const [metaRead, marked] = await Promise.allSettled([this.meta(), Processed.create({ _id: effect.id, at })]);
    if (marked.status === 'rejected') {
      if (isDuplicateKeyError(marked.reason)) return;
      throw marked.reason;
    }
    const gens =
      metaRead.status === 'fulfilled' ? [metaRead.value.active, metaRead.value.building].filter((g) => g && at >= g.cutoff).map((g) => g!.gen) : [];
    if (!gens.length) {
      await Processed.deleteOne({ _id: effect.id });
      if (metaRead.status === 'rejected') throw metaRead.reason;
      return;
    }
    try {
      const batch = new RollupBatch();
      batch.add(incrementsOf(prefix, event), gens);
      await batch.flush(this.db);
    } catch (err) {
      await Processed.deleteOne({ _id: effect.id }).catch(() => undefined);
      throw err;
    }
  }

  // ------------------------------------------------------------ rebuild

  /**
   * Public statistics read the cohort rows (anonymise.ts), which rollups written before
   * they existed lack: a generation with event rows and no cohort rows is rebuilt once.
   * Returns whether it rebuilt.
   */
  async upgradeIfNeeded(): Promise<boolean> {
    const { active, building } = await this.meta();
    if (building) return false;
    const cohort = TIERS.find((t) => t.cohort)!;
    const events = TIERS.find((t) => t.name === 'month_city')!;
    const [hasEvents, hasCohorts] = await Promise.all([
      getRollupModel(this.db, events).exists({ g: active.gen }),
      getRollupModel(this.db, cohort).exists({ g: active.gen }),
    ]);
    if (!hasEvents || hasCohorts) return false;
    this.ctx.logger.info({ gen: active.gen }, 'statistics: rebuilding rollups to add the cohort rows public statistics read');
    await this.rebuild();
    return true;
  }

  /**
   * Recomputes every rollup from the case event logs alone, into a new generation that
   * replaces the current one when complete; queries keep reading the current one
   * meanwhile. Events from the cutoff on are counted into the new generation by the
   * subscriber, earlier ones by this replay (the same pure `applyEvent`). `graceMs`
   * lets transitions stamped just before the cutoff commit before the replay reads;
   * `flushRows` bounds the rows held in memory between writes (fewer, larger writes
   * insert more rows outright instead of incrementing them).
   */
  async rebuild(
    options: { graceMs?: number; force?: boolean; flushRows?: number } = {},
  ): Promise<{ gen: number; cases: number; events: number; rows: number }> {
    await this.ensureIndexes();
    const Meta = getStatsMetaModel(this.db);
    await Meta.updateOne({ _id: META_ID }, { $setOnInsert: { active: INITIAL_META.active, building: null } }, { upsert: true });
    const current = await this.meta();
    if (current.building && !options.force) {
      throw conflict('STATS_REBUILD_IN_PROGRESS', undefined, [
        { issue: `generation ${current.building.gen} started at ${current.building.startedAt.toISOString()}` },
      ]);
    }
    const gen = Math.max(current.active.gen, current.building?.gen ?? 0) + 1;
    const cutoff = this.ctx.clock.now();
    const claimed = await Meta.updateOne(
      { _id: META_ID, 'active.gen': current.active.gen, ...(current.building ? { 'building.gen': current.building.gen } : { building: null }) },
      { $set: { building: { gen, cutoff, startedAt: cutoff } } },
    );
    if (!claimed.modifiedCount) throw conflict('STATS_REBUILD_IN_PROGRESS');

    await new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 5000));
    for (const tier of TIERS) await getRollupModel(this.db, tier).deleteMany({ g: gen });

    const batch = new RollupBatch();
    let cases = 0;
    let events = 0;
    let rows = 0;
    const cursor = getCaseModel(this.db)
      .find({}, { events: 1 })
      .sort({ _id: 1 })
      .lean<Pick<CaseDoc, '_id' | 'events'>[]>()
      .cursor({ batchSize: 200 });
    for await (const doc of cursor) {
      const c = doc as unknown as Pick<CaseDoc, '_id' | 'events'>;
      cases += 1;
      // The log up to its first event at or after the cutoff (the subscriber counts the rest).
      const sorted = [...c.events].sort((a, b) => a.seq - b.seq);
      const end = sorted.findIndex((e) => new Date(e.at) >= cutoff);
      const prefix = end === -1 ? sorted : sorted.slice(0, end);
      replay(prefix, (_event, increments) => batch.add(increments, [gen]));
      events += prefix.length;
      if (batch.size >= (options.flushRows ?? REBUILD_FLUSH_ROWS)) {
        rows += batch.size;
        await batch.flush(this.db, { insertNew: true });
      }
    }
    rows += batch.size;
    await batch.flush(this.db, { insertNew: true });

    const swapped = await Meta.updateOne({ _id: META_ID, 'building.gen': gen }, { $set: { active: { gen, cutoff }, building: null } });
    if (!swapped.modifiedCount) throw conflict('STATS_REBUILD_IN_PROGRESS', '统计重建被另一次重建取代');
    for (const tier of TIERS) await getRollupModel(this.db, tier).deleteMany({ g: { $lt: gen } });
    await getProcessedEffectModel(this.db).deleteMany({ at: { $lt: cutoff } });
    this.publicCells.clear();
    this.publicEntries.clear();
    return { gen, cases, events, rows };
  }

  // ------------------------------------------------------------ query parameters

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

  // ------------------------------------------------------------ sums

  private figures(sums: RollupSums): StatsFigures {
    const counts = countsOf(sums);
    return {
      counts,
      rates: ratesOf(counts, { postponedOutOfDenominator: this.ctx.config.stats.postponedOutOfDenominator }),
      durations: durationSummary(sums),
    };
  }

  private envelope(r: Resolved, scope: StatsScope) {
    return {
      range: { from: r.from, to: r.to },
      filters: r.filters as StatsFilters,
      asOf: this.today(),
      suppression: scope.kind === 'public' ? { minCell: this.ctx.config.stats.minCell, note: SUPPRESSION_NOTE } : null,
    };
  }

  /** The published cells (anonymise.ts) of the range's months: the current month's kept PUBLIC_CACHE_MS, earlier ones PAST_MONTHS_CACHE_MS. */
  private async publishedCells(r: Resolved, gen: number): Promise<{ at: number; cells: PublishedCell[] }> {
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
  private async entries(r: Resolved, scope: StatsScope, hierarchy: readonly CellDim[], byPeriod: boolean): Promise<Entry[]> {
    const granularity = byPeriod ? r.granularity : undefined;
    if (scope.kind === 'staff') {
      const { gen } = (await this.meta()).active;
      const groups = await readSums(this.db, gen, { from: r.from, to: r.to, filters: r.filters, groupBy: hierarchy, granularity }, this.today());
      return groups.map((g) => ({ period: g.period, path: hierarchy.map((d) => g.dims[d] ?? null), sums: g.sums }));
    }
    const { gen } = (await this.meta()).active;
    const cacheKey = `${gen}|${JSON.stringify([r.from, r.to, r.filters, hierarchy, granularity ?? null])}`;
    const cached = this.publicEntries.get(cacheKey);
    if (cached && this.ctx.clock.now().getTime() - cached.at < PUBLIC_CACHE_MS) return cached.entries;
    const published = await this.publishedCells(r, gen);
    const entries = cutPublished(published.cells, hierarchy, granularity);
    this.publicEntries.set(cacheKey, { at: published.at, entries });
    return entries;
  }

  private total(entries: readonly Entry[]): RollupSums {
    return entries.reduce((sum, e) => addSums(sum, e.sums), emptySums());
  }

  // ------------------------------------------------------------ cuts

  async summary(input: StatsQueryInput, scope: StatsScope): Promise<StatsSummary> {
    const r = await this.resolve(input, scope);
    return { ...this.envelope(r, scope), ...this.figures(this.total(await this.entries(r, scope, [], false))) };
  }

  async timeseries(input: StatsQueryInput, scope: StatsScope): Promise<StatsTimeseries> {
    const r = await this.resolve(input, scope);
    const byPeriod = new Map<string, RollupSums>();
    for (const e of await this.entries(r, scope, [], true)) byPeriod.set(e.period!, addSums(byPeriod.get(e.period!) ?? emptySums(), e.sums));
    const series = [];
    for (let day = r.from; day <= r.to;) {
      const period = periodOf(day, r.granularity);
      const bounds = periodBounds(period, r.granularity, r);
      series.push({ period, ...bounds, ...this.figures(byPeriod.get(period) ?? emptySums()) });
      day = addDays(bounds.to, 1);
    }
    return { ...this.envelope(r, scope), granularity: r.granularity, series };
  }

  async categories(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    const r = await this.resolve(input, scope);
    const categories = await this.catalogue.allCategories();
    const majors = new Map(categories.map((c) => [`${c.family}:${c.majorCode}`, c.majorName]));
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const entries = await this.entries(r, scope, ['family', 'majorCode', 'categoryId'], false);
    const items = this.tree(entries, ['family', 'major', 'category'], (level, id, parents) =>
      level === 'family'
        ? (CATEGORY_FAMILY_NAMES_ZH[id as CategoryFamily] ?? id)
        : level === 'major'
          ? (majors.get(`${parents[0]}:${id}`) ?? id)
          : (names.get(id) ?? id),
    );
    return { ...this.envelope(r, scope), items };
  }

  async areas(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    const r = await this.resolve(input, scope);
    const names = await this.areaNames();
    const entries = await this.entries(r, scope, ['districtId', 'streetId', 'gridId'], false);
    const items = this.tree(entries, ['district', 'street', 'grid'], (_level, id) => names.get(id) ?? id);
    return { ...this.envelope(r, scope), items };
  }

  /** 红黑榜: departments by composite score, then closure rate. A department handler gets its own row. */
  async departments(input: StatsQueryInput, scope: StatsScope): Promise<StatsDepartments> {
    const own = scope.kind === 'staff' ? scope.departmentId : undefined;
    if (own && input.departmentId && input.departmentId !== own) {
      throw new ApiError(403, 'FORBIDDEN', '只能查看本部门的统计', [{ field: 'departmentId', issue: 'not your department' }]);
    }
    // The ranking is computed over every department, so a department's rank and
    // 立案数分值 are the official ones even when it sees only its own row.
    const rankingScope: StatsScope = scope.kind === 'public' ? scope : { kind: 'staff' };
    const r = await this.resolve(own ? { ...input, departmentId: undefined } : input, rankingScope);
    const departments = new Map((await this.catalogue.listDepartments()).map((d) => [d.id, d.name]));
    const entries = await this.entries(r, rankingScope, ['departmentId'], false);
    const other = emptySums();
    const rows: Omit<StatsDepartmentRow, 'rank' | 'filedScore' | 'composite'>[] = [];
    for (const e of entries) {
      const id = e.path[0];
      if (id) rows.push({ departmentId: id, name: departments.get(id) ?? id, ...this.figures(e.sums) });
      else addSums(other, e.sums);
    }
    const topFiled = Math.max(0, ...rows.map((row) => row.counts.filed));
    const ranked = rows
      .map((row) => {
        const score = filedScore(row.counts.filed, topFiled);
        return { ...row, filedScore: Math.round(score * 100) / 100, composite: departmentComposite({ filedScore: score, ...row.rates }) };
      })
      .sort(
        (a, b) =>
          (b.composite.score ?? -1) - (a.composite.score ?? -1) ||
          (b.rates.closureRate.ratio ?? -1) - (a.rates.closureRate.ratio ?? -1) ||
          a.departmentId.localeCompare(b.departmentId),
      )
      .map((row, i) => ({ ...row, rank: i + 1 }));
    const hasOther = entries.some((e) => !e.path[0]);
    return {
      ...this.envelope({ ...r, filters: own ? { ...r.filters, departmentId: own } : r.filters }, scope),
      items: own ? ranked.filter((row) => row.departmentId === own) : ranked,
      of: ranked.length,
      other: own || !hasOther ? null : this.figures(other),
    };
  }

  /** Counts per grid at the grid's centroid from the city data (never a case location). */
  async map(input: StatsQueryInput, scope: StatsScope): Promise<StatsMap> {
    const r = await this.resolve(input, scope);
    const grids = new Map(
      (await this.catalogue.areaTree()).districts.flatMap((d) =>
        d.streets.flatMap((s) => s.grids.map((g) => [g.id, { name: g.name, streetId: s.id, districtId: d.id, centroid: g.centroid }] as const)),
      ),
    );
    const other = emptySums();
    let hasOther = false;
    const out: StatsMapGrid[] = [];
    for (const e of await this.entries(r, scope, ['gridId'], false)) {
      const grid = e.path[0] ? grids.get(e.path[0]) : undefined;
      if (grid) out.push({ gridId: e.path[0]!, ...grid, centroid: { lat: grid.centroid.lat, lng: grid.centroid.lng }, ...this.figures(e.sums) });
      else {
        hasOther = true;
        addSums(other, e.sums);
      }
    }
    out.sort((a, b) => b.counts.reported - a.counts.reported || a.gridId.localeCompare(b.gridId));
    return { ...this.envelope(r, scope), grids: out, other: hasOther ? this.figures(other) : null };
  }

  /** The published cells themselves, as open data. */
  async exportCells(input: StatsQueryInput): Promise<StatsExport> {
    const scope: StatsScope = { kind: 'public' };
    const r = await this.resolve(input, scope);
    const levelIndex = new Map(CHAIN.map((l, i) => [l, i]));
    const { gen } = (await this.meta()).active;
    const cells = (await this.publishedCells(r, gen)).cells.sort(
      (a, b) =>
        a.month.localeCompare(b.month) ||
        levelIndex.get(a.level)! - levelIndex.get(b.level)! ||
        JSON.stringify(a.dims).localeCompare(JSON.stringify(b.dims)),
    );
    const rows = cells.map((c) => {
      const { counts, rates } = this.figures(c.sums);
      const dim = (d: CellDim) => (c.dims[d] as string | null | undefined) ?? null;
      return {
        month: c.month,
        level: c.level.name,
        districtId: dim('districtId'),
        streetId: dim('streetId'),
        gridId: dim('gridId'),
        family: dim('family'),
        majorCode: dim('majorCode'),
        categoryId: dim('categoryId'),
        departmentId: dim('departmentId'),
        source: dim('source'),
        counts,
        rates,
      };
    });
    return { ...this.envelope(r, scope), rows };
  }

  private async areaNames(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const d of (await this.catalogue.areaTree()).districts) {
      names.set(d.id, d.name);
      for (const s of d.streets) {
        names.set(s.id, s.name);
        for (const g of s.grids) names.set(g.id, g.name);
      }
    }
    return names;
  }

  /**
   * Builds a tree from entries whose paths go down `levels`; an entry whose path stops
   * early (a merged public cell) is shown as 其他 under the node where it stops.
   */
  private tree(
    entries: readonly Entry[],
    levels: readonly StatsNodeLevel[],
    nameOf: (level: StatsNodeLevel, id: string, parents: string[]) => string,
  ): StatsNode[] {
    interface Draft {
      level: StatsNodeLevel;
      id: string | null;
      name: string;
      sums: RollupSums;
      children: Map<string, Draft>;
    }
    const root: Draft = { level: 'other', id: null, name: '', sums: emptySums(), children: new Map() };
    const OTHER = '\u0000other';
    for (const e of entries) {
      let node = root;
      const parents: string[] = [];
      for (let depth = 0; depth <= e.path.length && depth < levels.length; depth += 1) {
        const id = depth < e.path.length ? e.path[depth] : null;
        const key = id ?? OTHER;
        let child = node.children.get(key);
        if (!child) {
          child =
            id === null
              ? { level: 'other', id: null, name: '其他', sums: emptySums(), children: new Map() }
              : { level: levels[depth]!, id, name: nameOf(levels[depth]!, id, parents), sums: emptySums(), children: new Map() };
          node.children.set(key, child);
        }
        addSums(child.sums, e.sums);
        if (id === null) break;
        parents.push(id);
        node = child;
      }
    }
    const finish = (drafts: Map<string, Draft>): StatsNode[] =>
      [...drafts.values()]
        .map((d) => ({ d, figures: this.figures(d.sums) }))
        .sort(
          (a, b) =>
            Number(a.d.id === null) - Number(b.d.id === null) ||
            b.figures.counts.reported - a.figures.counts.reported ||
            (a.d.id ?? '').localeCompare(b.d.id ?? ''),
        )
        .map(({ d, figures }) => ({
          level: d.level,
          id: d.id,
          name: d.name,
          ...figures,
          ...(d.children.size ? { children: finish(d.children) } : {}),
        }));
    return finish(root.children);
  }

  // ------------------------------------------------------------ drill-down (staff)

  /** The cases behind a figure, newest first, within the caller's scope (reads cases, index on createdAt). */
  async cases(input: StatsCasesQueryInput, scope: Extract<StatsScope, { kind: 'staff' }>): Promise<StatsCasesPage> {
    await this.ensureIndexes();
    const { state, overdue, cursor, limit = 20, ...query } = input;
    const r = await this.resolve(query, scope);
    const filter: Record<string, unknown> = { createdAt: { $gte: startOfDay(r.from), $lt: startOfDay(addDays(r.to, 1)) } };
    const and: Record<string, unknown>[] = [];
    for (const [key, value] of Object.entries(r.filters) as [CellDim, string][]) {
      if (key !== 'source') filter[key] = value;
      else if (value === 'campaign') filter.campaignId = { $ne: null };
      else if (value === 'citizen') Object.assign(filter, { source: 'citizen', campaignId: null });
      else filter.source = value;
    }
    if (state) filter.state = state;
    const now = this.ctx.clock.now();
    if (overdue === true)
      and.push({ deadline: { $lt: now }, state: state ? (RUNNING_STATES.includes(state) ? state : '__none__') : { $in: RUNNING_STATES } });
    if (overdue === false) and.push({ $nor: [{ deadline: { $lt: now }, state: { $in: RUNNING_STATES } }] });
    if (cursor) and.push(DRILL_DOWN_ORDER.after(cursor));
    if (and.length) filter.$and = and;
    const docs = await getCaseModel(this.db)
      .find(filter)
      .sort(DRILL_DOWN_ORDER.sort)
      .limit(limit + 1)
      .select({ caseNo: 1, state: 1, categoryId: 1, categoryName: 1, gridId: 1, departmentId: 1, deadline: 1, createdAt: 1 })
      .lean<CaseDoc[]>();
    const page = DRILL_DOWN_ORDER.page(docs, limit);
    const items: StatsCaseItem[] = page.items.map((d) => ({
      id: String(d._id),
      caseNo: d.caseNo,
      state: d.state,
      categoryId: d.categoryId,
      categoryName: d.categoryName,
      gridId: d.gridId,
      departmentId: d.departmentId ?? null,
      deadline: d.deadline ? d.deadline.toISOString() : null,
      overdue: !!d.deadline && RUNNING_STATES.includes(d.state as CaseState) && d.deadline < now,
      createdAt: d.createdAt.toISOString(),
    }));
    return { items, nextCursor: page.nextCursor };
  }
}
