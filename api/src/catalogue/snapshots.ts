import { performance } from 'node:perf_hooks';
import {
  CATEGORY_FAMILY_NAMES_ZH,
  type Calendar,
  type Category,
  type City,
  type Department,
  type GridFeature,
  type GridGeometry,
  type GridProperties,
} from '@ssp/shared';
import { ApiError, conflict } from '../core/errors';
import { buildAreasView, prepareGrid, type AreasView } from './areas';
import type { CitySettingsDoc, PartRef, VersionedItemDoc, VersionedPart } from './models';
import type { CityDataStore } from './store';

export interface CategoriesView {
  /** File order. */
  list: Category[];
  /** Most popular first, then by id. */
  ranked: Category[];
  byId: Map<string, Category>;
  /** Lower-cased text a search matches against, per category id. */
  searchText: Map<string, string>;
}

export interface DepartmentsView {
  list: Department[];
  byId: Map<string, Department>;
}

/** Everything read from one revision of the settings document. */
export interface Snapshot {
  revision: number;
  parts: Partial<Record<VersionedPart, PartRef>>;
  city?: City;
  calendar?: Calendar;
  /** The calendar's version (0 before any). */
  calendarVersion: number;
  categories: CategoriesView;
  departments: DepartmentsView;
  areas: AreasView;
}

export function categoriesView(list: Category[]): CategoriesView {
  const ranked = [...list].sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const searchText = new Map(
    list.map((c) => [c.id, [c.name, c.majorName, c.code, c.id, CATEGORY_FAMILY_NAMES_ZH[c.family], ...(c.keywords ?? [])].join('\n').toLowerCase()]),
  );
  return { list, ranked, byId: new Map(list.map((c) => [c.id, c])), searchText };
}

export function departmentsView(list: Department[]): DepartmentsView {
  return { list, byId: new Map(list.map((d) => [d.id, d])) };
}

const EMPTY_AREAS = buildAreasView([]);

export function gridFeatureOf(item: VersionedItemDoc): GridFeature {
  return { type: 'Feature', properties: item.data as GridProperties, geometry: JSON.parse(item.geometry!) as GridGeometry };
}

/**
 * The city data as the process reads it: an in-memory snapshot of one revision of the
 * settings document, rebuilt when the stored revision changes (checked at most every
 * `checkIntervalMs`, and replaced at once after a replacement through this process).
 */
export class CitySnapshots {
  /** How long a snapshot is trusted before the stored revision is checked again. */
  checkIntervalMs = 2000;
  private latest?: Snapshot;
  private checkedAt = 0;
  private refreshing?: Promise<Snapshot>;

  constructor(private readonly store: CityDataStore) {}

  /** Look at the stored revision on the next read (a version vanished while reading). */
  recheck(): void {
    this.checkedAt = 0;
  }

  /** The snapshot to read from: the one in memory, or a fresh one once the stored revision moved. */
  async current(): Promise<Snapshot> {
    if (this.latest && performance.now() - this.checkedAt < this.checkIntervalMs) return this.latest;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<Snapshot> {
    const startedAt = performance.now();
    if (this.latest && (await this.store.readRevision()) === this.latest.revision) {
      this.checkedAt = startedAt;
      return this.latest;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const snapshot = await this.build(await this.store.readSettings());
      if (snapshot) return this.install(snapshot, startedAt);
    }
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据正在更新，请稍后再试');
  }

  /** The snapshot of exactly this settings revision (a writer validates against it). */
  async at(settings: CitySettingsDoc): Promise<Snapshot> {
    if (this.latest?.revision === settings.revision) return this.latest;
    const snapshot = await this.build(settings);
    if (!snapshot) throw conflict('CONFLICT', '城市数据已被他人修改，请刷新后重试');
    return snapshot;
  }

  install(snapshot: Snapshot, checkedAt: number): Snapshot {
    if (!this.latest || snapshot.revision >= this.latest.revision) this.latest = snapshot;
    this.checkedAt = checkedAt;
    return this.latest;
  }

  /** Reads what changed since the current snapshot; null when a version vanished mid-read. */
  private async build(settings: CitySettingsDoc | null): Promise<Snapshot | null> {
    const parts = settings?.parts ?? {};
    const reuse = (part: VersionedPart) => this.latest && this.latest.parts[part]?.version === parts[part]?.version;
    const load = async (part: VersionedPart) => (parts[part] ? this.store.readItems(part, parts[part]) : []);

    let categories = this.latest?.categories;
    if (!reuse('categories') || !categories) {
      const items = await load('categories');
      if (!items) return null;
      categories = categoriesView(items.map((item) => item.data as Category));
    }
    let departments = this.latest?.departments;
    if (!reuse('departments') || !departments) {
      const items = await load('departments');
      if (!items) return null;
      departments = departmentsView(items.map((item) => item.data as Department));
    }
    let areas = this.latest?.areas;
    if (!reuse('areas') || !areas) {
      const items = await load('areas');
      if (!items) return null;
      areas = items.length
        ? buildAreasView(
            items.map((item) => {
              const { properties, geometry } = gridFeatureOf(item);
              return prepareGrid(properties, geometry, item.bbox);
            }),
          )
        : EMPTY_AREAS;
    }
    return {
      revision: settings?.revision ?? 0,
      parts,
      city: settings?.city,
      calendar: settings?.calendar,
      calendarVersion: settings?.calendarVersion ?? 0,
      categories,
      departments,
      areas,
    };
  }
}
