import type { Connection, mongo } from 'mongoose';
import {
  DURATION_BUCKETS,
  OPEN_CYCLE_COUNTERS,
  ROLLUP_COUNTERS,
  emptySums,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  periodOf,
  type RollupCounter,
  type RollupSums,
  type StatsGranularity,
} from '@ssp/shared';
import { CELL_DIMS, type CellDim, type CellDims, type Increment } from './increments';
import { TIERS, getRollupModel, type RollupDoc, type Tier } from './models';
import { isDuplicateKeyError } from '../db';

/** Pending `$inc`s per tier and row, so the increments of many events go out in one bulk write per tier. */
export class RollupBatch {
  private readonly rows = new Map<string, Map<string, { set: Record<string, unknown>; inc: Record<string, number> }>>();
  size = 0;

  /** `tiers`: all of them, unless a caller (the benchmark) loads only some. */
  constructor(private readonly tiers: readonly Tier[] = TIERS) {}

  add(increments: readonly Increment[], gens: readonly number[]): void {
    for (const g of gens) {
      for (const inc of increments) {
        for (const tier of this.tiers) {
          if (!!tier.cohort !== !!inc.cohort) continue;
          const p = tier.unit === 'day' ? inc.day : monthOf(inc.day);
          const dd = inc.cohort?.dueDay ?? null;
          const id = [g, p, ...tier.dims.map((d) => inc.dims[d] ?? '~'), ...(inc.cohort ? [dd ?? '~'] : [])].join('|');
          let byId = this.rows.get(tier.name);
          if (!byId) this.rows.set(tier.name, (byId = new Map()));
          let row = byId.get(id);
          if (!row) {
            const set: Record<string, unknown> = { g, p, ...(inc.cohort ? { dd } : {}) };
            for (const d of tier.dims) set[d] = inc.dims[d];
            byId.set(id, (row = { set, inc: {} }));
            this.size += 1;
          }
          for (const [name, n] of Object.entries(inc.counters)) row.inc[name] = (row.inc[name] ?? 0) + n!;
          for (const [bucket, n] of Object.entries(inc.hist ?? {})) row.inc[`hist.${bucket}`] = (row.inc[`hist.${bucket}`] ?? 0) + n!;
        }
      }
    }
  }

  /**
   * Writes every pending row and empties the batch: an upsert with `$inc` each, or,
   * with `insertNew` (a rebuild, whose rows are mostly new), an insert of whole rows
   * first and the `$inc` upsert only for rows that already exist (one round trip for
   * thousands of new rows).
   */
  async flush(db: Connection, options: { insertNew?: boolean } = {}): Promise<void> {
    // The tiers are separate collections: written side by side.
    await Promise.all(this.tiers.map((tier) => this.flushTier(db, tier, options)));
    this.rows.clear();
    this.size = 0;
  }

  private async flushTier(db: Connection, tier: Tier, options: { insertNew?: boolean }): Promise<void> {
    const byId = this.rows.get(tier.name);
    if (!byId) return;
    const Rollup = getRollupModel(db, tier);
    let pending = [...byId].map(([id, row]) => ({ id, set: row.set, inc: Object.fromEntries(Object.entries(row.inc).filter(([, n]) => n !== 0)) }));
    pending = pending.filter((row) => Object.keys(row.inc).length);
    if (options.insertNew && pending.length) {
      const docs = pending.map((row) => {
        // The same row an upsert's $setOnInsert writes, null dimensions included.
        const doc: Record<string, unknown> = { _id: row.id, ...row.set };
        for (const [field, n] of Object.entries(row.inc)) {
          if (field.startsWith('hist.')) doc.hist = { ...(doc.hist as object), [field.slice(5)]: n };
          else doc[field] = n;
        }
        return doc;
      });
      const existing = await Rollup.collection.insertMany(docs as never[], { ordered: false }).then(
        () => new Set<number>(),
        (err: { code?: number; writeErrors?: { index: number; code: number }[] | { index: number; code: number } }) => {
          const errors = [err.writeErrors ?? []].flat();
          if (!errors.length || errors.some((e) => !isDuplicateKeyError(e))) throw err;
          return new Set(errors.map((e) => e.index));
        },
      );
      pending = pending.filter((_row, i) => existing.has(i));
    }
    const ops: mongo.AnyBulkWriteOperation<RollupDoc>[] = pending.map((row) => ({
      updateOne: { filter: { _id: row.id }, update: { $inc: row.inc, $setOnInsert: row.set }, upsert: true },
    }));
    // Through the driver: the rows are already the schema's types, and mongoose's casting of
    // every operation cost about 4 % of a submission's CPU (the counters run on every case event).
    if (ops.length) await (Rollup.collection as unknown as mongo.Collection<RollupDoc>).bulkWrite(ops, { ordered: false });
  }
}

// ---------------------------------------------------------------- reading

export type CellFilters = Partial<Record<CellDim, string>>;

export interface SumsQuery {
  /** Days, inclusive. */
  from: string;
  to: string;
  filters: CellFilters;
  groupBy: readonly CellDim[];
  /** Group by period too. */
  granularity?: StatsGranularity;
}

export interface SumGroup {
  period: string | null;
  dims: Partial<CellDims>;
  sums: RollupSums;
}

const OPEN = new Set<RollupCounter>(OPEN_CYCLE_COUNTERS);

function addRow(into: RollupSums, row: RollupDoc, mode: 'all' | 'closed-only' | 'subtract-open'): void {
  for (const c of ROLLUP_COUNTERS) {
    const n = row[c];
    if (!n) continue;
    if (mode === 'subtract-open') {
      if (OPEN.has(c)) into[c] -= n;
    } else if (mode === 'all' || !OPEN.has(c)) into[c] += n;
  }
  if (mode === 'subtract-open' || !row.hist) return;
  for (const b of DURATION_BUCKETS) {
    const n = row.hist[b.key];
    if (n) into.hist[b.key] = (into.hist[b.key] ?? 0) + n;
  }
}

/** The coarsest tier holding every dimension the query needs, by month when the range is whole months. */
export function chooseTier(q: Pick<SumsQuery, 'from' | 'to' | 'filters' | 'groupBy' | 'granularity'>, unit?: 'day'): Tier {
  const needed = new Set<CellDim>([...(Object.keys(q.filters) as CellDim[]), ...q.groupBy]);
  const wholeMonths =
    unit !== 'day' &&
    q.from === firstDayOfMonth(monthOf(q.from)) &&
    q.to === lastDayOfMonth(monthOf(q.to)) &&
    (!q.granularity || q.granularity === 'month' || q.granularity === 'year');
  return TIERS.find((t) => !t.cohort && (t.unit === 'day' || wholeMonths) && [...needed].every((d) => t.dims.includes(d)))!;
}

/**
 * Sums the counters of the cells matching the filters over the range, grouped by the
 * given dims (and period). Open deadline cycles count only on days before `today`
 * (shared/src/indicators.ts): day rows from today on contribute no open counters, and
 * month rows get those of the day rows from today on taken back out.
 */
export async function readSums(db: Connection, gen: number, q: SumsQuery, today: string): Promise<SumGroup[]> {
  const tier = chooseTier(q);
  const groups = new Map<string, SumGroup>();
  const groupOf = (row: RollupDoc, day: string) => {
    const period = q.granularity ? periodOf(day, q.granularity) : null;
    const key = [period, ...q.groupBy.map((d) => row[d] ?? '~')].join('|');
    let group = groups.get(key);
    if (!group) {
      const dims: Partial<CellDims> = {};
      for (const d of q.groupBy) (dims as Record<string, unknown>)[d] = row[d] ?? null;
      groups.set(key, (group = { period, dims, sums: emptySums() }));
    }
    return group;
  };
  const scan = async (t: Tier, from: string, to: string, visit: (row: RollupDoc) => void) => {
    const cursor = getRollupModel(db, t)
      .find({ g: gen, p: { $gte: from, $lte: to }, ...(q.filters as Partial<RollupDoc>) })
      .lean<RollupDoc[]>()
      .cursor();
    for await (const row of cursor) visit(row as unknown as RollupDoc);
  };

  if (tier.unit === 'day') {
    await scan(tier, q.from, q.to, (row) => addRow(groupOf(row, row.p).sums, row, row.p < today ? 'all' : 'closed-only'));
  } else {
    await scan(tier, monthOf(q.from), monthOf(q.to), (row) => addRow(groupOf(row, firstDayOfMonth(row.p)).sums, row, 'all'));
    if (q.to >= today) {
      const dayTier = chooseTier(q, 'day');
      await scan(dayTier, today > q.from ? today : q.from, q.to, (row) => addRow(groupOf(row, row.p).sums, row, 'subtract-open'));
    }
  }
  return [...groups.values()];
}

/**
 * The cohort rows of the given months (cases reported in them, where they stand now),
 * grouped by every cell dim and month. An open deadline cycle counts as due only once
 * its deadline day is before `today`.
 */
export async function readCohorts(db: Connection, gen: number, months: readonly string[], today: string): Promise<SumGroup[]> {
  const tier = TIERS.find((t) => t.cohort)!;
  const rows: RollupDoc[] = [];
  const cursor = getRollupModel(db, tier)
    // The months by name, not as a range: the months due for publishing need not be adjacent,
    // and equality on the index's keys is what the local stand-in reads through its index
    // (a range it filters in memory from every row of the generation).
    .find({ g: gen, p: { $in: [...months] } })
    .lean<RollupDoc[]>()
    .cursor();
  for await (const doc of cursor) rows.push(doc as unknown as RollupDoc);
  return cohortCells(rows, today);
}

/** Cohort rows summed per month and cell, open cycles counted as due only once their deadline day has passed. */
export function cohortCells(rows: Iterable<RollupDoc>, today: string): SumGroup[] {
  const groups = new Map<string, SumGroup>();
  for (const row of rows) {
    const key = [row.p, ...CELL_DIMS.map((d) => row[d] ?? '~')].join('|');
    let group = groups.get(key);
    if (!group) {
      const dims: Partial<CellDims> = {};
      for (const d of CELL_DIMS) (dims as Record<string, unknown>)[d] = row[d] ?? null;
      groups.set(key, (group = { period: row.p, dims, sums: emptySums() }));
    }
    addRow(group.sums, row, !row.dd || row.dd < today ? 'all' : 'closed-only');
  }
  return [...groups.values()];
}
