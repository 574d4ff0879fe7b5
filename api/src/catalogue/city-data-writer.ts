import { performance } from 'node:perf_hooks';
import {
  areasFileSchema,
  calendarSchema,
  categoriesFileSchema,
  citySchema,
  departmentsFileSchema,
  type AreasFile,
  type Calendar,
  type Category,
  type City,
  type CityDataReplaceResult,
  type Department,
} from '@ssp/shared';
import type { z } from 'zod';
import type { ServiceContext } from '../context';
import { readCatalogueFiles, type CatalogueFiles, type CityProfile } from '../city-profile';
import { ApiError, conflict } from '../core/errors';
import { buildAreasView, prepareGrid, type AreasView, type PreparedGrid } from './areas';
import { VERSIONED_PARTS, type PartRef, type VersionedPart } from './models';
import { categoriesView, departmentsView, type CitySnapshots, type Snapshot } from './snapshots';
import type { CityDataStore, NewItem } from './store';
import { CITY_FILES, areasIssues, cityDataInvalid, crossCheckIssues, parsePart, type CityIssue, type CityPart } from './validate';

/** The parts an administrator replaces one at a time, and what they are called. */
export type EditablePart = 'categories' | 'departments' | 'areas' | 'calendar';
const PART_NAMES_ZH: Record<EditablePart, string> = { categories: '类别目录', departments: '部门数据', areas: '网格数据', calendar: '工作日历' };

/** The version of a part in a snapshot: the version it was last replaced under, 0 before any. */
export function partVersion(snapshot: Snapshot, part: EditablePart): number {
  return part === 'calendar' ? snapshot.calendarVersion : (snapshot.parts[part]?.version ?? 0);
}

function editedPart(draft: Draft): EditablePart {
  if (draft.categories) return 'categories';
  if (draft.departments) return 'departments';
  if (draft.areas) return 'areas';
  return 'calendar';
}

/** A replacement: the parts that change, already validated on their own. */
interface Draft {
  categories?: Category[];
  departments?: Department[];
  areas?: { grids: PreparedGrid[]; view: AreasView };
  city?: City;
  calendar?: Calendar;
}

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

/**
 * Replacing city data: the deployment's folder at first start or on demand, and each
 * part over the admin API. Everything is validated (on its own and against the rest)
 * before a new version is written and switched to in one step.
 */
export class CityDataWriter {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly city: CityProfile,
    private readonly store: CityDataStore,
    private readonly snapshots: CitySnapshots,
  ) {}

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

  /*
   * The admin replacements. `baseVersion` is the version of the part the administrator
   * edited (as GET answered it); when the part was replaced since, 409 CONFLICT.
   */

  async replaceCategories(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    const categories = this.parseOrThrow(parsePart('categories', categoriesFileSchema, body));
    return { version: await this.replace({ categories }, apiPrefix, baseVersion), count: categories.length };
  }

  async replaceDepartments(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    const departments = this.parseOrThrow(parsePart('departments', departmentsFileSchema, body));
    return { version: await this.replace({ departments }, apiPrefix, baseVersion), count: departments.length };
  }

  async replaceAreas(body: unknown, baseVersion?: number): Promise<CityDataReplaceResult> {
    const file = this.parseOrThrow(parsePart('areas', areasFileSchema, body));
    const issues = areasIssues(file);
    if (issues.length) throw cityDataInvalid(issues, apiPrefix);
    return { version: await this.replace({ areas: this.prepareAreas(file) }, apiPrefix, baseVersion), count: file.features.length };
  }

  async replaceCalendar(body: unknown, baseVersion?: number): Promise<{ calendar: Calendar; version: number }> {
    const calendar = this.parseOrThrow(parsePart('calendar', calendarSchema, body));
    return { calendar, version: await this.replace({ calendar }, apiPrefix, baseVersion) };
  }

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
  private async replace(draft: Draft, prefixOf: (part: CityPart) => string, baseVersion?: number): Promise<number> {
    const settings = await this.store.reserve();
    const base = await this.snapshots.at(settings);
    if (baseVersion !== undefined) {
      const edited = editedPart(draft);
      const now = partVersion(base, edited);
      if (now !== baseVersion) {
        throw conflict('CONFLICT', `${PART_NAMES_ZH[edited]}已被他人修改（您编辑的是第 ${baseVersion} 版，现在是第 ${now} 版），请重新加载后再修改`);
      }
    }
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
    const switched = await this.store.switchTo(
      settings.revision,
      { parts: refs, city: draft.city, calendar: draft.calendar, calendarVersion: draft.calendar ? version : undefined },
      this.ctx.clock.now(),
    );
    if (!switched) {
      await discard();
      throw conflict('CONFLICT', '城市数据已被他人修改，请刷新后重试');
    }

    for (const part of changed) {
      await this.store.prune(part, version, base.parts[part]?.version).catch((err: Error) => {
        this.ctx.logger.warn({ err, part }, 'pruning old city data failed; the next replacement retries');
      });
    }
    this.snapshots.install(
      {
        revision: settings.revision + 1,
        parts: { ...base.parts, ...refs },
        city: draft.city ?? base.city,
        calendar: draft.calendar ?? base.calendar,
        calendarVersion: draft.calendar ? version : base.calendarVersion,
        categories: draft.categories ? categoriesView(draft.categories) : base.categories,
        departments: draft.departments ? departmentsView(draft.departments) : base.departments,
        areas,
      },
      performance.now(),
    );
    this.ctx.logger.info({ version, parts: changed, calendar: !!draft.calendar, city: !!draft.city }, 'city data replaced');
    return version;
  }
}
