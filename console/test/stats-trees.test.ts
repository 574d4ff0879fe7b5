import type { StatsCounts, StatsNode, StatsRates } from '@ssp/shared';
import { flattenRows, ratePercentText, treeRows, treeSheet } from '../src/stats-trees';

const counts = (reported: number, closures = 0, overdue = 0) => ({ reported, filed: reported, closures, overdue }) as unknown as StatsCounts;
const rate = (percent: number | null) => ({ ratio: percent === null ? null : percent / 100, percent });
const rates = (closure: number | null) => ({ closureRate: rate(closure), onTimeRate: rate(null), reworkRate: rate(0) }) as unknown as StatsRates;
const node = (level: StatsNode['level'], id: string | null, name: string, reported: number, children?: StatsNode[]): StatsNode => ({
  level,
  id,
  name,
  counts: counts(reported, 1),
  rates: rates(reported ? 50 : null),
  durations: { count: 0, meanHours: null, medianHours: null, p90Hours: null },
  ...(children ? { children } : {}),
});

/** Major code 01 exists in both families: keys and drill-down filters must tell them apart. */
const categories: StatsNode[] = [
  node('family', 'event', '事件', 5, [
    node('major', '01', '市容环境', 4, [node('category', 'e0102', '暴露垃圾', 4)]),
    node('other', null, '其他', 1),
  ]),
  node('family', 'component', '部件', 2, [node('major', '01', '公用设施', 2, [node('category', 'c0101', '上水井盖', 2)])]),
];

describe('statistics trees as table rows', () => {
  it('gives each row a unique key from its path', () => {
    const keys = flattenRows(treeRows(categories)).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('family:event/major:01');
    expect(keys).toContain('family:component/major:01');
  });

  it('drills down with the filters of the whole path; 其他 has none', () => {
    const rows = flattenRows(treeRows(categories));
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.get('family:event')!.filters).toEqual({ family: 'event' });
    expect(byKey.get('family:component/major:01')!.filters).toEqual({ family: 'component', majorCode: '01' });
    expect(byKey.get('family:event/major:01/category:e0102')!.filters).toEqual({ family: 'event', majorCode: '01', categoryId: 'e0102' });
    expect(byKey.get('family:event/other:其他')!.filters).toBeNull();
    const areas = treeRows([node('district', 'D1', '老城区', 3, [node('street', 'S1', '青禾街道', 3, [node('grid', 'G1', '第1网格', 3)])])]);
    expect(flattenRows(areas).map((r) => r.filters)).toEqual([
      { districtId: 'D1' },
      { districtId: 'D1', streetId: 'S1' },
      { districtId: 'D1', streetId: 'S1', gridId: 'G1' },
    ]);
  });

  it('exports every row, parents first, with the figures the table shows', () => {
    const sheet = treeSheet(treeRows(categories), '类别');
    expect(sheet[0]).toEqual(['层级', '类别', '上报数', '立案数', '结案数', '超期数', '结案率（%）', '按期处置率（%）', '返工率（%）']);
    expect(sheet.slice(1).map((r) => [r[0], r[1], r[2], r[6], r[7]])).toEqual([
      ['类型', '事件', 5, 50, null],
      ['大类', '　市容环境', 4, 50, null],
      ['小类', '　　暴露垃圾', 4, 50, null],
      ['其他', '　其他', 1, 50, null],
      ['类型', '部件', 2, 50, null],
      ['大类', '　公用设施', 2, 50, null],
      ['小类', '　　上水井盖', 2, 50, null],
    ]);
    expect([ratePercentText(rate(50)), ratePercentText(rate(null))]).toEqual(['50.00%', '—']);
  });
});
