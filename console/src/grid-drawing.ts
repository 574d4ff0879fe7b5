/**
 * The geometry behind the 区域网格 editor's map (no Leaflet, no React): the vertices an
 * administrator clicks become a closed GeoJSON Polygon ring, vertices are undone one at a time,
 * a dragged vertex moves in the stored boundary, and positions convert between the product's
 * GCJ-02 and the map tiles' datum (shared/src/geo.ts; Tianditu and OpenStreetMap are WGS-84).
 */
import { gcj02ToWgs84, wgs84ToGcj02, type GridGeometry, type LatLng, type MapTileDatum, type Position } from '@ssp/shared';

/** A polygon needs at least three distinct vertices. */
export const MIN_VERTICES = 3;

/** Decimal places kept in a stored boundary (1e-7° is about a centimetre). */
const DECIMALS = 7;
const round = (x: number) => Math.round(x * 10 ** DECIMALS) / 10 ** DECIMALS;

/** A stored (GCJ-02) position on tiles of `datum`. */
export function toMapDatum(p: LatLng, datum: MapTileDatum): LatLng {
  return datum === 'wgs84' ? gcj02ToWgs84(p) : { lat: p.lat, lng: p.lng };
}

/** A position on tiles of `datum` as stored (GCJ-02), rounded to about a centimetre. */
export function fromMapDatum(p: LatLng, datum: MapTileDatum): LatLng {
  const q = datum === 'wgs84' ? wgs84ToGcj02(p) : p;
  return { lat: round(q.lat), lng: round(q.lng) };
}

export function addVertex(vertices: readonly LatLng[], p: LatLng): LatLng[] {
  return [...vertices, { lat: p.lat, lng: p.lng }];
}

/** The vertices without the last one (nothing to undo leaves none). */
export function undoVertex(vertices: readonly LatLng[]): LatLng[] {
  return vertices.slice(0, -1);
}

const same = (a: LatLng, b: LatLng) => a.lat === b.lat && a.lng === b.lng;

/** The vertices without repeats of the one before (a double click adds the same point twice) nor a last one back on the first. */
export function distinctVertices(vertices: readonly LatLng[]): LatLng[] {
  const out: LatLng[] = [];
  for (const v of vertices) if (!out.length || !same(out[out.length - 1]!, v)) out.push(v);
  while (out.length > 1 && same(out[0]!, out[out.length - 1]!)) out.pop();
  return out;
}

/** A closed GeoJSON ring ([lng, lat], the last position equal to the first) through the vertices. */
export function closeRing(vertices: readonly LatLng[]): Position[] {
  const ring = distinctVertices(vertices).map((v): Position => [v.lng, v.lat]);
  if (ring.length) ring.push([ring[0]![0], ring[0]![1]]);
  return ring;
}

export type DrawnPolygon = { ok: true; geometry: GridGeometry } | { ok: false; error: string };

/**
 * The Polygon the administrator drew: `vertices` are positions on tiles of `datum`; the
 * boundary is stored in GCJ-02. Fewer than three distinct vertices make no polygon.
 */
export function polygonFromVertices(vertices: readonly LatLng[], datum: MapTileDatum): DrawnPolygon {
  const stored = distinctVertices(vertices.map((v) => fromMapDatum(v, datum)));
  if (stored.length < MIN_VERTICES) return { ok: false, error: `边界至少需要 ${MIN_VERTICES} 个不同的顶点` };
  return { ok: true, geometry: { type: 'Polygon', coordinates: [closeRing(stored)] } };
}

/** The polygons of a boundary (a Polygon is one). */
function polygonsOf(geometry: GridGeometry): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** The boundary's rings on tiles of `datum`: polygons → rings → positions (closing position included). */
export function ringsOnMap(geometry: GridGeometry, datum: MapTileDatum): LatLng[][][] {
  return polygonsOf(geometry).map((polygon) => polygon.map((ring) => ring.map(([lng, lat]) => toMapDatum({ lat, lng }, datum))));
}

/** Where a vertex is in a boundary: polygon (0 for a Polygon), ring (0 the outer one), position. */
export interface VertexAt {
  polygon: number;
  ring: number;
  index: number;
}

/** The boundary's vertices that can be dragged: every ring's positions but the closing one. */
export function vertices(geometry: GridGeometry): { at: VertexAt; position: LatLng }[] {
  const out: { at: VertexAt; position: LatLng }[] = [];
  polygonsOf(geometry).forEach((polygon, p) =>
    polygon.forEach((ring, r) =>
      ring.slice(0, -1).forEach(([lng, lat], i) => out.push({ at: { polygon: p, ring: r, index: i }, position: { lat, lng } })),
    ),
  );
  return out;
}

/**
 * The boundary with one vertex moved to `to` (GCJ-02); moving a ring's first vertex moves its
 * closing position too, so the ring stays closed. The input is not changed.
 */
export function moveVertex(geometry: GridGeometry, at: VertexAt, to: LatLng): GridGeometry {
  const position: Position = [round(to.lng), round(to.lat)];
  const polygons = polygonsOf(geometry).map((polygon, p) =>
    polygon.map((ring, r) => {
      if (p !== at.polygon || r !== at.ring) return ring;
      const last = ring.length - 1;
      return ring.map((pos, i) => (i === at.index || (at.index === 0 && i === last) ? position : pos));
    }),
  );
  return geometry.type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}
