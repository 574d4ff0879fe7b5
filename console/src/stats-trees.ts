import type { StatsCounts, StatsNode, StatsNodeLevel, StatsRates } from '@ssp/shared';

/**
 * The category tree (大类 family → 大类 major → 小类 category) and the area tree (区县 →
 * 街道 → 网格) of the staff statistics as table rows: a unique key per row (a major code
 * repeats under both families), the filters of the cases behind the row (drill-down), and
 * the same figures for the page and the .xlsx export.
 */

type Rate = { ratio: number | null; percent: number | null };

export interface StatsTreeRow {
  key: string;
  level: StatsNodeLevel;
  id: string | null;
  name: string;
  depth: number;
  /** The statistics filters of the cases behind this row; null for 其他 (merged cells). */
  filters: Record<string, string> | null;
  counts: StatsCounts;
  rates: StatsRates;
  children?: StatsTreeRow[];
}

export const LEVEL_NAMES_ZH: Record<StatsNodeLevel, string> = {
  family: '类型',
  major: '大类',
  category: '小类',
  district: '区县',
  street: '街道',
  grid: '网格',
  other: '其他',
};

/** The figures of a tree row, in order: counts, then rates (percent, as the API rounds them). */
export const TREE_COUNT_COLUMNS = [
  ['reported', '上报数'],
  ['filed', '立案数'],
  ['closures', '结案数'],
  ['overdue', '超期数'],
] as const satisfies readonly (readonly [keyof StatsCounts, string])[];
export const TREE_RATE_COLUMNS = [
  ['closureRate', '结案率'],
  ['onTimeRate', '按期处置率'],
  ['reworkRate', '返工率'],
] as const satisfies readonly (readonly [keyof StatsRates, string])[];

export const ratePercentText = (r: Rate) => (r.percent === null ? '—' : `${r.percent.toFixed(2)}%`);

/** The filter a node adds to its parent's (a major code means something only within its family). */
function filterOf(node: StatsNode): Record<string, string> | null {
  if (node.id === null) return null;
  switch (node.level) {
    case 'family':
      return { family: node.id };
    case 'major':
      return { majorCode: node.id };
    case 'category':
      return { categoryId: node.id };
    case 'district':
      return { districtId: node.id };
    case 'street':
      return { streetId: node.id };
    case 'grid':
      return { gridId: node.id };
    default:
      return null;
  }
}

/** The API's nodes as table rows (keys from the path, drill-down filters inherited). */
export function treeRows(
  nodes: readonly StatsNode[],
  parent: { key: string; filters: Record<string, string> } | null = null,
  depth = 0,
): StatsTreeRow[] {
  return nodes.map((node) => {
    const key = `${parent ? `${parent.key}/` : ''}${node.level}:${node.id ?? '其他'}`;
    const own = filterOf(node);
    const filters = own ? { ...(parent?.filters ?? {}), ...own } : null;
    const row: StatsTreeRow = { key, level: node.level, id: node.id, name: node.name, depth, filters, counts: node.counts, rates: node.rates };
    if (node.children?.length) row.children = treeRows(node.children, { key, filters: filters ?? {} }, depth + 1);
    return row;
  });
}

/** Every row, parents before their children (the order of the tree fully expanded). */
export function flattenRows(rows: readonly StatsTreeRow[]): StatsTreeRow[] {
  return rows.flatMap((r) => [r, ...flattenRows(r.children ?? [])]);
}

/** A sheet cell: text, a number, or empty (a rate without a denominator). */
export type SheetCell = string | number | null;

/** The header and rows of a tree's sheet: level, name indented by depth, the figures shown. */
export function treeSheet(rows: readonly StatsTreeRow[], nameHeader: string): SheetCell[][] {
  return [
    ['层级', nameHeader, ...TREE_COUNT_COLUMNS.map(([, n]) => n), ...TREE_RATE_COLUMNS.map(([, n]) => `${n}（%）`)],
    ...flattenRows(rows).map((r) => [
      LEVEL_NAMES_ZH[r.level],
      `${'　'.repeat(r.depth)}${r.name}`,
      ...TREE_COUNT_COLUMNS.map(([k]) => r.counts[k]),
      ...TREE_RATE_COLUMNS.map(([k]) => r.rates[k].percent),
    ]),
  ];
}
