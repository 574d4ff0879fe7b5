/**
 * Bar lengths as percentages of the largest value (or a given maximum, e.g. 1 for rates),
 * never below a visible sliver for non-zero values, never NaN.
 */
export function barPercents(values: readonly number[], max?: number): number[] {
  const top = max ?? Math.max(0, ...values.filter(Number.isFinite));
  return values.map((v) => {
    if (!Number.isFinite(v) || v <= 0 || top <= 0) return 0;
    return Math.max(2, Math.min(100, Math.round((v / top) * 1000) / 10));
  });
}

/** "2026-11" → "11月"; keeps other labels. */
export function monthLabel(period: string): string {
  const m = /^\d{4}-(\d{2})$/.exec(period);
  return m ? `${Number(m[1])}月` : period;
}
