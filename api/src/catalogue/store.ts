import type { Connection } from 'mongoose';
import type { Calendar, City } from '@ssp/shared';
import {
  SETTINGS_ID,
  citySettingsModel,
  versionedItemModel,
  type CitySettingsDoc,
  type PartRef,
  type VersionedItemDoc,
  type VersionedPart,
} from './models';
import { isDuplicateKeyError } from '../db';

const INSERT_CHUNK = 1000;

export type NewItem = Omit<VersionedItemDoc, 'version' | 'pos'>;

export interface SettingsChange {
  parts?: Partial<Record<VersionedPart, PartRef>>;
  city?: City;
  calendar?: Calendar;
  /** Set with `calendar`: the version it is replaced under. */
  calendarVersion?: number;
}

/**
 * Versioned storage of the city data without transactions: write the new items under
 * a fresh version, switch the settings document with a compare-and-set on its
 * revision, then prune versions nobody can be reading any more.
 */
export class CityDataStore {
  constructor(private readonly db: Connection) {}

  private get settings() {
    return citySettingsModel(this.db);
  }

  async readRevision(): Promise<number> {
    const doc = await this.settings.findById(SETTINGS_ID, { revision: 1 }).lean();
    return doc?.revision ?? 0;
  }

  async readSettings(): Promise<CitySettingsDoc | null> {
    return this.settings.findById(SETTINGS_ID).lean<CitySettingsDoc>();
  }

  /** Takes a fresh version number (creating the settings document on first use); returns the settings as they now are. */
  async reserve(): Promise<CitySettingsDoc> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this.settings
          .findOneAndUpdate({ _id: SETTINGS_ID }, { $inc: { seq: 1 }, $setOnInsert: { revision: 0 } }, { upsert: true, returnDocument: 'after' })
          .lean<CitySettingsDoc>();
        return doc!;
      } catch (err) {
        // Two first-ever upserts can race on the _id; the loser simply retries.
        if (!isDuplicateKeyError(err) || attempt > 0) throw err;
      }
    }
  }

  async writeItems(part: VersionedPart, version: number, items: NewItem[]): Promise<void> {
    const model = versionedItemModel(this.db, part);
    for (let start = 0; start < items.length; start += INSERT_CHUNK) {
      const chunk = items.slice(start, start + INSERT_CHUNK).map((item, k) => ({ ...item, version, pos: start + k }));
      await model.insertMany(chunk, { lean: true });
    }
  }

  /** Makes the change active if nothing else switched since `expectedRevision`; false when someone did. */
  async switchTo(expectedRevision: number, change: SettingsChange, now: Date): Promise<boolean> {
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [part, ref] of Object.entries(change.parts ?? {})) set[`parts.${part}`] = ref;
    if (change.city) set.city = change.city;
    if (change.calendar) set.calendar = change.calendar;
    if (change.calendarVersion !== undefined) set.calendarVersion = change.calendarVersion;
    const result = await this.settings.updateOne({ _id: SETTINGS_ID, revision: expectedRevision }, { $set: set, $inc: { revision: 1 } });
    return result.matchedCount === 1;
  }

  /** Removes a version that never became active. */
  async discard(part: VersionedPart, version: number): Promise<void> {
    await versionedItemModel(this.db, part).deleteMany({ version });
  }

  /**
   * Deletes versions older than the active one, except `keep` (the version just
   * replaced). Newer versions belong to writers still at work and are left alone.
   */
  async prune(part: VersionedPart, active: number, keep?: number): Promise<void> {
    await versionedItemModel(this.db, part).deleteMany({ version: { $lt: active, $nin: keep === undefined ? [] : [keep] } });
  }

  /** The items of one version in file order, or null when the version is no longer complete. */
  async readItems(part: VersionedPart, ref: PartRef): Promise<VersionedItemDoc[] | null> {
    const items = await versionedItemModel(this.db, part).find({ version: ref.version }).sort({ pos: 1 }).lean<VersionedItemDoc[]>();
    return items.length === ref.count ? items : null;
  }
}
