import { Schema, type Connection, type Model } from 'mongoose';
import type { Calendar, City } from '@ssp/shared';

/*
 * City data is stored in versions. Every item of a categories / departments / areas
 * replacement is written under a new `version`; one update of the settings document
 * then switches the active version, so readers never see a half-loaded set. Older
 * versions are deleted afterwards (the one just replaced is kept for readers that
 * were mid-read).
 */

export const VERSIONED_PARTS = ['categories', 'departments', 'areas'] as const;
export type VersionedPart = (typeof VERSIONED_PARTS)[number];

/** One category, department or grid of one version. `data` is the item as validated. */
export interface VersionedItemDoc {
  version: number;
  /** Position in the source file. */
  pos: number;
  /** Category id, department id or grid id. */
  key: string;
  /** Grids only: [minLng, minLat, maxLng, maxLat]. */
  bbox?: number[];
  /** Grids only: the GeoJSON geometry as JSON text (read whole, never queried; geometry is computed in the app). */
  geometry?: string;
  /** The category or department as validated; a grid's properties. */
  data: unknown;
}

const versionedItemSchema = new Schema<VersionedItemDoc>(
  {
    version: { type: Number, required: true },
    pos: { type: Number, required: true },
    key: { type: String, required: true },
    bbox: { type: [Number], default: undefined },
    geometry: { type: String },
    data: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);
versionedItemSchema.index({ version: 1, key: 1 }, { unique: true });
versionedItemSchema.index({ version: 1, pos: 1 });

export interface PartRef {
  version: number;
  count: number;
}

export const SETTINGS_ID = 'city';

/** The single document that says which versions are active, plus the city and its calendar. */
export interface CitySettingsDoc {
  _id: string;
  /** Hands out version numbers; increases on every replacement attempt. */
  seq: number;
  /** Increases on every successful switch; writers switch only if it is unchanged (compare-and-set). */
  revision: number;
  parts?: Partial<Record<VersionedPart, PartRef>>;
  city?: City;
  calendar?: Calendar;
  /** The version (a `seq` value) the calendar was last replaced under; absent before any. */
  calendarVersion?: number;
  updatedAt?: Date;
}

const partRefSchema = new Schema<PartRef>({ version: Number, count: Number }, { _id: false });

const citySettingsSchema = new Schema<CitySettingsDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    revision: { type: Number, required: true },
    parts: { categories: partRefSchema, departments: partRefSchema, areas: partRefSchema },
    city: { type: Schema.Types.Mixed },
    calendar: { type: Schema.Types.Mixed },
    calendarVersion: { type: Number },
    updatedAt: { type: Date },
  },
  { collection: 'city_settings', versionKey: false },
);

const COLLECTIONS: Record<VersionedPart, { model: string; collection: string }> = {
  categories: { model: 'CityCategory', collection: 'city_categories' },
  departments: { model: 'CityDepartment', collection: 'city_departments' },
  areas: { model: 'CityGrid', collection: 'city_grids' },
};

export function versionedItemModel(db: Connection, part: VersionedPart): Model<VersionedItemDoc> {
  const { model, collection } = COLLECTIONS[part];
  return (db.models[model] as Model<VersionedItemDoc> | undefined) ?? db.model(model, versionedItemSchema, collection);
}

export function citySettingsModel(db: Connection): Model<CitySettingsDoc> {
  return (db.models.CitySettings as Model<CitySettingsDoc> | undefined) ?? db.model('CitySettings', citySettingsSchema);
}
