/**
 * The indicator formulas of 数字城管 evaluation (domain brief §6), defined once for the
 * API and the mini-program, and the counters they are computed from.
 *
 * ## What is counted (in terms of case events)
 *
 * Every counter is maintained from the case event log (api/src/stats), with the
 * case's category, area, department and source as they stood right after the event
 * that is counted (`event.dims`). Event counters count on the day (Asia/Shanghai)
 * of the event itself:
 *
 * - reported    a report was created (`submit`).
 * - withdrawn   the reporter withdrew it before screening.
 * - accepted    受理: a report was screened, i.e. its first screening decision — filed
 *               (`file`) or turned away (`reject`, `merge`). Withdrawn reports and reports
 *               still pending are not accepted.
 * - filed       立案 (`file`).
 * - rejected    不予受理 at screening (`reject`, and `merge` of a duplicate).
 * - duplicates  merged as a duplicate (`merge`).
 * - voided      a filed case later found false (`void`, or an external platform reporting
 *               it rejected).
 * - forwarded / dispatched (first dispatch of a case) / returned (回退 events).
 * - handled     处置: the first handling feedback of a case — its first `report_handled`, or
 *               an external platform reporting it handled or closed when no feedback came
 *               before. At most once per case.
 * - closures    transitions into 结案 (a reopened case that closes again counts again).
 * - reworked    返工 events (`verify_fail`).
 * - postponed   approved postponements (`approve_postpone`).
 * - reopened    reopenings accepted (`accept_reopen`).
 * - rated / satisfied (score ≥ SATISFIED_MIN_SCORE) / ratingSum.
 * - supporters  citizens backing a case (我也遇到 and merged duplicates' reporters).
 * - close…     report → first closure of a case: a count, a sum in whole seconds (exact
 *               whatever the order of addition) and a fixed-bucket histogram in hours
 *               (DURATION_BUCKETS), counted on the closure day.
 *
 * ## Deadline cycles: due, closed, on time, overdue
 *
 * A case's deadline cycle starts when it is filed (and again when a closed case is
 * reopened, with the new deadline). An approved postponement moves the deadline of
 * the running cycle and marks the cycle postponed. A cycle ends when the case closes
 * (结案) or is voided (a voided cycle counts nowhere).
 *
 * - The deadline in force is the one recorded with the latest event of the cycle.
 * - Handling feedback of a cycle is its latest `report_handled` not undone by a
 *   `verify_fail` (返工); an external close without feedback is its own feedback.
 * - A cycle is **on time** (按期) when its feedback arrived at or before the deadline in
 *   force (domain brief §5); without feedback yet, it is not on time.
 * - A cycle is **due** (应结案) from the earlier of its closure and its deadline. It counts
 *   on the day it became due: the closure day when it closed at or before the deadline,
 *   else the deadline day. So "closed" in a period means: of the cycles due in the
 *   period, those closed (as known now) — a closure rate never exceeds 100%.
 * - Open cycles are kept at their deadline day (moving when the deadline, category,
 *   area or department changes). Without a timer, an open cycle becomes due when its
 *   deadline day has passed: queries count open cycles only on days before today
 *   (day precision: a deadline at 09:00 today counts as passed from tomorrow).
 * - **overdue** = due − on time: cycles closed late, plus open cycles past their
 *   deadline without timely feedback (the latter also as `overdueOpen`).
 * - Postponed cycles can be left out of the on-time rate (config
 *   STATS_POSTPONED_OUT_OF_DENOMINATOR): out of both its numerator and denominator.
 *
 * ## Formulas
 *
 * | indicator            | formula                          |
 * |----------------------|----------------------------------|
 * | 立案率 filingRate        | filed / accepted                 |
 * | 有效上报率 validReportRate | filed / reported                 |
 * | 结案率 closureRate       | closed / due                     |
 * | 按期处置率 onTimeRate     | onTime / due (postponed out when configured) |
 * | 返工率 reworkRate        | reworked / due                   |
 * | 处置率 handlingRate      | handled / accepted (Yueyang 203,931 / 208,569 = 97.78%) |
 * | 满意度 satisfaction      | satisfied / rated                |
 *
 * Every rate is `{ ratio, percent }`; both are null when the denominator is 0.
 */

/** A rating of this score or higher (on 1–5) is "satisfied" (满意 and 非常满意). */
export const SATISFIED_MIN_SCORE = 4;

/**
 * Report → closure durations are counted into these buckets (hours, lower bound
 * inclusive, upper bound exclusive; the last is open-ended). Stored as an object of
 * counters keyed by `key`, never as an array.
 */
export const DURATION_BUCKETS = [
  { key: 'h0', from: 0, to: 1 },
  { key: 'h1', from: 1, to: 2 },
  { key: 'h2', from: 2, to: 4 },
  { key: 'h4', from: 4, to: 8 },
  { key: 'h8', from: 8, to: 12 },
  { key: 'h12', from: 12, to: 24 },
  { key: 'h24', from: 24, to: 48 },
  { key: 'h48', from: 48, to: 72 },
  { key: 'h72', from: 72, to: 120 },
  { key: 'h120', from: 120, to: 168 },
  { key: 'h168', from: 168, to: 336 },
  { key: 'h336', from: 336, to: 720 },
  { key: 'h720', from: 720, to: Infinity },
] as const;
export type DurationBucketKey = (typeof DURATION_BUCKETS)[number]['key'];
export type DurationHistogram = Partial<Record<DurationBucketKey, number>>;

/** Counted at the event's own day. */
export const EVENT_COUNTERS = [
  'reported',
  'withdrawn',
  'accepted',
  'filed',
  'rejected',
  'duplicates',
  'voided',
  'forwarded',
  'dispatched',
  'returned',
  'handled',
  'closures',
  'reworked',
  'postponed',
  'reopened',
  'rated',
  'satisfied',
  'ratingSum',
  'supporters',
  'closeSecondsSum',
  'closeCount',
] as const;

/** Closed deadline cycles, at the day they became due (final). */
export const CLOSED_CYCLE_COUNTERS = ['cyClosed', 'cyClosedOnTime', 'cyClosedPostponed', 'cyClosedPostponedOnTime'] as const;
/** Open deadline cycles, at their deadline day (due only once that day has passed). */
export const OPEN_CYCLE_COUNTERS = ['cyOpen', 'cyOpenOnTime', 'cyOpenPostponed', 'cyOpenPostponedOnTime'] as const;

export const ROLLUP_COUNTERS = [...EVENT_COUNTERS, ...CLOSED_CYCLE_COUNTERS, ...OPEN_CYCLE_COUNTERS] as const;
export type RollupCounter = (typeof ROLLUP_COUNTERS)[number];

/**
 * Counter sums over some cells and days. The open-cycle counters must be summed over
 * days before today only (see "Deadline cycles" above); the rest over the whole range.
 */
export type RollupSums = Record<RollupCounter, number> & { hist: DurationHistogram };

export function emptySums(): RollupSums {
  const sums = Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, 0])) as Record<RollupCounter, number>;
  return { ...sums, hist: {} };
}

export function addSums(into: RollupSums, from: RollupSums): RollupSums {
  for (const c of ROLLUP_COUNTERS) into[c] += from[c];
  for (const b of DURATION_BUCKETS) {
    const n = from.hist[b.key];
    if (n) into.hist[b.key] = (into.hist[b.key] ?? 0) + n;
  }
  return into;
}

/** The counts published with every statistic. */
export interface StatsCounts {
  reported: number;
  withdrawn: number;
  accepted: number;
  filed: number;
  rejected: number;
  duplicates: number;
  voided: number;
  forwarded: number;
  dispatched: number;
  returned: number;
  handled: number;
  closures: number;
  reworked: number;
  postponed: number;
  reopened: number;
  rated: number;
  satisfied: number;
  supporters: number;
  /** 应结案: deadline cycles due in the period. */
  due: number;
  /** 已结案 among the due. */
  closed: number;
  /** 按期 among the due. */
  onTime: number;
  /** due − onTime. */
  overdue: number;
  /** Open cycles past their deadline without timely feedback (part of overdue). */
  overdueOpen: number;
  /** Due cycles that had an approved postponement, and those of them on time. */
  postponedDue: number;
  postponedOnTime: number;
}

export function countsOf(s: RollupSums): StatsCounts {
  const due = s.cyClosed + s.cyOpen;
  const onTime = s.cyClosedOnTime + s.cyOpenOnTime;
  return {
    reported: s.reported,
    withdrawn: s.withdrawn,
    accepted: s.accepted,
    filed: s.filed,
    rejected: s.rejected,
    duplicates: s.duplicates,
    voided: s.voided,
    forwarded: s.forwarded,
    dispatched: s.dispatched,
    returned: s.returned,
    handled: s.handled,
    closures: s.closures,
    reworked: s.reworked,
    postponed: s.postponed,
    reopened: s.reopened,
    rated: s.rated,
    satisfied: s.satisfied,
    supporters: s.supporters,
    due,
    closed: s.cyClosed,
    onTime,
    overdue: due - onTime,
    overdueOpen: s.cyOpen - s.cyOpenOnTime,
    postponedDue: s.cyClosedPostponed + s.cyOpenPostponed,
    postponedOnTime: s.cyClosedPostponedOnTime + s.cyOpenPostponedOnTime,
  };
}

// ---------------------------------------------------------------- rates

export interface Rate {
  /** numerator / denominator, or null when the denominator is 0. */
  ratio: number | null;
  /** The ratio in percent rounded to 2 decimals (97.78), or null. */
  percent: number | null;
}

export function rate(numerator: number, denominator: number): Rate {
  if (!denominator) return { ratio: null, percent: null };
  const ratio = numerator / denominator;
  return { ratio, percent: roundTo(ratio * 100, 2) };
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export type IndicatorCounts = Pick<
  StatsCounts,
  | 'reported'
  | 'accepted'
  | 'filed'
  | 'handled'
  | 'due'
  | 'closed'
  | 'onTime'
  | 'postponedDue'
  | 'postponedOnTime'
  | 'reworked'
  | 'rated'
  | 'satisfied'
>;

export interface IndicatorOptions {
  /** Leave postponed (缓办) cycles out of the on-time rate. */
  postponedOutOfDenominator: boolean;
}

/** 立案率 = filed / accepted. */
export const filingRate = (c: Pick<IndicatorCounts, 'filed' | 'accepted'>) => rate(c.filed, c.accepted);
/** 有效上报率 = reports filed / reports. */
export const validReportRate = (c: Pick<IndicatorCounts, 'filed' | 'reported'>) => rate(c.filed, c.reported);
/** 结案率 = closed / due to close. */
export const closureRate = (c: Pick<IndicatorCounts, 'closed' | 'due'>) => rate(c.closed, c.due);
/** 按期处置率 = on time / due, postponed cycles out of both when configured. */
export function onTimeRate(c: Pick<IndicatorCounts, 'onTime' | 'due' | 'postponedDue' | 'postponedOnTime'>, options: IndicatorOptions): Rate {
  return options.postponedOutOfDenominator ? rate(c.onTime - c.postponedOnTime, c.due - c.postponedDue) : rate(c.onTime, c.due);
}
/** 返工率 = rework events / due to close. */
export const reworkRate = (c: Pick<IndicatorCounts, 'reworked' | 'due'>) => rate(c.reworked, c.due);
/** 处置率 = handled / accepted. */
export const handlingRate = (c: Pick<IndicatorCounts, 'handled' | 'accepted'>) => rate(c.handled, c.accepted);
/** 满意度 = satisfied ratings / ratings. */
export const satisfaction = (c: Pick<IndicatorCounts, 'satisfied' | 'rated'>) => rate(c.satisfied, c.rated);

export interface StatsRates {
  filingRate: Rate;
  validReportRate: Rate;
  closureRate: Rate;
  onTimeRate: Rate;
  reworkRate: Rate;
  handlingRate: Rate;
  satisfaction: Rate;
}

export function ratesOf(c: IndicatorCounts, options: IndicatorOptions): StatsRates {
  return {
    filingRate: filingRate(c),
    validReportRate: validReportRate(c),
    closureRate: closureRate(c),
    onTimeRate: onTimeRate(c, options),
    reworkRate: reworkRate(c),
    handlingRate: handlingRate(c),
    satisfaction: satisfaction(c),
  };
}

// ---------------------------------------------------------------- department composite

export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof GRADES)[number];

/** A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E. */
export function gradeOf(score: number): Grade {
  if (score >= 90) return 'A';
  if (score >= 75) return 'B';
  if (score >= 60) return 'C';
  if (score >= 40) return 'D';
  return 'E';
}

/**
 * 立案数分值: a department's filed count scaled 0–100 against the department with the
 * most filed cases in the same ranking (that one scores 100; none filed: all 0).
 */
export function filedScore(filed: number, topFiled: number): number {
  return topFiled > 0 ? (100 * filed) / topFiled : 0;
}

export interface Composite {
  /** 0–100, 2 decimals; null when the department had nothing due (its rates are null). */
  score: number | null;
  grade: Grade | null;
}

/**
 * Department composite = 立案数分值×10% + 结案率×30% + 按期处置率×30% + (1−返工率)×30%,
 * rates taken as 0–100. A rework rate above 100% (several reworks per due case) counts
 * as 100%, so the last term never goes negative.
 */
export function departmentComposite(input: { filedScore: number; closureRate: Rate; onTimeRate: Rate; reworkRate: Rate }): Composite {
  const { closureRate: cr, onTimeRate: ot, reworkRate: rw } = input;
  if (cr.ratio === null || ot.ratio === null || rw.ratio === null) return { score: null, grade: null };
  const score = roundTo(input.filedScore * 0.1 + cr.ratio * 100 * 0.3 + ot.ratio * 100 * 0.3 + (1 - Math.min(1, rw.ratio)) * 100 * 0.3, 2);
  return { score, grade: gradeOf(score) };
}

// ---------------------------------------------------------------- durations

export function durationBucketOf(hours: number): DurationBucketKey {
  const h = Math.max(0, hours);
  for (const b of DURATION_BUCKETS) if (h < b.to) return b.key;
  return DURATION_BUCKETS[DURATION_BUCKETS.length - 1]!.key;
}

/**
 * The p-quantile (0 < p ≤ 1) of a duration histogram, in hours: the bucket holding the
 * ⌈p·n⌉-th smallest value, interpolated linearly inside it. In the open-ended last
 * bucket it answers the bucket's lower bound ("at least 720 h"). Null for no values.
 */
export function histogramQuantile(hist: DurationHistogram, p: number): number | null {
  const n = DURATION_BUCKETS.reduce((sum, b) => sum + (hist[b.key] ?? 0), 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let below = 0;
  for (const b of DURATION_BUCKETS) {
    const count = hist[b.key] ?? 0;
    if (below + count >= rank) {
      if (!Number.isFinite(b.to)) return b.from;
      return roundTo(b.from + ((rank - below) / count) * (b.to - b.from), 2);
    }
    below += count;
  }
  return null;
}

export interface DurationSummary {
  count: number;
  meanHours: number | null;
  medianHours: number | null;
  p90Hours: number | null;
}

/** Report → closure durations: the mean from the exact sum, median and p90 from the histogram. */
export function durationSummary(s: Pick<RollupSums, 'closeSecondsSum' | 'closeCount' | 'hist'>): DurationSummary {
  return {
    count: s.closeCount,
    meanHours: s.closeCount ? roundTo(s.closeSecondsSum / 3600 / s.closeCount, 2) : null,
    medianHours: histogramQuantile(s.hist, 0.5),
    p90Hours: histogramQuantile(s.hist, 0.9),
  };
}
