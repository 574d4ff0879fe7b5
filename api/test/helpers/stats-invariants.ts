import type { StatsCounts, StatsRates } from '@ssp/shared';
import { TIERS, getRollupModel } from '../../src/stats/models';
import type { TestApi } from './harness';

/** The case counts that must never be small in public (anonymise.ts). */
export const PUBLIC_CASE_COUNTS = ['reported', 'accepted', 'filed', 'handled', 'closures', 'due'] as const;

/** The funnel of a published table, each step at most the one before it. */
const FUNNEL = ['reported', 'accepted', 'filed', 'dispatched', 'handled', 'closures'] as const;

/**
 * What must hold for any published figure: a monotone funnel, closed and on time within
 * due, satisfied within rated, no negative count, every rate within [0, 100%], and every
 * case count 0 or at least `minCell`. Returns the violations (empty when consistent).
 */
export function publishedViolations(counts: StatsCounts, rates: StatsRates, minCell: number): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(counts)) if (v < 0) out.push(`${k} = ${v} < 0`);
  for (let i = 1; i < FUNNEL.length; i++) {
    if (counts[FUNNEL[i]!] > counts[FUNNEL[i - 1]!]) out.push(`${FUNNEL[i]} ${counts[FUNNEL[i]!]} > ${FUNNEL[i - 1]} ${counts[FUNNEL[i - 1]!]}`);
  }
  if (counts.closed > counts.due) out.push(`closed ${counts.closed} > due ${counts.due}`);
  if (counts.onTime > counts.due) out.push(`onTime ${counts.onTime} > due ${counts.due}`);
  if (counts.due > counts.filed) out.push(`due ${counts.due} > filed ${counts.filed}`);
  if (counts.satisfied > counts.rated) out.push(`satisfied ${counts.satisfied} > rated ${counts.rated}`);
  for (const [name, rate] of Object.entries(rates)) {
    if (rate.ratio !== null && (rate.ratio < 0 || rate.ratio > 1)) out.push(`${name} ${rate.percent}% outside [0, 100%]`);
  }
  for (const c of PUBLIC_CASE_COUNTS) if (counts[c] !== 0 && counts[c] < minCell) out.push(`${c} = ${counts[c]} below ${minCell}`);
  return out;
}

/** Every rollup row of the active generation with a non-zero counter, keyed without the generation (to compare incremental with rebuilt). */
export async function rollupSnapshot(api: Pick<TestApi, 'db' | 'services'>): Promise<Record<string, Record<string, unknown>>> {
  const { gen } = (await api.services.stats.meta()).active;
  const out: Record<string, Record<string, unknown>> = {};
  for (const tier of TIERS) {
    const rows = await getRollupModel(api.db, tier).find({ g: gen }).lean<Record<string, unknown>[]>();
    for (const row of rows) {
      const { _id, g, ...rest } = row;
      expect(g).toBe(gen);
      const key = `${tier.name}|${String(_id).split('|').slice(1).join('|')}`;
      const fields = Object.fromEntries(
        Object.entries(rest).filter(([k, v]) => v !== 0 && !(k === 'hist' && Object.values(v as object).every((n) => n === 0))),
      );
      if (fields.hist) fields.hist = Object.fromEntries(Object.entries(fields.hist as object).filter(([, n]) => n !== 0));
      const counters = Object.keys(fields).filter(
        (k) => !['p', 'dd', 'family', 'majorCode', 'categoryId', 'districtId', 'streetId', 'gridId', 'departmentId', 'source'].includes(k),
      );
      if (counters.length) out[key] = fields;
    }
  }
  return out;
}
