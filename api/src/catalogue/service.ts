import { performance } from 'node:perf_hooks';
import {
  areasFileSchema,
  calendarSchema,
  categoriesFileSchema,
  citySchema,
  departmentsFileSchema,
  CATEGORY_FAMILIES,
  CATEGORY_FAMILY_NAMES_ZH,
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
  type GridFeature,
  type GridGeometry,
  type GridProperties,
  type LocateResult,
  type PublicCategory,
} from '@ssp/shared';
import type { z } from 'zod';
import type { ServiceContext } from '../context';
import { readCatalogueFiles, type CatalogueFiles, type CityProfile } from '../city-profile';
import { ApiError, conflict } from '../core/errors';
import { buildAreasView, prepareGrid, type AreasView, type PreparedGrid } from './areas';
import { VERSIONED_PARTS, type CitySettingsDoc, type PartRef, type VersionedItemDoc, type VersionedPart } from './models';
import { CityDataStore, type NewItem } from './store';
import { CITY_FILES, areasIssues, cityDataInvalid, crossCheckIssues, parsePart, type CityIssue, type CityPart } from './validate';

interface CategoriesView {
  /** File order. */
  list: Category[];
  /** Most popular first, then by id. */
  ranked: Category[];
  byId: Map<string, Category>;
  /** Lower-cased text a search matches against, per category id. */
  searchText: Map<string, string>;
}

interface DepartmentsView {
  list: Department[];
  byId: Map<string, Department>;
}

/** Everything read from one revision of the settings document. */
interface Snapshot {
  revision: number;
  parts: Partial<Record<VersionedPart, PartRef>>;
  city?: City;
  calendar?: Calendar;
  categories: CategoriesView;
  departments: DepartmentsView;
  areas: AreasView;
}

/** A replacement: the parts that change, already validated on their own. */
interface Draft {
  categories?: Category[];
  departments?: Department[];
  areas?: { grids: PreparedGrid[]; view: AreasView };
  city?: City;
  calendar?: Calendar;
}

/** Where a case is: the area ids it was located in, or a GCJ-02 point. */
export type ProposeLocation = { lat: number; lng: number } | { gridId?: string | null; streetId?: string | null; districtId?: string | null } | null;

export interface CityDataSummary {
  version: number;
  categories: number;
  departments: number;
  grids: number;
}

/** Admin API paths: arrays are named after the part, the areas and calendar bodies are the root. */
const API_PREFIX: Record<CityPart, string> = { city: 'city', categories: 'categories', departments: 'departments', areas: '', calendar: '' };
const apiPrefix = (part: CityPart) => API_PREFIX[part];
const filePrefix = (part: CityPart) => `${CITY_FILES[part]}:`;

function categoriesView(list: Category[]): CategoriesView {
  const ranked = [...list].sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const searchText = new Map(
    list.map((c) => [c.id, [c.name, c.majorName, c.code, c.id, CATEGORY_FAMILY_NAMES_ZH[c.family], ...(c.keywords ?? [])].join('\n').toLowerCase()]),
  );
  return { list, ranked, byId: new Map(list.map((c) => [c.id, c])), searchText };
}

function departmentsView(list: Department[]): DepartmentsView {
  return { list, byId: new Map(list.map((d) => [d.id, d])) };
}

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

const EMPTY_AREAS = buildAreasView([]);

function gridFeatureOf(item: VersionedItemDoc): GridFeature {
  return { type: 'Feature', properties: item.data as GridProperties, geometry: JSON.parse(item.geometry!) as GridGeometry };
}

/**
 * The city data of this deployment: category catalogue, departments, areas and the
 * working calendar. Reads come from an in-process snapshot that is rebuilt when the
 * stored revision changes (checked at most every `stampCheckIntervalMs`, and at once
 * after a replacement through this process).
 */
export class CatalogueService {
  /** How long a snapshot is trusted before the stored revision is checked again. */
  stampCheckIntervalMs = 2000;
  private readonly store: CityDataStore;
  private current?: Snapshot;
  private checkedAt = 0;
  private refreshing?: Promise<Snapshot>;

  constructor(
    readonly ctx: ServiceContext,
    private readonly city: CityProfile,
  ) {
    this.store = new CityDataStore(ctx.db);
  }

  // ------------------------------------------------------------ loading

  /** Loads the deployment's city folder when no city data has been stored yet. Returns whether it loaded. */
  async seedCityDataIfEmpty(): Promise<boolean> {
    if ((await this.store.readRevision()) > 0) return false;
    try {
      await this.loadCityData(this.city.catalogueFiles());
      return true;
    } catch (err) {
      // Another process loaded it first.
      if (err instanceof ApiError && err.code === 'CONFLICT') return false;
      throw err;
    }
  }

  /**
   * Validates every file of a city data folder (city.json, categories.json,
   * departments.json, areas.geojson, calendar.json) and their references, then
   * replaces all stored city data at once. Throws 400 CITY_DATA_INVALID with fields
   * like `categories.json:[3].defaultDepartmentId`; nothing is replaced then.
   */
  async loadCityDataFromDir(dir: string): Promise<CityDataSummary> {
    return this.loadCityData(readCatalogueFiles(dir));
  }

  private async loadCityData(files: CatalogueFiles): Promise<CityDataSummary> {
    const issues: CityIssue[] = [];
    const inputs = new Map<CityPart, unknown>();
    for (const part of Object.keys(CITY_FILES) as CityPart[]) {
      const read = files[part];
      if (read.state === 'missing') issues.push({ part, path: [], issue: `文件不存在或无法读取（${read.file}）` });
      else if (read.state === 'not-json') issues.push({ part, path: [], issue: `不是有效的 JSON（${read.reason}）` });
      else inputs.set(part, read.json);
    }
    const parse = <S extends z.ZodType>(part: CityPart, schema: S) =>
      inputs.has(part) ? this.collect(parsePart(part, schema, inputs.get(part)), issues) : undefined;
    const city = parse('city', citySchema);
    const categories = parse('categories', categoriesFileSchema);
    const departments = parse('departments', departmentsFileSchema);
    const calendar = parse('calendar', calendarSchema);
    const areasFile = parse('areas', areasFileSchema);
    if (areasFile) issues.push(...areasIssues(areasFile));
    if (issues.length || !city || !categories || !departments || !calendar || !areasFile) throw cityDataInvalid(issues, filePrefix);

    const version = await this.replace({ city, categories, departments, calendar, areas: this.prepareAreas(areasFile) }, filePrefix);
    return { version, categories: categories.length, departments: departments.length, grids: areasFile.features.length };
  }

  async replaceCategories(body: unknown): Promise<CityDataReplaceResult> {
    const categories = this.parseOrThrow(parsePart('categories', categoriesFileSchema, body));
    return { version: await this.replace({ categories }, apiPrefix), count: categories.length };
  }

  async replaceDepartments(body: unknown): Promise<CityDataReplaceResult> {
    const departments = this.parseOrThrow(parsePart('departments', departmentsFileSchema, body));
    return { version: await this.replace({ departments }, apiPrefix), count: departments.length };
  }

  async replaceAreas(body: unknown): Promise<CityDataReplaceResult> {
    const file = this.parseOrThrow(parsePart('areas', areasFileSchema, body));
    const issues = areasIssues(file);
    if (issues.length) throw cityDataInvalid(issues, apiPrefix);
    return { version: await this.replace({ areas: this.prepareAreas(file) }, apiPrefix), count: file.features.length };
  }

  async replaceCalendar(body: unknown): Promise<Calendar> {
    const calendar = this.parseOrThrow(parsePart('calendar', calendarSchema, body));
    await this.replace({ calendar }, apiPrefix);
    return calendar;
  }

  // ------------------------------------------------------------ categories

  /** Categories most popular first, filtered by family, public reportability and search words. */
  async listCategories(query: CategoryQuery = {}): Promise<CategoryList> {
    const { categories } = await this.snapshot();
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
    return (await this.snapshot()).categories.list;
  }

  /** The category, or 400 CATEGORY_NOT_FOUND on field `categoryId`. */
  async getCategory(id: string): Promise<Category> {
    const category = (await this.snapshot()).categories.byId.get(id);
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

  // ------------------------------------------------------------ departments, calendar, city

  async listDepartments(): Promise<Department[]> {
    return (await this.snapshot()).departments.list;
  }

  /** The department, or null when there is none with this id. */
  async getDepartment(id: string): Promise<Department | null> {
    return (await this.snapshot()).departments.byId.get(id) ?? null;
  }

  /** The working calendar deadlines are counted in; 503 until city data is loaded. */
  async getCalendar(): Promise<Calendar> {
    const { calendar } = await this.snapshot();
    if (!calendar) throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据尚未加载');
    return calendar;
  }

  async getCity(): Promise<City> {
    const { city } = await this.snapshot();
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
    const { departments, areas } = await this.snapshot();
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

  // ------------------------------------------------------------ areas

  /** The grid, street and district containing a GCJ-02 point, or null outside every grid. */
  async locate(lat: number, lng: number): Promise<LocateResult | null> {
    return (await this.snapshot()).areas.index.locate(lng, lat);
  }

  async areaTree(): Promise<AreaTree> {
    return (await this.snapshot()).areas.tree;
  }

  /** The active grids as a GeoJSON FeatureCollection, in file order. */
  async areasGeoJson(): Promise<AreasFile> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const ref = (await this.snapshot()).parts.areas;
      if (!ref) return { type: 'FeatureCollection', features: [] };
      const items = await this.store.readItems('areas', ref);
      if (items) return { type: 'FeatureCollection', features: items.map((item) => gridFeatureOf(item)) };
      this.checkedAt = 0; // the version was replaced while reading: look again
    }
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据正在更新，请稍后再试');
  }

  // ------------------------------------------------------------ internals

  private collect<T>(result: { data?: T; issues: CityIssue[] }, issues: CityIssue[]): T | undefined {
    issues.push(...result.issues);
    return result.data;
  }

  private parseOrThrow<T>(result: { data?: T; issues: CityIssue[] }): T {
    if (result.data === undefined) throw cityDataInvalid(result.issues, apiPrefix);
    return result.data;
  }

  private prepareAreas(file: AreasFile): NonNullable<Draft['areas']> {
    const grids = file.features.map((f) => prepareGrid(f.properties, f.geometry));
    return { grids, view: buildAreasView(grids) };
  }

  /**
   * Checks the draft against the rest of the stored data, writes its parts under a
   * new version and switches to it only if nobody switched meanwhile (else 409).
   */
  private async replace(draft: Draft, prefixOf: (part: CityPart) => string): Promise<number> {
    const settings = await this.store.reserve();
    const base = await this.snapshotAt(settings);
    const categories = draft.categories ?? base.categories.list;
    const departments = draft.departments ?? base.departments.list;
    const areas = draft.areas?.view ?? base.areas;
    if (draft.categories || draft.departments || draft.areas) {
      const issues = crossCheckIssues(categories, departments, areas.levels);
      if (issues.length) throw cityDataInvalid(issues, prefixOf);
    }

    const version = settings.seq;
    const items: Partial<Record<VersionedPart, NewItem[]>> = {
      categories: draft.categories?.map((c) => ({ key: c.id, data: c })),
      departments: draft.departments?.map((d) => ({ key: d.id, data: d })),
      areas: draft.areas?.grids.map((g) => ({ key: g.properties.gridId, bbox: g.bbox, geometry: JSON.stringify(g.geometry), data: g.properties })),
    };
    const changed = VERSIONED_PARTS.filter((part) => items[part]);
    const refs: Partial<Record<VersionedPart, PartRef>> = {};
    const discard = () => Promise.all(changed.map((part) => this.store.discard(part, version).catch(() => undefined)));
    try {
      for (const part of changed) {
        await this.store.writeItems(part, version, items[part]!);
        refs[part] = { version, count: items[part]!.length };
      }
    } catch (err) {
      await discard();
      throw err;
    }
    // If the switch itself fails in flight it may have happened, so its items stay; a later prune removes them if not.
    const switched = await this.store.switchTo(settings.revision, { parts: refs, city: draft.city, calendar: draft.calendar }, this.ctx.clock.now());
    if (!switched) {
      await discard();
      throw conflict('CONFLICT', '城市数据已被他人修改，请刷新后重试');
    }

    for (const part of changed) {
      await this.store.prune(part, version, base.parts[part]?.version).catch((err: Error) => {
        this.ctx.logger.warn({ err, part }, 'pruning old city data failed; the next replacement retries');
      });
    }
    this.install(
      {
        revision: settings.revision + 1,
        parts: { ...base.parts, ...refs },
        city: draft.city ?? base.city,
        calendar: draft.calendar ?? base.calendar,
        categories: draft.categories ? categoriesView(draft.categories) : base.categories,
        departments: draft.departments ? departmentsView(draft.departments) : base.departments,
        areas,
      },
      performance.now(),
    );
    this.ctx.logger.info({ version, parts: changed, calendar: !!draft.calendar, city: !!draft.city }, 'city data replaced');
    return version;
  }

  private async snapshot(): Promise<Snapshot> {
    if (this.current && performance.now() - this.checkedAt < this.stampCheckIntervalMs) return this.current;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<Snapshot> {
    const startedAt = performance.now();
    if (this.current && (await this.store.readRevision()) === this.current.revision) {
      this.checkedAt = startedAt;
      return this.current;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const snapshot = await this.build(await this.store.readSettings());
      if (snapshot) return this.install(snapshot, startedAt);
    }
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', '城市数据正在更新，请稍后再试');
  }

  /** The snapshot of exactly this settings revision (a writer validates against it). */
  private async snapshotAt(settings: CitySettingsDoc): Promise<Snapshot> {
    if (this.current?.revision === settings.revision) return this.current;
    const snapshot = await this.build(settings);
    if (!snapshot) throw conflict('CONFLICT', '城市数据已被他人修改，请刷新后重试');
    return snapshot;
  }

  private install(snapshot: Snapshot, checkedAt: number): Snapshot {
    if (!this.current || snapshot.revision >= this.current.revision) this.current = snapshot;
    this.checkedAt = checkedAt;
    return this.current;
  }

  /** Reads what changed since the current snapshot; null when a version vanished mid-read. */
  private async build(settings: CitySettingsDoc | null): Promise<Snapshot | null> {
    const parts = settings?.parts ?? {};
    const reuse = (part: VersionedPart) => this.current && this.current.parts[part]?.version === parts[part]?.version;
    const load = async (part: VersionedPart) => (parts[part] ? this.store.readItems(part, parts[part]) : []);

    let categories = this.current?.categories;
    if (!reuse('categories') || !categories) {
      const items = await load('categories');
      if (!items) return null;
      categories = categoriesView(items.map((item) => item.data as Category));
    }
    let departments = this.current?.departments;
    if (!reuse('departments') || !departments) {
      const items = await load('departments');
      if (!items) return null;
      departments = departmentsView(items.map((item) => item.data as Department));
    }
    let areas = this.current?.areas;
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
    return { revision: settings?.revision ?? 0, parts, city: settings?.city, calendar: settings?.calendar, categories, departments, areas };
  }
}
