import { addMonths, shanghaiMonth, type Rate, type StatsDepartmentRow, type StatsNode, type StatsSeriesPoint, type StatsSummary } from '@ssp/shared';
import { monthLabel } from './charts';

/** Public statistics come by whole months (Asia/Shanghai): the month of `now`, "YYYY-MM". */
export const currentMonth = (now: Date = new Date()): string => shanghaiMonth(now);

/** The last `n` months up to and including this one, as the API's from/to. */
export function lastMonths(n: number, now: Date = new Date()): { from: string; to: string } {
  const to = currentMonth(now);
  return { from: addMonths(to, -(n - 1)), to };
}

/** A rate as 0–100, or null ("—") when there was nothing to divide by. */
export function percentOf(rate: Rate | undefined): number | null {
  return rate && rate.percent !== null ? rate.percent : null;
}

export function percentText(rate: Rate | undefined, digits = 1): string {
  const p = percentOf(rate);
  return p === null ? '—' : `${p.toFixed(digits)}%`;
}

export interface Headline {
  closedThisMonth: number;
  reportedThisMonth: number;
  onTimeText: string;
  onTimeLabel: string;
}

/** 首页 figures: this month's closures and reports; the on-time rate of this month, else of the year. */
export function headline(month: StatsSummary, year: StatsSummary | null): Headline {
  const monthRate = percentOf(month.rates.onTimeRate);
  const useYear = monthRate === null && year;
  return {
    closedThisMonth: month.counts.closures,
    reportedThisMonth: month.counts.reported,
    onTimeText: percentText(useYear ? year!.rates.onTimeRate : month.rates.onTimeRate),
    onTimeLabel: useYear ? '近一年按期处置率' : '本月按期处置率',
  };
}

export interface ChartRow {
  key: string;
  label: string;
  value: number;
  display: string;
  note?: string;
}

/** A rate per period as columns (0–100). */
export function rateSeries(series: StatsSeriesPoint[], pick: 'closureRate' | 'onTimeRate'): ChartRow[] {
  return series.map((p) => {
    const v = percentOf(p.rates[pick]);
    return { key: p.period, label: monthLabel(p.period), value: v ?? 0, display: v === null ? '—' : `${Math.round(v)}%` };
  });
}

export function countSeries(series: StatsSeriesPoint[], pick: 'reported' | 'closures'): ChartRow[] {
  return series.map((p) => ({ key: p.period, label: monthLabel(p.period), value: p.counts[pick], display: String(p.counts[pick]) }));
}

/** Every node of a level in a category/area tree (e.g. each category under its majors). */
export function nodesAt(items: StatsNode[], level: StatsNode['level']): StatsNode[] {
  const out: StatsNode[] = [];
  const walk = (nodes: StatsNode[]) => {
    for (const n of nodes) {
      if (n.level === level) out.push(n);
      else if (n.children) walk(n.children);
    }
  };
  walk(items);
  return out;
}

/** The most reported categories, with their closure rate as the note. */
export function topCategories(items: StatsNode[], n = 8): ChartRow[] {
  const leaves = nodesAt(items, 'category');
  const rows = (leaves.length ? leaves : nodesAt(items, 'major')).filter((c) => c.counts.reported > 0);
  return rows
    .sort((a, b) => b.counts.reported - a.counts.reported)
    .slice(0, n)
    .map((c) => ({
      key: c.id ?? c.name,
      label: c.name,
      value: c.counts.reported,
      display: `${c.counts.reported}`,
      note: `结案率 ${percentText(c.rates.closureRate, 0)}`,
    }));
}

/** Departments best first by composite score (those with nothing due last). */
export function departmentRanking(items: StatsDepartmentRow[], n = 10): ChartRow[] {
  return [...items]
    .sort((a, b) => a.rank - b.rank)
    .slice(0, n)
    .map((d) => ({
      key: d.departmentId,
      label: d.name,
      value: d.composite.score ?? 0,
      display: d.composite.score === null ? '—' : `${d.composite.score.toFixed(1)} ${d.composite.grade}`,
      note: `按期 ${percentText(d.rates.onTimeRate, 0)}`,
    }));
}
