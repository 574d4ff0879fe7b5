import type { GridGeometry, Position } from '@ssp/shared';

/*
 * Planar geometry on [lng, lat] (GCJ-02) for city grids: ring validity, point in
 * polygon and a label point. Grids are small, so treating degrees as planar is fine.
 */

/** A ring as [x0, y0, x1, y1, …] without the closing vertex. */
export type FlatRing = Float64Array;
/** Outer ring first, then holes. */
export type FlatPolygon = FlatRing[];
/** [minLng, minLat, maxLng, maxLat] */
export type BBox = [number, number, number, number];

export interface GeometryIssue {
  path: (string | number)[];
  issue: string;
}

/** Drops the closing vertex and consecutive duplicates. */
function flattenRing(ring: Position[]): FlatRing {
  const out = new Float64Array((ring.length - 1) * 2);
  let n = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const position = ring[i]!;
    const x = position[0];
    const y = position[1];
    if (n >= 2 && out[n - 2] === x && out[n - 1] === y) continue;
    out[n++] = x;
    out[n++] = y;
  }
  if (n >= 4 && out[0] === out[n - 2] && out[1] === out[n - 1]) n -= 2;
  return n === out.length ? out : out.slice(0, n);
}

function polygonsOf(geometry: GridGeometry): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

export function flattenGeometry(geometry: GridGeometry): FlatPolygon[] {
  return polygonsOf(geometry).map((rings) => rings.map(flattenRing));
}

export function bboxOf(polygons: FlatPolygon[]): BBox {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    const outer = polygon[0]!;
    for (let i = 0; i < outer.length; i += 2) {
      const x = outer[i]!;
      const y = outer[i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Twice the signed area (positive when counter-clockwise). */
function doubleArea(ring: FlatRing): number {
  let sum = 0;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) sum += ring[j]! * ring[i + 1]! - ring[i]! * ring[j + 1]!;
  return sum;
}

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

const onSegment = (ax: number, ay: number, bx: number, by: number, px: number, py: number) =>
  Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);

/** Do segments a–b and c–d share any point (touching counts)? */
function segmentsMeet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const d1 = orient(cx, cy, dx, dy, ax, ay);
  const d2 = orient(cx, cy, dx, dy, bx, by);
  const d3 = orient(ax, ay, bx, by, cx, cy);
  const d4 = orient(ax, ay, bx, by, dx, dy);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (d2 === 0 && onSegment(cx, cy, dx, dy, bx, by)) ||
    (d3 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (d4 === 0 && onSegment(ax, ay, bx, by, dx, dy))
  );
}

/**
 * Finds a self-intersection of a ring: two non-adjacent edges meeting, or two
 * adjacent edges folding back over each other. Edges are swept by x so typical
 * rings cost far less than comparing every pair.
 */
function selfIntersects(ring: FlatRing): boolean {
  const n = ring.length / 2;
  const x = (k: number) => ring[(k % n) * 2]!;
  const y = (k: number) => ring[(k % n) * 2 + 1]!;
  // Adjacent edges k and k+1 only share their common vertex unless they fold back.
  for (let k = 0; k < n; k++) {
    const bx = x(k + 1);
    const by = y(k + 1);
    if (orient(x(k), y(k), bx, by, x(k + 2), y(k + 2)) === 0 && (x(k) - bx) * (x(k + 2) - bx) + (y(k) - by) * (y(k + 2) - by) > 0) return true;
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => Math.min(x(p), x(p + 1)) - Math.min(x(q), x(q + 1)));
  for (let s = 0; s < n; s++) {
    const e = order[s]!;
    const maxX = Math.max(x(e), x(e + 1));
    for (let t = s + 1; t < n; t++) {
      const f = order[t]!;
      if (Math.min(x(f), x(f + 1)) > maxX) break;
      const gap = Math.abs(e - f);
      if (gap === 1 || gap === n - 1) continue;
      if (segmentsMeet(x(e), y(e), x(e + 1), y(e + 1), x(f), y(f), x(f + 1), y(f + 1))) return true;
    }
  }
  return false;
}

/**
 * Validity beyond the schema (which already checks closure and ring length):
 * ≥ 3 distinct vertices, non-zero area, no self-intersection, holes inside their outer ring.
 * Paths are relative to the geometry, e.g. ['coordinates', 1, 0].
 */
export function geometryIssues(geometry: GridGeometry): GeometryIssue[] {
  const issues: GeometryIssue[] = [];
  const multi = geometry.type === 'MultiPolygon';
  flattenGeometry(geometry).forEach((polygon, p) => {
    const ringPath = (r: number) => (multi ? ['coordinates', p, r] : ['coordinates', r]);
    let ringsValid = true;
    polygon.forEach((ring, r) => {
      const problem =
        ring.length < 6
          ? '环至少需要 3 个不同的顶点'
          : doubleArea(ring) === 0
            ? '环的面积为 0'
            : selfIntersects(ring)
              ? '环自相交（边相交或重叠）'
              : null;
      if (problem) {
        issues.push({ path: ringPath(r), issue: problem });
        ringsValid = false;
      }
    });
    if (!ringsValid) return;
    const outer = polygon[0]!;
    for (let r = 1; r < polygon.length; r++) {
      const hole = polygon[r]!;
      for (let i = 0; i < hole.length; i += 2) {
        if (pointInRing(outer, hole[i]!, hole[i + 1]!) < 0) {
          issues.push({ path: ringPath(r), issue: '内环（洞）必须位于外环之内' });
          break;
        }
      }
    }
  });
  return issues;
}

/**
 * Where a point lies relative to a ring: 1 inside, 0 exactly on an edge, -1 outside.
 * Each edge is evaluated from its lower endpoint, so an edge shared by two grids
 * gives both the same answer and a point beside it is counted by exactly one of them.
 */
export function pointInRing(ring: FlatRing, px: number, py: number): -1 | 0 | 1 {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const x1 = ring[j]!;
    const y1 = ring[j + 1]!;
    const x2 = ring[i]!;
    const y2 = ring[i + 1]!;
    const swap = y1 > y2 || (y1 === y2 && x1 > x2);
    const ax = swap ? x2 : x1;
    const ay = swap ? y2 : y1;
    const bx = swap ? x1 : x2;
    const by = swap ? y1 : y2;
    if (py < ay || py > by) continue;
    if (orient(ax, ay, bx, by, px, py) === 0 && onSegment(ax, ay, bx, by, px, py)) return 0;
    if (py < by && py >= ay && ay !== by) {
      const xCross = ax + ((py - ay) * (bx - ax)) / (by - ay);
      if (px < xCross) inside = !inside;
    }
  }
  return inside ? 1 : -1;
}

/** Inside one of the polygons, or on its boundary (holes excluded, their edges included). */
export function polygonsContain(polygons: FlatPolygon[], px: number, py: number): boolean {
  for (const polygon of polygons) {
    const outer = pointInRing(polygon[0]!, px, py);
    if (outer < 0) continue;
    if (outer === 0) return true;
    let inHole = false;
    for (let r = 1; r < polygon.length && !inHole; r++) inHole = pointInRing(polygon[r]!, px, py) > 0;
    if (!inHole) return true;
  }
  return false;
}

/** Midpoints of the stretches of a horizontal line that lie inside the polygon. */
function scanlineMidpoints(polygon: FlatPolygon, py: number): [number, number][] {
  const xs: number[] = [];
  for (const ring of polygon) {
    const n = ring.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const ay = ring[j + 1]!;
      const by = ring[i + 1]!;
      if (ay > py !== by > py) xs.push(ring[j]! + ((py - ay) * (ring[i]! - ring[j]!)) / (by - ay));
    }
  }
  xs.sort((a, b) => a - b);
  const midpoints: [number, number][] = [];
  for (let k = 0; k + 1 < xs.length; k += 2) if (xs[k + 1]! > xs[k]!) midpoints.push([(xs[k]! + xs[k + 1]!) / 2, py]);
  return midpoints;
}

/** Distance from a point to the nearest edge of any of the polygon's rings. */
function distanceToBoundary(polygon: FlatPolygon, px: number, py: number): number {
  let best = Infinity;
  for (const ring of polygon) {
    const n = ring.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const ax = ring[j]!;
      const ay = ring[j + 1]!;
      const dx = ring[i]! - ax;
      const dy = ring[i + 1]! - ay;
      const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
      const ex = px - (ax + t * dx);
      const ey = py - (ay + t * dy);
      best = Math.min(best, ex * ex + ey * ey);
    }
  }
  return Math.sqrt(best);
}

const LABEL_SCANLINES = 8;

/**
 * A point to label or pick a grid by, well inside it: of the area centroid of its
 * largest polygon (when inside) and the midpoints of the inside stretches of a few
 * horizontal lines across it, the one farthest from any edge.
 */
export function labelPoint(polygons: FlatPolygon[]): { lng: number; lat: number } {
  let largest = polygons[0]!;
  let largestArea = -1;
  for (const polygon of polygons) {
    const area = polygon.reduce((sum, ring, r) => sum + (r === 0 ? 1 : -1) * Math.abs(doubleArea(ring)), 0);
    if (area > largestArea) [largest, largestArea] = [polygon, area];
  }
  const outer = largest[0]!;
  const a = doubleArea(outer);
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = outer.length - 2; i < outer.length; j = i, i += 2) {
    const cross = outer[j]! * outer[i + 1]! - outer[i]! * outer[j + 1]!;
    cx += (outer[j]! + outer[i]!) * cross;
    cy += (outer[j + 1]! + outer[i + 1]!) * cross;
  }
  [cx, cy] = [cx / (3 * a), cy / (3 * a)];
  const [, minY, , maxY] = bboxOf([largest]);
  const candidates: [number, number][] = polygonsContain([largest], cx, cy) ? [[cx, cy]] : [];
  for (let k = 1; k < LABEL_SCANLINES; k++) candidates.push(...scanlineMidpoints(largest, minY + ((maxY - minY) * k) / LABEL_SCANLINES));
  candidates.push(...scanlineMidpoints(largest, cy));
  let best: [number, number] = [cx, cy];
  let bestDistance = -1;
  for (const [x, y] of candidates) {
    const distance = distanceToBoundary(largest, x, y);
    if (distance > bestDistance) [best, bestDistance] = [[x, y], distance];
  }
  return { lng: best[0], lat: best[1] };
}
