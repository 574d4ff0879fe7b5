import {
  CATEGORY_FAMILY_NAMES_ZH,
  addDays,
  addSums,
  departmentComposite,
  emptySums,
  filedScore,
  periodBounds,
  periodOf,
  type CategoryFamily,
  type RollupSums,
  type StatsDepartmentRow,
  type StatsDepartments,
  type StatsExport,
  type StatsMap,
  type StatsMapGrid,
  type StatsNode,
  type StatsNodeLevel,
  type StatsQueryInput,
  type StatsSummary,
  type StatsTimeseries,
  type StatsTree,
} from '@ssp/shared';
import { ApiError } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import { CHAIN } from './anonymise';
import type { CellDim } from './increments';
import type { Entry, StatsReader, StatsScope } from './reader';

/** The statistics answers: summary, time series, category and area trees, department ranking, map, open data. */
export class StatsCuts {
  constructor(
    private readonly reader: StatsReader,
    private readonly catalogue: CatalogueService,
  ) {}

  /**
   * Public summaries already made, per the entries they were summed from: the reader keeps
   * those entries (one array per query) as long as the published cells they came from and
   * makes a new array when the cells are published again, so an answer here is reused only
   * while its cells are the same; the envelope (its day, asOf) must match too. Weak keys:
   * an answer goes with its entries. Answers are shared, never changed.
   */
  private readonly publicSummaries = new WeakMap<readonly Entry[], { envelope: string; summary: StatsSummary }>();

  async summary(input: StatsQueryInput, scope: StatsScope): Promise<StatsSummary> {
    const r = await this.reader.resolve(input, scope);
    const envelope = this.reader.envelope(r, scope);
    const entries = await this.reader.entries(r, scope, [], false);
    if (scope.kind !== 'public') return { ...envelope, ...this.reader.figures(this.reader.total(entries)) };
    const key = JSON.stringify(envelope);
    const kept = this.publicSummaries.get(entries);
    if (kept?.envelope === key) return kept.summary;
    const summary = { ...envelope, ...this.reader.figures(this.reader.total(entries)) };
    this.publicSummaries.set(entries, { envelope: key, summary });
    return summary;
  }

  async timeseries(input: StatsQueryInput, scope: StatsScope): Promise<StatsTimeseries> {
    const r = await this.reader.resolve(input, scope);
    const byPeriod = new Map<string, RollupSums>();
    for (const e of await this.reader.entries(r, scope, [], true)) byPeriod.set(e.period!, addSums(byPeriod.get(e.period!) ?? emptySums(), e.sums));
    const series = [];
    for (let day = r.from; day <= r.to;) {
      const period = periodOf(day, r.granularity);
      const bounds = periodBounds(period, r.granularity, r);
      series.push({ period, ...bounds, ...this.reader.figures(byPeriod.get(period) ?? emptySums()) });
      day = addDays(bounds.to, 1);
    }
    return { ...this.reader.envelope(r, scope), granularity: r.granularity, series };
  }

  async categories(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    const r = await this.reader.resolve(input, scope);
    const categories = await this.catalogue.allCategories();
    const majors = new Map(categories.map((c) => [`${c.family}:${c.majorCode}`, c.majorName]));
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const entries = await this.reader.entries(r, scope, ['family', 'majorCode', 'categoryId'], false);
    const items = this.tree(entries, ['family', 'major', 'category'], (level, id, parents) =>
      level === 'family'
        ? (CATEGORY_FAMILY_NAMES_ZH[id as CategoryFamily] ?? id)
        : level === 'major'
          ? (majors.get(`${parents[0]}:${id}`) ?? id)
          : (names.get(id) ?? id),
    );
    return { ...this.reader.envelope(r, scope), items };
  }

  async areas(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    const r = await this.reader.resolve(input, scope);
    const names = await this.areaNames();
    const entries = await this.reader.entries(r, scope, ['districtId', 'streetId', 'gridId'], false);
    const items = this.tree(entries, ['district', 'street', 'grid'], (_level, id) => names.get(id) ?? id);
    return { ...this.reader.envelope(r, scope), items };
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
    const r = await this.reader.resolve(own ? { ...input, departmentId: undefined } : input, rankingScope);
    const departments = new Map((await this.catalogue.listDepartments()).map((d) => [d.id, d.name]));
    const entries = await this.reader.entries(r, rankingScope, ['departmentId'], false);
    const other = emptySums();
    const rows: Omit<StatsDepartmentRow, 'rank' | 'filedScore' | 'composite'>[] = [];
    for (const e of entries) {
      const id = e.path[0];
      if (id) rows.push({ departmentId: id, name: departments.get(id) ?? id, ...this.reader.figures(e.sums) });
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
      ...this.reader.envelope({ ...r, filters: own ? { ...r.filters, departmentId: own } : r.filters }, scope),
      items: own ? ranked.filter((row) => row.departmentId === own) : ranked,
      of: ranked.length,
      other: own || !hasOther ? null : this.reader.figures(other),
    };
  }

  /** Counts per grid at the grid's centroid from the city data (never a case location). */
  async map(input: StatsQueryInput, scope: StatsScope): Promise<StatsMap> {
    const r = await this.reader.resolve(input, scope);
    const grids = new Map(
      (await this.catalogue.areaTree()).districts.flatMap((d) =>
        d.streets.flatMap((s) => s.grids.map((g) => [g.id, { name: g.name, streetId: s.id, districtId: d.id, centroid: g.centroid }] as const)),
      ),
    );
    const other = emptySums();
    let hasOther = false;
    const out: StatsMapGrid[] = [];
    for (const e of await this.reader.entries(r, scope, ['gridId'], false)) {
      const grid = e.path[0] ? grids.get(e.path[0]) : undefined;
      if (grid)
        out.push({ gridId: e.path[0]!, ...grid, centroid: { lat: grid.centroid.lat, lng: grid.centroid.lng }, ...this.reader.figures(e.sums) });
      else {
        hasOther = true;
        addSums(other, e.sums);
      }
    }
    out.sort((a, b) => b.counts.reported - a.counts.reported || a.gridId.localeCompare(b.gridId));
    return { ...this.reader.envelope(r, scope), grids: out, other: hasOther ? this.reader.figures(other) : null };
  }

  /** The published cells themselves, as open data. */
  async exportCells(input: StatsQueryInput): Promise<StatsExport> {
    const scope: StatsScope = { kind: 'public' };
    const r = await this.reader.resolve(input, scope);
    const levelIndex = new Map(CHAIN.map((l, i) => [l, i]));
    const gen = await this.reader.activeGen();
    const cells = (await this.reader.publishedCells(r, gen)).cells.sort(
      (a, b) =>
        a.month.localeCompare(b.month) ||
        levelIndex.get(a.level)! - levelIndex.get(b.level)! ||
        JSON.stringify(a.dims).localeCompare(JSON.stringify(b.dims)),
    );
    const rows = cells.map((c) => {
      const { counts, rates } = this.reader.figures(c.sums);
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
    return { ...this.reader.envelope(r, scope), rows };
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
        .map((d) => ({ d, figures: this.reader.figures(d.sums) }))
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
}
