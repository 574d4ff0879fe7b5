import {
  DURATION_BUCKETS,
  addDays,
  addMonths,
  closureRate,
  countsOf,
  departmentComposite,
  durationBucketOf,
  durationSummary,
  emptySums,
  filedScore,
  filingRate,
  gradeOf,
  handlingRate,
  histogramQuantile,
  lastDayOfMonth,
  onTimeRate,
  periodBounds,
  periodOf,
  rate,
  ratesOf,
  reworkRate,
  satisfaction,
  secondsUntilShanghaiMidnight,
  shanghaiDay,
  shanghaiMinute,
  shanghaiMonth,
  statsCasesQuerySchema,
  statsQuerySchema,
  validReportRate,
  weekStart,
  type StatsCounts,
} from '../src';

describe('rates', () => {
  it('reproduces the published Yueyang handling rate: 203,931 handled of 208,569 accepted = 97.78%', () => {
    const r = handlingRate({ handled: 203_931, accepted: 208_569 });
    expect(r.percent).toBe(97.78);
    expect(r.ratio).toBeCloseTo(0.977763, 6);
  });

  it('reproduces Fuzhou-like 2024 Q1 figures: 结案率 99.99%, 按期结案率 99.83%, 返工率 0.05% of 298,597', () => {
    const c = { due: 298_597, closed: 298_567, onTime: 298_090, postponedDue: 0, postponedOnTime: 0, reworked: 149 };
    expect(closureRate(c).percent).toBe(99.99);
    expect(onTimeRate(c, { postponedOutOfDenominator: true }).percent).toBe(99.83);
    expect(reworkRate(c).percent).toBe(0.05);
  });

  it('computes each formula on a hand-checked fixture', () => {
    // Dayu: 43,694 reports, 43,084 filed.
    expect(validReportRate({ filed: 43_084, reported: 43_694 }).percent).toBe(98.6);
    // 12 screened: 9 filed, 3 turned away.
    expect(filingRate({ filed: 9, accepted: 12 })).toEqual({ ratio: 0.75, percent: 75 });
    expect(satisfaction({ satisfied: 7, rated: 8 })).toEqual({ ratio: 0.875, percent: 87.5 });
    expect(rate(1, 3).percent).toBe(33.33);
    expect(rate(2, 3).percent).toBe(66.67);
  });

  it('takes postponed cycles out of both sides of the on-time rate when configured', () => {
    // 10 due, 7 on time; 2 of the due were postponed, 1 of those on time.
    const c = { due: 10, onTime: 7, postponedDue: 2, postponedOnTime: 1 };
    expect(onTimeRate(c, { postponedOutOfDenominator: false }).percent).toBe(70);
    expect(onTimeRate(c, { postponedOutOfDenominator: true })).toEqual({ ratio: 0.75, percent: 75 });
  });

  it('answers null, never NaN or Infinity, for a zero denominator', () => {
    const zero: StatsCounts = countsOf(emptySums());
    const rates = ratesOf(zero, { postponedOutOfDenominator: true });
    for (const r of Object.values(rates)) expect(r).toEqual({ ratio: null, percent: null });
    expect(JSON.stringify(rates)).not.toMatch(/NaN|Infinity/);
    expect(onTimeRate({ due: 3, onTime: 1, postponedDue: 3, postponedOnTime: 1 }, { postponedOutOfDenominator: true }).ratio).toBeNull();
  });
});

describe('counts from rollup sums', () => {
  it('derives due, closed, on time and overdue from closed and open deadline cycles', () => {
    const s = emptySums();
    Object.assign(s, {
      cyClosed: 8, // 8 cycles closed (due on their closure or deadline day)
      cyClosedOnTime: 6,
      cyClosedPostponed: 1,
      cyClosedPostponedOnTime: 1,
      cyOpen: 3, // 3 open past their deadline day
      cyOpenOnTime: 1, // one of them got feedback in time and awaits verification
      cyOpenPostponed: 1,
      cyOpenPostponedOnTime: 0,
    });
    expect(countsOf(s)).toMatchObject({ due: 11, closed: 8, onTime: 7, overdue: 4, overdueOpen: 2, postponedDue: 2, postponedOnTime: 1 });
    const rates = ratesOf(countsOf(s), { postponedOutOfDenominator: true });
    expect(rates.closureRate.percent).toBe(72.73); // 8 / 11
    expect(rates.onTimeRate.percent).toBe(66.67); // (7 − 1) / (11 − 2)
  });
});

describe('department composite', () => {
  it('weighs 立案数分值 10%, 结案率 30%, 按期处置率 30%, (1 − 返工率) 30%', () => {
    // Top department (filed score 100) with the Fuzhou-like rates.
    const top = departmentComposite({
      filedScore: 100,
      closureRate: rate(298_567, 298_597),
      onTimeRate: rate(298_090, 298_597),
      reworkRate: rate(149, 298_597),
    });
    // 10 + 30 × 0.999900 + 30 × 0.998302 + 30 × (1 − 0.000499) = 99.93
    expect(top).toEqual({ score: 99.93, grade: 'A' });

    // Half the top's filed cases, 80% closed, 50% on time, 25% rework:
    // 5 + 24 + 15 + 22.5 = 66.5 → C.
    const mid = departmentComposite({ filedScore: filedScore(50, 100), closureRate: rate(8, 10), onTimeRate: rate(5, 10), reworkRate: rate(1, 4) });
    expect(mid).toEqual({ score: 66.5, grade: 'C' });
  });

  it('scales filed counts against the top department and floors the rework term at zero', () => {
    expect(filedScore(30, 120)).toBe(25);
    expect(filedScore(0, 0)).toBe(0);
    const reworkHeavy = departmentComposite({ filedScore: 0, closureRate: rate(1, 1), onTimeRate: rate(1, 1), reworkRate: rate(3, 1) });
    expect(reworkHeavy).toEqual({ score: 60, grade: 'C' });
    expect(departmentComposite({ filedScore: 100, closureRate: rate(0, 0), onTimeRate: rate(0, 0), reworkRate: rate(0, 0) })).toEqual({
      score: null,
      grade: null,
    });
  });

  it('grades A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E', () => {
    expect([100, 90, 89.99, 75, 74.99, 60, 59.99, 40, 39.99, 0].map(gradeOf)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'E', 'E']);
  });
});

describe('duration histogram', () => {
  it('buckets hours with inclusive lower bounds and an open last bucket', () => {
    expect(durationBucketOf(0)).toBe('h0');
    expect(durationBucketOf(0.99)).toBe('h0');
    expect(durationBucketOf(1)).toBe('h1');
    expect(durationBucketOf(23.5)).toBe('h12');
    expect(durationBucketOf(24)).toBe('h24');
    expect(durationBucketOf(10_000)).toBe('h720');
    expect(new Set(DURATION_BUCKETS.map((b) => b.key)).size).toBe(DURATION_BUCKETS.length);
  });

  it('interpolates the median and p90 inside their buckets', () => {
    // 10 values: 4 in [0,1), 4 in [4,8), 2 in [24,48).
    const hist = { h0: 4, h4: 4, h24: 2 };
    // Median: 5th value → the 1st of 4 in [4,8) → 4 + (1/4)·4 = 5.
    expect(histogramQuantile(hist, 0.5)).toBe(5);
    // p90: 9th value → the 1st of 2 in [24,48) → 24 + (1/2)·24 = 36.
    expect(histogramQuantile(hist, 0.9)).toBe(36);
    expect(histogramQuantile({ h720: 3 }, 0.5)).toBe(720);
    expect(histogramQuantile({}, 0.5)).toBeNull();
    expect(durationSummary({ closeSecondsSum: 90 * 3600, closeCount: 10, hist })).toEqual({ count: 10, meanHours: 9, medianHours: 5, p90Hours: 36 });
    expect(durationSummary({ closeSecondsSum: 0, closeCount: 0, hist: {} })).toEqual({
      count: 0,
      meanHours: null,
      medianHours: null,
      p90Hours: null,
    });
  });
});

describe('calendar and query parameters', () => {
  it('counts days in Asia/Shanghai', () => {
    expect(shanghaiDay(new Date('2026-11-22T15:59:59Z'))).toBe('2026-11-22');
    expect(shanghaiDay(new Date('2026-11-22T16:00:00Z'))).toBe('2026-11-23');
    expect(weekStart('2026-11-22')).toBe('2026-11-16'); // a Sunday → its Monday
    expect(periodOf('2026-02-14', 'month')).toBe('2026-02');
    expect(periodOf('2026-02-14', 'year')).toBe('2026');
    expect(lastDayOfMonth('2028-02')).toBe('2028-02-29');
    expect(addMonths('2026-11', 3)).toBe('2027-02');
    expect(periodBounds('2026-11-16', 'week', { from: '2026-11-18', to: '2026-12-31' })).toEqual({ from: '2026-11-18', to: '2026-11-22' });
    expect(shanghaiMonth(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(shanghaiMinute(new Date('2026-11-30T16:05:59Z'))).toBe('2026-12-01 00:05');
    expect(secondsUntilShanghaiMidnight(new Date('2026-11-22T15:59:00Z'))).toBe(60);
    expect(secondsUntilShanghaiMidnight(new Date('2026-11-22T16:00:00Z'))).toBe(86_400);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01', -2)).toBe('2025-11');
  });

  it('accepts days or whole months and names the field at fault', () => {
    expect(statsQuerySchema.parse({ from: '2026-01', to: '2026-03' })).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    const bad = statsQuerySchema.safeParse({ from: '2026-02-30', granularity: 'hour', gridId: ['a', 'b'], colour: 'red' });
    expect(bad.success).toBe(false);
    const fields = bad.error!.issues.map((i) => i.path.join('.')).sort();
    expect(fields).toEqual(['colour']);
    const typed = statsQuerySchema.safeParse({ from: '2026-02-30', granularity: 'hour', gridId: ['a', 'b'], source: 'fax' });
    expect(typed.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['from', 'granularity', 'gridId', 'source']);
    expect(statsCasesQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(statsCasesQuerySchema.parse({ overdue: 'true', limit: '5' })).toEqual({ overdue: true, limit: 5 });
  });
});
