/** Axis arithmetic for the console's small SVG charts (no chart library). */

/** The smallest "nice" number (1, 2, 5 × 10ⁿ) at or above `value`; at least 1. */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** Whole-number ticks from 0 to a nice top above the largest value: at most `count` + 1 of them, evenly spaced. */
export function countTicks(values: readonly number[], count = 4): number[] {
  const max = Math.max(0, ...values);
  const step = niceCeiling(Math.max(1, max) / count);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return ticks;
}

/** Every n-th label is drawn so that at most `max` show (the first always). */
export function labelEvery(labels: number, max = 12): number {
  return Math.max(1, Math.ceil(labels / max));
}
