import { Schema, type Connection, type Model } from 'mongoose';
import { ROLLUP_COUNTERS, type RollupCounter, type StatsSource } from '@ssp/shared';
import { CELL_DIMS, type CellDim } from './increments';

/**
 * Pre-aggregated statistics. The same counters are kept at several tiers (a period
 * unit × a subset of the cell dimensions), each in its own small collection, so a
 * query reads the coarsest tier that still has the dimensions it filters or groups
 * by: an unfiltered summary reads one row per month, not one per grid and category.
 */
export interface Tier {
  name: string;
  unit: 'day' | 'month';
  dims: readonly CellDim[];
  /** Holds case cohort contributions (increments.ts `cohortContribution`), not event counters. */
  cohort?: true;
}

export const TIERS: readonly Tier[] = [
  { name: 'month_city', unit: 'month', dims: [] },
  { name: 'day_city', unit: 'day', dims: [] },
  { name: 'month_dept', unit: 'month', dims: ['departmentId'] },
  { name: 'month', unit: 'month', dims: CELL_DIMS },
  { name: 'day', unit: 'day', dims: CELL_DIMS },
  // Public statistics: each case once, in its submission month and current cell, keyed also by `dd`.
  { name: 'cohort', unit: 'month', dims: CELL_DIMS, cohort: true },
];

/**
 * One rollup row: generation, period ("YYYY-MM-DD" or "YYYY-MM"), the tier's dims, counters
 * and histogram; in the cohort tier also `dd`, the deadline day of the open cycles counted.
 */
export type RollupDoc = {
  _id: string;
  g: number;
  p: string;
  dd?: string | null;
  hist?: Record<string, number>;
} & Partial<Record<RollupCounter, number>> &
  Partial<Record<Exclude<CellDim, 'source'>, string | null>> & { source?: StatsSource };

const counterFields = Object.fromEntries(ROLLUP_COUNTERS.map((c) => [c, { type: Number }]));
const dimFields = Object.fromEntries(CELL_DIMS.map((d) => [d, { type: String, default: undefined }]));

export function getRollupModel(db: Connection, tier: Tier): Model<RollupDoc> {
  const name = `StatsRollup_${tier.name}`;
  if (db.models[name]) return db.models[name] as Model<RollupDoc>;
  const schema = new Schema(
    {
      _id: { type: String, required: true },
      g: { type: Number, required: true },
      p: { type: String, required: true },
      dd: { type: String, default: undefined },
      ...dimFields,
      ...counterFields,
      // Duration buckets as an object of counters (never an array).
      hist: { type: Schema.Types.Mixed, default: undefined },
    },
    { collection: `stats_rollup_${tier.name}`, versionKey: false, minimize: true },
  );
  schema.index({ g: 1, p: 1 });
  return db.model<RollupDoc>(name, schema);
}

/** Which rollup generation queries read, and the one a rebuild is writing. */
export interface GenerationRef {
  gen: number;
  /** Events at or after this instant are counted by the incremental subscriber; earlier ones by the (re)build. */
  cutoff: Date;
}
export interface StatsMetaDoc {
  _id: string;
  active: GenerationRef;
  building: (GenerationRef & { startedAt: Date }) | null;
}

const generationSchema = new Schema({ gen: { type: Number, required: true }, cutoff: { type: Date, required: true } }, { _id: false });
const metaSchema = new Schema(
  {
    _id: { type: String, required: true },
    active: { type: generationSchema, required: true },
    building: { type: new Schema({ gen: Number, cutoff: Date, startedAt: Date }, { _id: false }), default: null },
  },
  { collection: 'stats_meta', versionKey: false },
);

export function getStatsMetaModel(db: Connection): Model<StatsMetaDoc> {
  return (db.models.StatsMeta as Model<StatsMetaDoc>) ?? db.model<StatsMetaDoc>('StatsMeta', metaSchema);
}

/** Effects already counted: `_id` is the effect id, unique, so a retried effect is not counted twice. */
export interface ProcessedEffectDoc {
  _id: string;
  /** The event's time: markers of events before the active generation's cutoff can go. */
  at: Date;
}
const processedSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'stats_processed_effects', versionKey: false },
);
processedSchema.index({ at: 1 });

export function getProcessedEffectModel(db: Connection): Model<ProcessedEffectDoc> {
  return (db.models.StatsProcessedEffect as Model<ProcessedEffectDoc>) ?? db.model<ProcessedEffectDoc>('StatsProcessedEffect', processedSchema);
}
