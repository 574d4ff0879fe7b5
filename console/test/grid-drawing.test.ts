/**
 * The geometry of the 区域网格 editor's map: drawn vertices become a closed GCJ-02 Polygon the
 * shared schema accepts, undo, vertex dragging, and the datum conversion for WGS-84 tiles.
 * (The map itself is tested in Chromium: e2e/console-city-data.test.ts.)
 */
import { gcj02ToWgs84, gridGeometrySchema, safeParseCityData, type GridGeometry } from '@ssp/shared';
import {
  addVertex,
  closeRing,
  distinctVertices,
  fromMapDatum,
  moveVertex,
  polygonFromVertices,
  ringsOnMap,
  toMapDatum,
  undoVertex,
  vertices,
} from '../src/grid-drawing';

const A = { lat: 28.7, lng: 115.8 };
const B = { lat: 28.7, lng: 115.81 };
const C = { lat: 28.71, lng: 115.81 };
const D = { lat: 28.71, lng: 115.8 };

describe('drawing a boundary', () => {
  it('closes the ring: [lng, lat] positions, the last equal to the first', () => {
    expect(closeRing([A, B, C])).toEqual([
      [115.8, 28.7],
      [115.81, 28.7],
      [115.81, 28.71],
      [115.8, 28.7],
    ]);
    // A last click back on the first vertex does not add it twice; nor does a double click.
    expect(closeRing([A, B, B, C, D, A])).toEqual(closeRing([A, B, C, D]));
    expect(closeRing([])).toEqual([]);
  });

  it('makes a Polygon the shared schema accepts', () => {
    const drawn = polygonFromVertices([A, B, C, D], 'gcj02');
    expect(drawn.ok).toBe(true);
    if (!drawn.ok) return;
    expect(drawn.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [115.8, 28.7],
          [115.81, 28.7],
          [115.81, 28.71],
          [115.8, 28.71],
          [115.8, 28.7],
        ],
      ],
    });
    expect(safeParseCityData(gridGeometrySchema, JSON.parse(JSON.stringify(drawn.geometry))).success).toBe(true);
  });

  it('undoes the last vertex, one at a time, down to none', () => {
    let vs = addVertex(addVertex(addVertex([], A), B), C);
    expect(vs).toEqual([A, B, C]);
    vs = undoVertex(vs);
    expect(vs).toEqual([A, B]);
    const before = vs;
    vs = undoVertex(undoVertex(vs));
    expect(vs).toEqual([]);
    expect(undoVertex(vs)).toEqual([]);
    // The input is not changed.
    expect(before).toEqual([A, B]);
  });

  it('refuses fewer than three distinct vertices', () => {
    for (const vs of [[], [A], [A, B], [A, B, B], [A, B, A]]) {
      const drawn = polygonFromVertices(vs, 'gcj02');
      expect(drawn).toEqual({ ok: false, error: '边界至少需要 3 个不同的顶点' });
    }
    expect(distinctVertices([A, B, A])).toEqual([A, B]);
    expect(polygonFromVertices([A, B, C], 'gcj02').ok).toBe(true);
  });

  it('stores vertices clicked on WGS-84 tiles in GCJ-02', () => {
    const onMap = [A, B, C, D].map((p) => toMapDatum(p, 'wgs84'));
    // The datums differ by hundreds of metres in China.
    expect(Math.abs(onMap[0]!.lng - A.lng)).toBeGreaterThan(1e-3);
    const drawn = polygonFromVertices(onMap, 'wgs84');
    if (!drawn.ok) throw new Error(drawn.error);
    const ring = (drawn.geometry as Extract<GridGeometry, { type: 'Polygon' }>).coordinates[0]!;
    [A, B, C, D, A].forEach((p, i) => {
      expect(Math.abs(ring[i]![0] - p.lng)).toBeLessThan(1e-6);
      expect(Math.abs(ring[i]![1] - p.lat)).toBeLessThan(1e-6);
    });
    // Closed exactly, even after conversion and rounding.
    expect(ring[4]).toEqual(ring[0]);
  });
});

describe('datums', () => {
  it('round-trips GCJ-02 → WGS-84 tiles → GCJ-02 within 1e-6°', () => {
    for (const p of [A, C, { lat: 39.9087, lng: 116.3975 }, { lat: 22.5431, lng: 114.0579 }, { lat: 45.75, lng: 126.65 }]) {
      const back = fromMapDatum(toMapDatum(p, 'wgs84'), 'wgs84');
      expect(Math.abs(back.lat - p.lat)).toBeLessThan(1e-6);
      expect(Math.abs(back.lng - p.lng)).toBeLessThan(1e-6);
      expect(toMapDatum(p, 'wgs84')).toEqual(gcj02ToWgs84(p));
    }
  });

  it('leaves positions on GCJ-02 tiles as they are (rounded to 1e-7°)', () => {
    expect(toMapDatum(A, 'gcj02')).toEqual(A);
    expect(fromMapDatum({ lat: 28.123456789, lng: 115.987654321 }, 'gcj02')).toEqual({ lat: 28.1234568, lng: 115.9876543 });
  });

  it('puts a boundary on the map: polygons → rings → positions', () => {
    const square = polygonFromVertices([A, B, C, D], 'gcj02');
    if (!square.ok) throw new Error(square.error);
    expect(ringsOnMap(square.geometry, 'gcj02')).toEqual([[[A, B, C, D, A]]]);
    const converted = ringsOnMap(square.geometry, 'wgs84')[0]![0]!;
    expect(converted[1]).toEqual(gcj02ToWgs84(B));
  });
});

describe('dragging a vertex', () => {
  const square = polygonFromVertices([A, B, C, D], 'gcj02') as { ok: true; geometry: GridGeometry };

  it('lists the vertices without the closing position', () => {
    expect(vertices(square.geometry).map((v) => v.position)).toEqual([A, B, C, D]);
    expect(vertices(square.geometry)[2]!.at).toEqual({ polygon: 0, ring: 0, index: 2 });
  });

  it('moves one vertex; the first one moves the closing position too', () => {
    const moved = moveVertex(square.geometry, { polygon: 0, ring: 0, index: 2 }, { lat: 28.72, lng: 115.82 });
    expect(moved.coordinates).toEqual([
      [
        [115.8, 28.7],
        [115.81, 28.7],
        [115.82, 28.72],
        [115.8, 28.71],
        [115.8, 28.7],
      ],
    ]);
    const first = moveVertex(square.geometry, { polygon: 0, ring: 0, index: 0 }, { lat: 28.69, lng: 115.79 });
    const ring = (first as Extract<GridGeometry, { type: 'Polygon' }>).coordinates[0]!;
    expect(ring[0]).toEqual([115.79, 28.69]);
    expect(ring[4]).toEqual([115.79, 28.69]);
    // The original is unchanged.
    expect((square.geometry as Extract<GridGeometry, { type: 'Polygon' }>).coordinates[0]![0]).toEqual([115.8, 28.7]);
  });

  it('moves a vertex of a MultiPolygon’s second polygon', () => {
    const ring = (square.geometry as Extract<GridGeometry, { type: 'Polygon' }>).coordinates;
    const multi: GridGeometry = { type: 'MultiPolygon', coordinates: [ring, ring] };
    const moved = moveVertex(multi, { polygon: 1, ring: 0, index: 1 }, { lat: 28.695, lng: 115.815 });
    expect(moved.type).toBe('MultiPolygon');
    expect(moved.coordinates[0]).toEqual(ring);
    expect((moved.coordinates[1] as number[][][])[0]![1]).toEqual([115.815, 28.695]);
    expect(vertices(multi)).toHaveLength(8);
  });
});
