import type {
  StatsCasesPage,
  StatsCasesQueryInput,
  StatsDepartments,
  StatsExport,
  StatsMap,
  StatsQueryInput,
  StatsSummary,
  StatsTimeseries,
  StatsTree,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { CatalogueService } from '../catalogue/service';
import type { CaseEffect } from '../cases/models';
import type { CaseEventMessage, CaseView } from '../cases/events';
import type { CaseQueries } from '../cases/queries';
import { StatsCuts } from './cuts';
import { StatsDrillDown } from './drill-down';
import { RollupGenerations } from './generations';
import type { StatsMetaDoc } from './models';
import { StatsReader, type StatsScope } from './reader';

export { PAST_MONTHS_CACHE_MS, PUBLIC_CACHE_MS, REFRESH_AHEAD_MS, type StatsScope } from './reader';

/**
 * Anonymised closure statistics from pre-aggregated rollups, one module per job:
 *   generations.ts  writing rollups: the case-event subscriber and the rebuild
 *   reader.ts       reading them: a query in the caller's scope, cuts of staff rollups or published cells
 *   anonymise.ts    what the public may see (cohort cells merged up to the threshold)
 *   cuts.ts         the answers: summary, series, trees, department ranking, map, open data
 *   drill-down.ts   the cases behind a figure (staff)
 * Every query reads rollups only, never cases, except the drill-down.
 */
export class StatsService {
  private readonly generations: RollupGenerations;
  private readonly reader: StatsReader;
  private readonly cutsOf: StatsCuts;
  private readonly drillDown: StatsDrillDown;

  constructor(ctx: ServiceContext, catalogue: CatalogueService, cases: CaseQueries) {
    this.generations = new RollupGenerations(ctx, () => this.reader.forget(), cases);
    this.reader = new StatsReader(ctx, catalogue, this.generations);
    this.cutsOf = new StatsCuts(this.reader, catalogue);
    this.drillDown = new StatsDrillDown(ctx, this.reader, cases);
  }

  // writing
  ensureIndexes(): Promise<void> {
    return this.generations.ensureIndexes();
  }
  meta(): Promise<StatsMetaDoc> {
    return this.generations.meta();
  }
  onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    return this.generations.onCaseEvent(event, view, effect);
  }
  upgradeIfNeeded(): Promise<boolean> {
    return this.generations.upgradeIfNeeded();
  }
  rebuild(options?: {
    graceMs?: number;
    force?: boolean;
    flushRows?: number;
  }): Promise<{ gen: number; cases: number; events: number; rows: number }> {
    return this.generations.rebuild(options);
  }

  // reading
  /** Keeps the public statistics' published cells fresh ahead of their expiry (a background loop). */
  refreshPublished(): Promise<number> {
    return this.reader.refreshPublished();
  }
  summary(input: StatsQueryInput, scope: StatsScope): Promise<StatsSummary> {
    return this.cutsOf.summary(input, scope);
  }
  timeseries(input: StatsQueryInput, scope: StatsScope): Promise<StatsTimeseries> {
    return this.cutsOf.timeseries(input, scope);
  }
  categories(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    return this.cutsOf.categories(input, scope);
  }
  areas(input: StatsQueryInput, scope: StatsScope): Promise<StatsTree> {
    return this.cutsOf.areas(input, scope);
  }
  departments(input: StatsQueryInput, scope: StatsScope): Promise<StatsDepartments> {
    return this.cutsOf.departments(input, scope);
  }
  map(input: StatsQueryInput, scope: StatsScope): Promise<StatsMap> {
    return this.cutsOf.map(input, scope);
  }
  exportCells(input: StatsQueryInput): Promise<StatsExport> {
    return this.cutsOf.exportCells(input);
  }
  cases(input: StatsCasesQueryInput, scope: Extract<StatsScope, { kind: 'staff' }>): Promise<StatsCasesPage> {
    return this.drillDown.cases(input, scope);
  }
}
