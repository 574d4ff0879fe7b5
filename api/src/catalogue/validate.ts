import { z } from 'zod';
import type { AreasFile, Category, Department, ErrorDetail } from '@ssp/shared';
import { ApiError } from '../core/errors';
import { geometryIssues } from './geometry';

/** The pieces of city data; each is one file in a city's data folder. */
export type CityPart = 'city' | 'categories' | 'departments' | 'areas' | 'calendar';

export const CITY_FILES: Record<CityPart, string> = {
  city: 'city.json',
  categories: 'categories.json',
  departments: 'departments.json',
  areas: 'areas.geojson',
  calendar: 'calendar.json',
};

export interface CityIssue {
  part: CityPart;
  path: (string | number)[];
  issue: string;
}

export type AreaLevel = 'district' | 'street' | 'grid';

const zhCN = z.locales.zhCN();
/** Most issues of a huge file are the same mistake repeated; list this many. */
const MAX_DETAILS = 100;

/** Parses one part with its schema; issue messages in Chinese. */
export function parsePart<S extends z.ZodType>(part: CityPart, schema: S, input: unknown): { data?: z.output<S>; issues: CityIssue[] } {
  const result = schema.safeParse(input, { error: zhCN.localeError });
  if (result.success) return { data: result.data, issues: [] };
  return {
    issues: result.error.issues.map((issue) => ({
      part,
      path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      issue: issue.message,
    })),
  };
}

/** Polygon validity and a consistent district → street → grid hierarchy. */
export function areasIssues(file: AreasFile): CityIssue[] {
  const issues: CityIssue[] = [];
  const add = (path: (string | number)[], issue: string) => issues.push({ part: 'areas', path, issue });
  const grids = new Set<string>();
  const streets = new Map<string, { name: string; districtId: string }>();
  const districts = new Map<string, string>();
  file.features.forEach((feature, i) => {
    for (const { path, issue } of geometryIssues(feature.geometry)) add(['features', i, 'geometry', ...path], issue);
    const p = feature.properties;
    const at = (key: string) => ['features', i, 'properties', key];
    if (grids.has(p.gridId)) add(at('gridId'), `网格编号 ${p.gridId} 重复`);
    grids.add(p.gridId);
    const street = streets.get(p.streetId);
    if (!street) streets.set(p.streetId, { name: p.streetName, districtId: p.districtId });
    else if (street.name !== p.streetName) add(at('streetName'), `街道 ${p.streetId} 的名称不一致（前面为「${street.name}」）`);
    else if (street.districtId !== p.districtId) add(at('districtId'), `街道 ${p.streetId} 不能同时属于两个区（前面为 ${street.districtId}）`);
    const district = districts.get(p.districtId);
    if (district === undefined) districts.set(p.districtId, p.districtName);
    else if (district !== p.districtName) add(at('districtName'), `区 ${p.districtId} 的名称不一致（前面为「${district}」）`);
  });
  file.features.forEach((feature, i) => {
    const p = feature.properties;
    const at = (key: string) => ['features', i, 'properties', key];
    if (streets.has(p.gridId) || districts.has(p.gridId)) add(at('gridId'), `网格编号 ${p.gridId} 与街道或区的编号相同`);
    if (districts.has(p.streetId)) add(at('streetId'), `街道编号 ${p.streetId} 与区的编号相同`);
  });
  return issues;
}

/** References between the parts: category → department, department → categories and areas. */
export function crossCheckIssues(categories: Category[], departments: Department[], areaIds: ReadonlyMap<string, AreaLevel>): CityIssue[] {
  const issues: CityIssue[] = [];
  const departmentIds = new Set(departments.map((d) => d.id));
  const categoryIds = new Set(categories.map((c) => c.id));
  categories.forEach((c, i) => {
    if (!departmentIds.has(c.defaultDepartmentId)) {
      issues.push({ part: 'categories', path: [i, 'defaultDepartmentId'], issue: `部门 ${c.defaultDepartmentId} 不存在` });
    }
  });
  departments.forEach((d, i) => {
    d.categories?.forEach((id, k) => {
      if (!categoryIds.has(id)) issues.push({ part: 'departments', path: [i, 'categories', k], issue: `类别 ${id} 不存在` });
    });
    d.areaIds?.forEach((id, k) => {
      if (!areaIds.has(id)) issues.push({ part: 'departments', path: [i, 'areaIds', k], issue: `区域 ${id} 不存在` });
    });
  });
  return issues;
}

/** `prefix` + a path in the usual notation: features[3].geometry, categories[0].code. */
export function fieldPath(prefix: string, path: (string | number)[]): string {
  let field = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else field += field === '' || field.endsWith(':') ? segment : `.${segment}`;
  }
  return field;
}

/**
 * 400 CITY_DATA_INVALID listing each issue with its field. `prefixOf` names where a
 * part's paths start (a file name for a data folder, the body for the admin API).
 */
export function cityDataInvalid(issues: CityIssue[], prefixOf: (part: CityPart) => string): ApiError {
  const details: ErrorDetail[] = issues.slice(0, MAX_DETAILS).map(({ part, path, issue }) => {
    const field = fieldPath(prefixOf(part), path);
    return { field: field === '' ? 'body' : field.endsWith(':') ? field.slice(0, -1) : field, issue };
  });
  if (issues.length > MAX_DETAILS) details.push({ issue: `另有 ${issues.length - MAX_DETAILS} 处错误未列出` });
  const first = details[0]!;
  return new ApiError(
    400,
    'CITY_DATA_INVALID',
    `城市数据格式有误：${first.field} ${first.issue}${issues.length > 1 ? ` 等 ${issues.length} 处` : ''}`,
    details,
  );
}
