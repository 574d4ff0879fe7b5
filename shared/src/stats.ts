import { z } from 'zod';
import { cursorSchema } from './pagination';
import { CASE_STATES } from './cases';
import { CATEGORY_FAMILIES, categoryIdSchema, cityDataIdSchema, type CategoryFamily } from './catalogue';
import { GRADES, type Composite, type DurationSummary, type StatsCounts, type StatsRates } from './indicators';
import { addDays, firstDayOfMonth, lastDayOfMonth, weekStart } from './calendar';

/*
 * Statistics API (GET /stats/public/* and /stats/staff/*): query parameters, periods
 * and response shapes. Formulas and counter definitions: ./indicators.ts.
 * Days are China Standard Time (Asia/Shanghai, UTC+8, no daylight saving).
 */

/** citizen | campaign (a citizen report made for a campaign) | open311 | staff | external. */
export const STATS_SOURCES = ['citizen', 'campaign', 'open311', 'staff', 'external'] as const;
export type StatsSource = (typeof STATS_SOURCES)[number];

export const STATS_GRANULARITIES = ['day', 'week', 'month', 'year'] as const;
export type StatsGranularity = (typeof STATS_GRANULARITIES)[number];
/** Public statistics are published by whole months (see api/src/stats/anonymise.ts). */
export const PUBLIC_STATS_GRANULARITIES = ['month', 'year'] as const;

/** The longest range one query may cover. */
export const STATS_MAX_RANGE_DAYS = 3 * 366;

/** The period a day falls in: "YYYY-MM-DD" (day, and week by its Monday), "YYYY-MM" or "YYYY". */
export function periodOf(day: string, granularity: StatsGranularity): string {
  switch (granularity) {
    case 'day':
      return day;
    case 'week':
      return weekStart(day);
    case 'month':
      return day.slice(0, 7);
    case 'year':
      return day.slice(0, 4);
  }
}

/** First and last day of a period, clipped to a range. */
export function periodBounds(period: string, granularity: StatsGranularity, range: { from: string; to: string }) {
  const [start, end] =
    granularity === 'day'
      ? [period, period]
      : granularity === 'week'
        ? [period, addDays(period, 6)]
        : granularity === 'month'
          ? [firstDayOfMonth(period), lastDayOfMonth(period)]
          : [`${period}-01-01`, `${period}-12-31`];
  return { from: start < range.from ? range.from : start, to: end > range.to ? range.to : end };
}

// ---------------------------------------------------------------- query

function isRealDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/** "YYYY-MM-DD", or "YYYY-MM" for a whole month (its first day as `from`, its last as `to`). */
const dayOrMonth = (edge: 'from' | 'to') =>
  z
    .string()
    .regex(/^\d{4}-\d{2}(-\d{2})?$/, '日期格式应为 YYYY-MM-DD 或 YYYY-MM')
    .transform((v) => (v.length === 7 ? (edge === 'from' ? firstDayOfMonth(v) : lastDayOfMonth(v)) : v))
    .refine(isRealDay, '不是有效的日期');

export const statsFilterShape = {
  family: z.enum(CATEGORY_FAMILIES),
  majorCode: z.string().regex(/^\d{2}$/, '大类代码应为 2 位数字'),
  categoryId: categoryIdSchema,
  districtId: cityDataIdSchema,
  streetId: cityDataIdSchema,
  gridId: cityDataIdSchema,
  departmentId: cityDataIdSchema,
  source: z.enum(STATS_SOURCES),
};
export type StatsFilterKey = keyof typeof statsFilterShape;
export const STATS_FILTER_KEYS = Object.keys(statsFilterShape) as StatsFilterKey[];
export type StatsFilters = Partial<{
  family: CategoryFamily;
  majorCode: string;
  categoryId: string;
  districtId: string;
  streetId: string;
  gridId: string;
  departmentId: string;
  source: StatsSource;
}>;

const queryShape = {
  from: dayOrMonth('from'),
  to: dayOrMonth('to'),
  granularity: z.enum(STATS_GRANULARITIES),
  ...statsFilterShape,
};

/** Every key must be known and given once, so a typo is a 400 naming it rather than a silent no-op. */
function strictQuery<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess((input, ctx) => {
    if (input && typeof input === 'object') {
      for (const key of Object.keys(input)) {
        if (!(key in shape)) ctx.addIssue({ code: 'custom', path: [key], message: '不支持的查询参数' });
      }
    }
    return input;
  }, z.object(shape).partial());
}

/** GET /stats/{public,staff}/{summary,timeseries,categories,areas,departments,map,export.*}. */
export const statsQuerySchema = strictQuery(queryShape);
export type StatsQueryInput = z.output<typeof statsQuerySchema>;

/** GET /stats/staff/cases: the same filters, plus a page of the cases behind a figure. */
export const statsCasesQuerySchema = strictQuery({
  ...queryShape,
  state: z.enum(CASE_STATES),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true'),
  cursor: cursorSchema,
  limit: z.coerce.number().int().min(1).max(100),
});
export type StatsCasesQueryInput = z.output<typeof statsCasesQuerySchema>;

// ---------------------------------------------------------------- responses

export interface StatsFigures {
  counts: StatsCounts;
  rates: StatsRates;
  /** Report → first closure. */
  durations: DurationSummary;
}

interface StatsEnvelope {
  range: { from: string; to: string };
  filters: StatsFilters;
  /** The day (Asia/Shanghai) the figures were computed on. */
  asOf: string;
  /** Public figures exclude cells below `minCell` reports (see the `suppression` note). */
  suppression: { minCell: number; note: string } | null;
}

export type StatsSummary = StatsEnvelope & StatsFigures;

export interface StatsSeriesPoint extends StatsFigures {
  period: string;
  from: string;
  to: string;
}
export type StatsTimeseries = StatsEnvelope & { granularity: StatsGranularity; series: StatsSeriesPoint[] };

export type StatsNodeLevel = 'family' | 'major' | 'category' | 'district' | 'street' | 'grid' | 'other';
/** A row of a category (family → major → category) or area (district → street → grid) tree. */
export interface StatsNode extends StatsFigures {
  level: StatsNodeLevel;
  /** Null for 其他 (cells merged because they were too small to show on their own). */
  id: string | null;
  name: string;
  children?: StatsNode[];
}
export type StatsTree = StatsEnvelope & { items: StatsNode[] };

export interface StatsDepartmentRow extends StatsFigures {
  departmentId: string;
  name: string;
  rank: number;
  /** 立案数分值: filed scaled 0–100 against the department with most filed cases. */
  filedScore: number;
  composite: Composite;
}
export type StatsDepartments = StatsEnvelope & {
  /** Best first (composite score, then closure rate). */
  items: StatsDepartmentRow[];
  /** Departments in the whole ranking (a department user sees only its own row). */
  of: number;
  other: StatsFigures | null;
};

export interface StatsMapGrid extends StatsFigures {
  gridId: string;
  name: string;
  streetId: string;
  districtId: string;
  /** A point inside the grid from the city data; never a case location. */
  centroid: { lat: number; lng: number };
}
export type StatsMap = StatsEnvelope & { grids: StatsMapGrid[]; other: StatsFigures | null };

export interface StatsExportRow {
  month: string;
  /** Which dimensions this row keeps; coarser rows hold cells merged because they were small. */
  level: string;
  districtId: string | null;
  streetId: string | null;
  gridId: string | null;
  family: string | null;
  majorCode: string | null;
  categoryId: string | null;
  departmentId: string | null;
  source: string | null;
  counts: StatsCounts;
  rates: StatsRates;
}
export type StatsExport = StatsEnvelope & { rows: StatsExportRow[] };

export interface StatsCaseItem {
  id: string;
  caseNo: string;
  state: string;
  categoryId: string;
  categoryName: string;
  gridId: string;
  departmentId: string | null;
  deadline: string | null;
  overdue: boolean;
  createdAt: string;
}
export interface StatsCasesPage {
  items: StatsCaseItem[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------- response schemas (the API contract)

const count = z.number().int().min(0);
const rateSchema = z.object({ ratio: z.number().nullable(), percent: z.number().nullable() });
const STATS_COUNT_KEYS = [
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
  'supporters',
  'due',
  'closed',
  'onTime',
  'overdue',
  'overdueOpen',
  'postponedDue',
  'postponedOnTime',
] as const satisfies readonly (keyof StatsCounts)[];
const STATS_RATE_KEYS = [
  'filingRate',
  'validReportRate',
  'closureRate',
  'onTimeRate',
  'reworkRate',
  'handlingRate',
  'satisfaction',
] as const satisfies readonly (keyof StatsRates)[];

export const statsCountsSchema = z.object(
  Object.fromEntries(STATS_COUNT_KEYS.map((k) => [k, count])) as Record<(typeof STATS_COUNT_KEYS)[number], typeof count>,
);
export const statsRatesSchema = z.object(
  Object.fromEntries(STATS_RATE_KEYS.map((k) => [k, rateSchema])) as Record<(typeof STATS_RATE_KEYS)[number], typeof rateSchema>,
);
const hours = z.number().min(0).nullable();
const statsFiguresShape = {
  counts: statsCountsSchema,
  rates: statsRatesSchema,
  durations: z.object({ count, meanHours: hours, medianHours: hours, p90Hours: hours }),
};
const statsFiguresSchema = z.object(statsFiguresShape);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const statsEnvelopeShape = {
  range: z.object({ from: day, to: day }),
  filters: z.object(statsFilterShape).partial(),
  asOf: day,
  suppression: z.object({ minCell: count, note: z.string() }).nullable(),
};

export const statsSummarySchema = z.object({ ...statsEnvelopeShape, ...statsFiguresShape });
export const statsTimeseriesSchema = z.object({
  ...statsEnvelopeShape,
  granularity: z.enum(STATS_GRANULARITIES),
  series: z.array(z.object({ period: z.string(), from: day, to: day, ...statsFiguresShape })),
});
const statsNodeSchema: z.ZodType<StatsNode> = z.lazy(() =>
  z.object({
    level: z.enum(['family', 'major', 'category', 'district', 'street', 'grid', 'other']),
    id: z.string().nullable(),
    name: z.string(),
    children: z.array(statsNodeSchema).optional(),
    ...statsFiguresShape,
  }),
);
export const statsTreeSchema = z.object({ ...statsEnvelopeShape, items: z.array(statsNodeSchema) });
export const statsDepartmentsSchema = z.object({
  ...statsEnvelopeShape,
  items: z.array(
    z.object({
      departmentId: z.string(),
      name: z.string(),
      rank: z.number().int().min(1),
      filedScore: z.number(),
      composite: z.object({ score: z.number().nullable(), grade: z.enum(GRADES).nullable() }),
      ...statsFiguresShape,
    }),
  ),
  of: count,
  other: statsFiguresSchema.nullable(),
});
export const statsMapSchema = z.object({
  ...statsEnvelopeShape,
  grids: z.array(
    z.object({
      gridId: z.string(),
      name: z.string(),
      streetId: z.string(),
      districtId: z.string(),
      centroid: z.object({ lat: z.number(), lng: z.number() }),
      ...statsFiguresShape,
    }),
  ),
  other: statsFiguresSchema.nullable(),
});
const nullableId = z.string().nullable();
export const statsExportSchema = z.object({
  ...statsEnvelopeShape,
  rows: z.array(
    z.object({
      month: z.string(),
      level: z.string(),
      districtId: nullableId,
      streetId: nullableId,
      gridId: nullableId,
      family: nullableId,
      majorCode: nullableId,
      categoryId: nullableId,
      departmentId: nullableId,
      source: nullableId,
      counts: statsCountsSchema,
      rates: statsRatesSchema,
    }),
  ),
});
export const statsCasesPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      caseNo: z.string(),
      state: z.string(),
      categoryId: z.string(),
      categoryName: z.string(),
      gridId: z.string(),
      departmentId: nullableId,
      deadline: z.string().nullable(),
      overdue: z.boolean(),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
