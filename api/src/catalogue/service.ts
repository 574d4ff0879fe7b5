import {
  CATEGORY_FAMILIES,
  type AreaTree,
  type AreasFile,
  type Calendar,
  type Category,
  type CategoryList,
  type CategoryMajor,
  type CategoryQuery,
  type City,
  type CityDataReplaceResult,
  type Department,
  type LocateResult,
  type PublicCategory,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { CityProfile } from '../city-profile';
import { ApiError } from '../core/errors';
import { CityDataWriter, partVersion, type CityDataSummary } from './city-data-writer';
import { CitySnapshots, gridFeatureOf } from './snapshots';
import { CityDataStore } from './store';

export type { CityDataSummary } from './city-data-writer';

/** Where a case is: the area ids it was located in, or a GCJ-02 point. */
export type ProposeLocation = { lat: number; lng: number } | { gridId?: string | null; streetId?: string | null; districtId?: string | null } | null;

function toPublicCategory(c: Category): PublicCategory {
  return {
    id: c.id,
    code: c.code,
    family: c.family,
    majorCode: c.majorCode,
    majorName: c.majorName,
    name: c.name,
    timeLimit: c.timeLimit,
    publicReportable: c.publicReportable,
    basePoints: c.basePoints,
    ...(c.keywords ? { keywords: c.keywords } : {}),
  };
}

function majorsOf(categories: Category[]): CategoryMajor[] {
  const majors = new Map<string, CategoryMajor>();
  for (const c of categories) majors.set(`${c.family}:${c.majorCode}`, { family: c.family, code: c.majorCode, name: c.majorName });
  const familyRank = (f: CategoryMajor['family']) => CATEGORY_FAMILIES.indexOf(f);
  return [...majors.values()].sort((a, b) => familyRank(a.family) - familyRank(b.family) || a.code.localeCompare(b.code));
}

/**
 * The city data of this deployment: category catalogue, departments, areas and the
 * working calendar. Reads come from the in-process snapshot (snapshots.ts); changes go
 * through the writer (city-data-writer.ts), which validates and switches versions.
 */
export class CatalogueService {
  readonly snapshots: CitySnapshots;
  private readonly store: CityDataStore;
  private readonly writer: CityDataWriter;

  constructor(
    readonly ctx: ServiceContext,
    city: CityProfile,
  ) {
    this.store = new CityDataStore(ctx.db);
    this.snapshots = new CitySnapshots(this.store);
    this.writer = new CityDataWriter(ctx, city, this.store, this.snapshots);
  }

  // ------------------------------------------------------------ loading and replacing

  /** Loads the deployment's city folder when no city data has been stored yet. Returns whether it loaded. */
  seedCityDataIfEmpty(): Promise<boolean> {
    return this.writer.seedCityDataIfEmpty();
  }
  /** Validates a whole city data folder and replaces all stored city data at once (400 CITY_DATA_INVALID, nothing replaced). */
  loadCityDataFromDir(dir: string): Promise<CityDataSummary> {
    return this.writer.loadCityDataFromDir(dir);
  }
  /** Admin replacements; with `baseVersion` (the part's version the editor read) a part replaced since is a 409. */
  replaceCategories(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    return this.writer.replaceCategories(body, baseVersion);
  }
  replaceDepartments(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    return this.writer.replaceDepartments(body, baseVersion);
  }
  replaceAreas(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    return this.writer.replaceAreas(body, baseVersion);
  }
  replaceCalendar(body: unknown, baseVersion?: number): Promise<{ calendar: Calendar; version: number }> {
    return this.writer.replaceCalendar(body, baseVersion);
  }

  /** The whole catalogue in file order and its version, from one snapshot (admin editor). */
  async categoriesData(): Promise<{ categories: Category[]; version: number }> {
    const snapshot = await this.snapshots.current();
    return { categories: snapshot.categories.list, version: partVersion(snapshot, 'categories') };
  }

  async departmentsData(): Promise<{ departments: Department[]; version: number }> {
    const snapshot = await this.snapshots.current();
    return { departments: snapshot.departments.list, version: partVersion(snapshot, 'departments') };
  }

  async calendarData(): Promise<{ calendar: Calendar; version: number }> {
    const snapshot = await this.snapshots.current();
    if (!snapshot.calendar) throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据尚未加载');
    return { calendar: snapshot.calendar, version: partVersion(snapshot, 'calendar') };
  }

  // ------------------------------------------------------------ reading

  /** Categories most popular first, filtered by family, public reportability and search words. */
  async listCategories(query: CategoryQuery = {}): Promise<CategoryList> {
    const { categories } = await this.snapshots.current();
    const terms = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const found = categories.ranked.filter(
      (c) =>
        (!query.family || c.family === query.family) &&
        (!query.public || c.publicReportable) &&
        terms.every((term) => categories.searchText.get(c.id)!.includes(term)),
    );
    return { categories: found.map(toPublicCategory), majors: majorsOf(found) };
  }

  /** The whole catalogue in file order, with routing fields (admin). */
  async allCategories(): Promise<Category[]> {
    return (await this.snapshots.current()).categories.list;
  }

  /** The category, or 400 CATEGORY_NOT_FOUND on field `categoryId`. */
  async getCategory(id: string): Promise<Category> {
    const category = (await this.snapshots.current()).categories.byId.get(id);
    if (!category) throw new ApiError(400, 'CATEGORY_NOT_FOUND', undefined, [{ field: 'categoryId', issue: `类别 ${id} 不存在` }]);
    return category;
  }

  /** As getCategory, and 400 CATEGORY_NOT_PUBLIC when citizens may not report it. */
  async requirePublicCategory(id: string): Promise<Category> {
    const category = await this.getCategory(id);
    if (!category.publicReportable) {
      throw new ApiError(400, 'CATEGORY_NOT_PUBLIC', undefined, [{ field: 'categoryId', issue: `类别「${category.name}」不接受市民上报` }]);
    }
    return category;
  }

  async listDepartments(): Promise<Department[]> {
    return (await this.snapshots.current()).departments.list;
  }

  /** The department, or null when there is none with this id. */
  async getDepartment(id: string): Promise<Department | null> {
    return (await this.snapshots.current()).departments.byId.get(id) ?? null;
  }

  /** The working calendar deadlines are counted in; 503 until city data is loaded. */
  async getCalendar(): Promise<Calendar> {
    const { calendar } = await this.snapshots.current();
    if (!calendar) throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据尚未加载');
    return calendar;
  }

  async getCity(): Promise<City> {
    const { city } = await this.snapshots.current();
    if (!city) throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据尚未加载');
    return city;
  }

  /**
   * Candidate departments for a case, best first, following 先属主后属地 for
   * components and 先属地后属主 for events. Owners: the category's default
   * department, then other owners listing the category (limited to their areaIds
   * when they have some). Area departments: those whose areaIds contain the case's
   * grid, street or district, most specific first. The place is given either as
   * the ids the case was located in or as a GCJ-02 point to locate now.
   */
  async proposeDepartment(categoryId: string, location: ProposeLocation): Promise<string[]> {
    const category = await this.getCategory(categoryId);
    const { departments, areas } = await this.snapshots.current();
    let chain: string[] = [];
    if (location && 'lat' in location) {
      const place = areas.index.locate(location.lng, location.lat);
      if (place) chain = [place.grid.id, place.street.id, place.district.id];
    } else if (location) {
      chain = [location.gridId, location.streetId, location.districtId].filter((id): id is string => !!id);
    }
    const owners = [
      category.defaultDepartmentId,
      ...departments.list
        .filter((d) => d.kind === 'owner' && d.categories?.includes(category.id) && (!d.areaIds || d.areaIds.some((id) => chain.includes(id))))
        .map((d) => d.id),
    ];
    const areaRank = (d: Department) => Math.min(...(d.areaIds ?? []).map((id) => chain.indexOf(id)).filter((rank) => rank >= 0));
    const local = departments.list
      .filter((d) => d.kind === 'area')
      .map((d) => ({ id: d.id, rank: areaRank(d) }))
      .filter((d) => Number.isFinite(d.rank))
      .sort((a, b) => a.rank - b.rank)
      .map((d) => d.id);
    return [...new Set(category.family === 'component' ? [...owners, ...local] : [...local, ...owners])];
  }

  /** The grid, street and district containing a GCJ-02 point, or null outside every grid. */
  async locate(lat: number, lng: number): Promise<LocateResult | null> {
    return (await this.snapshots.current()).areas.index.locate(lng, lat);
  }

  async areaTree(): Promise<AreaTree> {
    return (await this.snapshots.current()).areas.tree;
  }

  /** The active grids as a GeoJSON FeatureCollection, in file order. */
  async areasGeoJson(): Promise<AreasFile> {
    const { version: _version, ...file } = await this.areasData();
    return file;
  }

  /** The active grids and their version (admin editor). */
  async areasData(): Promise<AreasFile & { version: number }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ref = (await this.snapshots.current()).parts.areas;
      if (!ref) return { type: 'FeatureCollection', features: [], version: 0 };
      const items = await this.store.readItems('areas', ref);
      if (items) return { type: 'FeatureCollection', features: items.map((item) => gridFeatureOf(item)), version: ref.version };
      this.snapshots.recheck(); // the version was replaced while reading: look again
    }
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据正在更新，请稍后再试');
  }
}
