import { addSums, emptySums, firstDayOfMonth, periodOf, type RollupSums, type StatsGranularity } from '@ssp/shared';
import type { CellDim, CellDims } from './increments';
import type { CellFilters } from './rollups';

/**
 * Anonymisation of public statistics: one fixed partition, so differencing can reveal nothing.
 *
 * What is counted. Public figures count *cases by the month they were reported* (their
 * cohort), each case once, in the cell where it stands now, by how far it has got
 * (increments.ts `cohortContribution`): of the reports of May, how many were accepted,
 * filed, dispatched, handled, closed, on time. Each case's flags are nested, so any sum
 * of whole cases has a monotone funnel and every rate within [0, 100%].
 *
 * The rule. For each calendar month, every report belongs to exactly one *published
 * cell*, and public figures are sums of whole published cells only:
 *
 * 1. Start from the finest cells: grid × category × department × source.
 * 2. A cell is published as it is when every count of cases it holds — reports,
 *    accepted, filed, handled, closures, due — is 0 or at least `minCell`.
 * 3. The cells below the threshold are merged, level by level up the chain below
 *    (dropping source, then category to major, to family, to none; then grid to street,
 *    to district, to the whole city; department is kept longest so that late
 *    departments stay visible), into "其他" cells: a merged cell is published once its
 *    counts pass the same test. What is still below the threshold at the top
 *    (the whole city) is published nowhere.
 * 4. A query (any filters, any grouping) adds up the published cells whose own
 *    dimensions decide the filters — a cell merged above the grid level cannot say
 *    whether it lies in a given grid, so a grid filter leaves it out; a grouping shows
 *    such a cell under its parent's "其他".
 *
 * Why differencing fails: every published number is a sum of whole published cells,
 * each holding at least `minCell` cases in each count, or none. Two queries differing
 * by a filter differ by whole cells, so the difference is 0 or at least `minCell`; a total
 * minus the rows shown is the "其他" rows, again whole cells. No cell below the
 * threshold ever enters a figure on its own, however many queries are combined.
 * Time is published by whole months (ranges and series), for the same reason: a day
 * range could difference a month cell. What the rule does not hide: that a cell was
 * below the threshold (it is missing), and how a month's figures grow while it is
 * still running (re-asking later); counts of events rather than cases inside a
 * published cell (e.g. 1 rework, 2 ratings) are shown as they are.
 */

export interface ChainLevel {
  /** Short name used in the open-data export. */
  name: string;
  dims: readonly CellDim[];
}

export const CHAIN: readonly ChainLevel[] = [
  {
    name: 'grid+category+department+source',
    dims: ['districtId', 'streetId', 'gridId', 'family', 'majorCode', 'categoryId', 'departmentId', 'source'],
  },
  { name: 'grid+category+department', dims: ['districtId', 'streetId', 'gridId', 'family', 'majorCode', 'categoryId', 'departmentId'] },
  { name: 'grid+major+department', dims: ['districtId', 'streetId', 'gridId', 'family', 'majorCode', 'departmentId'] },
  { name: 'grid+family+department', dims: ['districtId', 'streetId', 'gridId', 'family', 'departmentId'] },
  { name: 'grid+department', dims: ['districtId', 'streetId', 'gridId', 'departmentId'] },
  { name: 'street+department', dims: ['districtId', 'streetId', 'departmentId'] },
  { name: 'district+department', dims: ['districtId', 'departmentId'] },
  { name: 'department', dims: ['departmentId'] },
  { name: 'city', dims: [] },
];

export interface PublishedCell {
  month: string;
  level: ChainLevel;
  /** Only the level's dims are present. */
  dims: Partial<CellDims>;
  sums: RollupSums;
}

/** The counts of cases a cell holds (the ones that must be 0 or at least `minCell`). */
function caseCounts(s: RollupSums): number[] {
  return [s.reported, s.accepted, s.filed, s.handled, s.closures, s.cyClosed + s.cyOpen];
}

export function publishable(s: RollupSums, minCell: number): boolean {
  const counts = caseCounts(s).filter((n) => n !== 0);
  return counts.length > 0 && counts.every((n) => n >= minCell);
}

function project(dims: Partial<CellDims>, level: ChainLevel): Partial<CellDims> {
  const out: Partial<CellDims> = {};
  for (const d of level.dims) (out as Record<string, unknown>)[d] = dims[d] ?? null;
  return out;
}

/** Partitions one month's finest cells into published cells (rule steps 1–3). */
export function publishMonth(month: string, cells: readonly { dims: Partial<CellDims>; sums: RollupSums }[], minCell: number): PublishedCell[] {
  const published: PublishedCell[] = [];
  let pending = [...cells];
  for (const level of CHAIN) {
    const groups = new Map<string, { dims: Partial<CellDims>; sums: RollupSums }>();
    for (const cell of pending) {
      const dims = project(cell.dims, level);
      const key = JSON.stringify(level.dims.map((d) => dims[d]));
      const group = groups.get(key);
      if (group) addSums(group.sums, cell.sums);
      else groups.set(key, { dims, sums: addSums(emptySums(), cell.sums) });
    }
    pending = [];
    for (const group of groups.values()) {
      if (publishable(group.sums, minCell)) published.push({ month, level, dims: group.dims, sums: group.sums });
      else pending.push(group);
    }
  }
  return published;
}

/** Whether a published cell's own dimensions decide every filter, and match it (rule step 4). */
export function cellMatches(cell: PublishedCell, filters: CellFilters): boolean {
  return (Object.entries(filters) as [CellDim, string][]).every(([d, v]) => cell.level.dims.includes(d) && cell.dims[d] === v);
}

/** One line of a public cut: a period (or none), the path down the hierarchy, the sums. */
export interface PublishedEntry {
  period: string | null;
  path: (string | null)[];
  sums: RollupSums;
}

/**
 * Sums published cells down a hierarchy of dims (e.g. district → street → grid), by period
 * or not. A merged cell ends its path where its own dims stop (shown as that level's 其他).
 */
export function cutPublished(cells: readonly PublishedCell[], hierarchy: readonly CellDim[], granularity?: StatsGranularity): PublishedEntry[] {
  const merged = new Map<string, PublishedEntry>();
  for (const cell of cells) {
    const depth = hierarchy.findIndex((d) => !cell.level.dims.includes(d));
    const path = hierarchy.slice(0, depth === -1 ? hierarchy.length : depth).map((d) => cell.dims[d] ?? null);
    const period = granularity ? periodOf(firstDayOfMonth(cell.month), granularity) : null;
    const key = JSON.stringify([period, path]);
    const entry = merged.get(key);
    if (entry) addSums(entry.sums, cell.sums);
    else merged.set(key, { period, path, sums: addSums(emptySums(), cell.sums) });
  }
  return [...merged.values()];
}
