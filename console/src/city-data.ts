import { ApiRequestError, type AreasFile, type GridGeometry } from '@ssp/shared';

/*
 * Pure logic of the city-data editors (类别目录, 区域网格, 处置部门, 工作日历): where a
 * problem belongs (the shared schema's issues before sending, the API's CITY_DATA_INVALID
 * details after), and the areas file as an editable district → street → grid tree.
 * No React here, so it is unit-tested (console/test/city-data.test.ts).
 */

export type PathSegment = string | number;

/** A problem with the data being edited; `path` starts at the request body (an array's row index first). */
export interface Problem {
  path: PathSegment[];
  message: string;
}

/**
 * A field as the API names it (`categories[3].timeLimit.value`, `features[0].properties.gridId`,
 * `holidays[2]`, `body`) as path segments: `[`…`]` indices become numbers.
 */
export function parseFieldPath(field: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[1]!);
  }
  return segments;
}

/**
 * The API's details of a refused replacement as problems relative to the body. `root` is
 * how the API names the body's array (`categories`, `departments`); the areas and calendar
 * bodies are objects and have none. A detail on `body` (or without a field) is about the
 * whole, with an empty path. Not an ApiRequestError: no problems.
 */
export function apiCityProblems(e: unknown, root = ''): Problem[] {
  if (!(e instanceof ApiRequestError)) return [];
  return e.details.map((d) => {
    const field = d.field ?? '';
    let path = field === 'body' ? [] : parseFieldPath(field);
    if (root && path[0] === root) path = path.slice(1);
    return { path, message: d.issue };
  });
}

/** The problems of another part named in the API's details (e.g. categories naming a department just removed). */
export function foreignProblems(e: unknown, own: string, others: readonly string[]): { part: string; path: PathSegment[]; message: string }[] {
  if (!(e instanceof ApiRequestError)) return [];
  return e.details.flatMap((d) => {
    const path = parseFieldPath(d.field ?? '');
    const part = path[0];
    return typeof part === 'string' && part !== own && others.includes(part) ? [{ part, path: path.slice(1), message: d.issue }] : [];
  });
}

/** A zod error's issues as problems (paths as they are: relative to what was parsed). */
export function schemaCityProblems(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): Problem[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
}

/** A problem on a row of a list: the row's index, the column (first key in the row) and the rest of the path. */
export interface RowProblem {
  row: number;
  column: string;
  path: PathSegment[];
  message: string;
}

/** Splits a list's problems into those on a row's cell and those about the whole list. */
export function splitRowProblems(problems: readonly Problem[]): { rows: RowProblem[]; general: string[] } {
  const rows: RowProblem[] = [];
  const general: string[] = [];
  for (const p of problems) {
    const [row, column] = p.path;
    if (typeof row === 'number') rows.push({ row, column: typeof column === 'string' ? column : '', path: p.path.slice(1), message: p.message });
    else general.push(p.message);
  }
  return { rows, general };
}

/** A schema check's problems: none when it passed. */
export function problemsOf(result: { success: true } | { success: false; error: Parameters<typeof schemaCityProblems>[0] }): Problem[] {
  return result.success ? [] : schemaCityProblems(result.error);
}

/**
 * Puts an edited row into a list (`'new'` appends it) and checks the whole list, since some
 * rules span rows (unique ids): the new list, or the problems the check finds on that row.
 */
export function placeRow<T>(
  rows: readonly T[],
  editing: number | 'new',
  row: T,
  checkList: (rows: T[]) => readonly Problem[],
): { ok: true; rows: T[]; index: number } | { ok: false; problems: RowProblem[] } {
  const index = editing === 'new' ? rows.length : editing;
  const next = [...rows];
  next[index] = row;
  const problems = splitRowProblems(checkList(next)).rows.filter((p) => p.row === index);
  return problems.length ? { ok: false, problems } : { ok: true, rows: next, index };
}

/** Row problems once row `index` is removed: its own go, those of later rows move up with them. */
export function problemsWithoutRow(problems: readonly RowProblem[], index: number): RowProblem[] {
  return problems.filter((p) => p.row !== index).map((p) => (p.row > index ? { ...p, row: p.row - 1 } : p));
}

/** The messages on one cell (column '' holds problems with the whole row). */
export function cellMessages(problems: readonly RowProblem[], row: number, column: string): string[] {
  return problems.filter((p) => p.row === row && p.column === column).map((p) => p.message);
}

/**
 * The form field a problem inside a row belongs to: the longest of `fields` (as paths) that
 * starts the problem's path, e.g. ['timeLimit', 'value'] for timeLimit.value and ['keywords']
 * for keywords[2]. Null when no field of the form holds it.
 */
export function formFieldOf(path: readonly PathSegment[], fields: readonly (readonly PathSegment[])[]): PathSegment[] | null {
  let best: readonly PathSegment[] | null = null;
  for (const field of fields) {
    if (field.length > path.length || !field.every((s, i) => s === path[i])) continue;
    if (!best || field.length > best.length) best = field;
  }
  return best ? [...best] : null;
}

/**
 * Errors for antd's form.setFields: every field of the form, with the messages of the
 * problems that belong to it (so earlier errors are cleared). Returns also the problems no
 * field holds.
 */
export function formFieldErrors(
  problems: readonly { path: PathSegment[]; message: string }[],
  fields: readonly (readonly PathSegment[])[],
): { fields: { name: PathSegment[]; errors: string[] }[]; unplaced: string[] } {
  const byField = new Map<string, string[]>(fields.map((f) => [JSON.stringify(f), []]));
  const unplaced: string[] = [];
  for (const p of problems) {
    const field = formFieldOf(p.path, fields);
    if (field) byField.get(JSON.stringify(field))!.push(p.message);
    else unplaced.push(p.message);
  }
  return { fields: fields.map((f) => ({ name: [...f], errors: byField.get(JSON.stringify(f))! })), unplaced };
}

// ---------------------------------------------------------------- areas as a tree

export type AreaLevel = 'district' | 'street' | 'grid';

export interface GridNode {
  key: string;
  id: string;
  name: string;
  geometry: GridGeometry;
}
export interface StreetNode {
  key: string;
  id: string;
  name: string;
  grids: GridNode[];
}
export interface DistrictNode {
  key: string;
  id: string;
  name: string;
  streets: StreetNode[];
}

let keySeq = 0;
/** A key for a node of the editor (stable while ids and names are edited). */
export function newNodeKey(level: AreaLevel): string {
  keySeq += 1;
  return `${level}-${keySeq}`;
}

/** The areas file as a tree, in the order districts, streets and grids first appear. */
export function treeFromFeatures(file: AreasFile): DistrictNode[] {
  const districts = new Map<string, DistrictNode>();
  const streets = new Map<string, StreetNode>();
  for (const f of file.features) {
    const p = f.properties;
    let district = districts.get(p.districtId);
    if (!district) {
      district = { key: newNodeKey('district'), id: p.districtId, name: p.districtName, streets: [] };
      districts.set(p.districtId, district);
    }
    // A street is keyed by its district too: a street listed under two districts stays visible under both (the API refuses it).
    const streetKey = `${p.districtId}\u0000${p.streetId}`;
    let street = streets.get(streetKey);
    if (!street) {
      street = { key: newNodeKey('street'), id: p.streetId, name: p.streetName, grids: [] };
      streets.set(streetKey, street);
      district.streets.push(street);
    }
    street.grids.push({ key: newNodeKey('grid'), id: p.gridId, name: p.gridName, geometry: f.geometry });
  }
  return [...districts.values()];
}

/** Which nodes each feature of a file came from, to put the API's problems back on the tree. */
export interface FeatureOwner {
  district: string;
  street: string;
  grid: string;
}

/** The tree as the areas file (one feature per grid), and the owners of each feature. */
export function featuresFromTree(tree: readonly DistrictNode[]): { file: AreasFile; owners: FeatureOwner[] } {
  const features: AreasFile['features'] = [];
  const owners: FeatureOwner[] = [];
  for (const d of tree)
    for (const s of d.streets)
      for (const g of s.grids) {
        features.push({
          type: 'Feature',
          geometry: g.geometry,
          properties: { gridId: g.id, gridName: g.name, streetId: s.id, streetName: s.name, districtId: d.id, districtName: d.name },
        });
        owners.push({ district: d.key, street: s.key, grid: g.key });
      }
  return { file: { type: 'FeatureCollection', features }, owners };
}

/** The field of a node's form: its id, its name, or (grids) its boundary. */
export type NodeField = 'id' | 'name' | 'geometry' | '';

/** A problem placed on a node of the tree. */
export interface NodeProblem {
  node: string;
  field: NodeField;
  message: string;
}

const PROPERTY_OWNER: Record<string, { level: keyof FeatureOwner; field: NodeField }> = {
  gridId: { level: 'grid', field: 'id' },
  gridName: { level: 'grid', field: 'name' },
  streetId: { level: 'street', field: 'id' },
  streetName: { level: 'street', field: 'name' },
  districtId: { level: 'district', field: 'id' },
  districtName: { level: 'district', field: 'name' },
};

/**
 * Places the areas file's problems (`features[i].properties.streetName`,
 * `features[i].geometry.coordinates[0]`…) on the nodes feature i came from. Problems not
 * about one feature are `general`.
 */
export function placeAreaProblems(problems: readonly Problem[], owners: readonly FeatureOwner[]): { nodes: NodeProblem[]; general: string[] } {
  const nodes: NodeProblem[] = [];
  const general: string[] = [];
  for (const p of problems) {
    const [head, index, part, property] = p.path;
    const owner = head === 'features' && typeof index === 'number' ? owners[index] : undefined;
    if (!owner) {
      general.push(p.message);
      continue;
    }
    if (part === 'geometry') nodes.push({ node: owner.grid, field: 'geometry', message: p.message });
    else if (part === 'properties' && typeof property === 'string' && PROPERTY_OWNER[property]) {
      const { level, field } = PROPERTY_OWNER[property];
      nodes.push({ node: owner[level], field, message: p.message });
    } else nodes.push({ node: owner.grid, field: '', message: p.message });
  }
  return { nodes, general };
}

/** What the file cannot express: a district without streets or a street without grids would be lost on saving. */
export function emptyNodeProblems(tree: readonly DistrictNode[]): NodeProblem[] {
  const problems: NodeProblem[] = [];
  for (const d of tree) {
    if (!d.streets.length) problems.push({ node: d.key, field: '', message: `区 ${d.name || d.id} 下至少需要一个街道` });
    for (const s of d.streets) if (!s.grids.length) problems.push({ node: s.key, field: '', message: `街道 ${s.name || s.id} 下至少需要一个网格` });
  }
  return problems;
}

/** A rectangle as a grid boundary (closed ring, GCJ-02 [lng, lat]), rounded to 6 decimals. */
export function rectangle(west: number, south: number, east: number, north: number): GridGeometry {
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  const [w, s, e, n] = [r(west), r(south), r(east), r(north)];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

/** The bounding box [west, south, east, north] of a boundary. */
export function boundsOf(geometry: GridGeometry): [number, number, number, number] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons)
    for (const ring of polygon)
      for (const [x, y] of ring) {
        w = Math.min(w, x);
        e = Math.max(e, x);
        s = Math.min(s, y);
        n = Math.max(n, y);
      }
  return [w, s, e, n];
}

/**
 * A boundary for a new grid beside its street's grids: a square as wide as the street's
 * first grid, east of everything the street covers (the API refuses invalid rings, not
 * neighbours; the administrator pastes the surveyed boundary later).
 */
export function boundaryBeside(street: StreetNode | undefined, fallback: { lat: number; lng: number }): GridGeometry {
  if (!street?.grids.length) return rectangle(fallback.lng - 0.002, fallback.lat - 0.002, fallback.lng + 0.002, fallback.lat + 0.002);
  const boxes = street.grids.map((g) => boundsOf(g.geometry));
  const [w0, , e0] = boxes[0]!;
  const size = Math.max(e0 - w0, 0.001);
  const east = Math.max(...boxes.map((b) => b[2]));
  const south = Math.min(...boxes.map((b) => b[1]));
  return rectangle(east, south, east + size, south + size);
}

// ---------------------------------------------------------------- calendar

/** Inserts a date (YYYY-MM-DD) into a sorted list of dates, once. */
export function addDate(dates: readonly string[], date: string): string[] {
  return dates.includes(date) ? [...dates] : [...dates, date].sort();
}

/** The dates of one year. */
export function datesOfYear(dates: readonly string[], year: number): string[] {
  return dates.filter((d) => d.startsWith(`${year}-`));
}

/** The years a calendar lists dates for, with `also` (e.g. this year), ascending. */
export function calendarYears(lists: readonly (readonly string[])[], also: number): number[] {
  const years = new Set<number>([also]);
  for (const list of lists) for (const d of list) years.add(Number(d.slice(0, 4)));
  return [...years].filter((y) => Number.isFinite(y)).sort((a, b) => a - b);
}
