import { addDays, type CaseState, type StatsCaseItem, type StatsCasesPage, type StatsCasesQueryInput } from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { CaseQueries } from '../cases/queries';
import type { CellDim } from './increments';
import type { StatsReader, StatsScope } from './reader';

/** States in which a deadline runs (as in the staff queue): past it, a case is overdue. */
const RUNNING_STATES: CaseState[] = ['filed', 'dispatched', 'processing', 'postponed'];
const startOfDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

/** Staff drill-down from a figure to the cases behind it (the one statistics read of cases). */
export class StatsDrillDown {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly reader: StatsReader,
    private readonly caseReads: Pick<CaseQueries, 'newest'>,
  ) {}

  /** The cases behind a figure, newest first, within the caller's scope (reads cases, index on createdAt). */
  async cases(input: StatsCasesQueryInput, scope: Extract<StatsScope, { kind: 'staff' }>): Promise<StatsCasesPage> {
    const { state, overdue, cursor, limit = 20, ...query } = input;
    const r = await this.reader.resolve(query, scope);
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
    if (and.length) filter.$and = and;
    const page = await this.caseReads.newest(filter, {
      cursor,
      limit,
      select: { caseNo: 1, state: 1, categoryId: 1, categoryName: 1, gridId: 1, departmentId: 1, deadline: 1, createdAt: 1 },
    });
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
