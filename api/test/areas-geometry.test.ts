import type { GridGeometry, Position } from '@ssp/shared';
import { bboxOf, flattenGeometry, geometryIssues, labelPoint, pointInRing, polygonsContain } from '../src/catalogue/geometry';
import { SpatialIndex } from '../src/catalogue/spatial-index';

const polygon = (...rings: Position[][]): GridGeometry => ({ type: 'Polygon', coordinates: rings });
const flat = (geometry: GridGeometry) => flattenGeometry(geometry);
const square = (x: number, y: number, size: number): Position[] => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
  [x, y],
];

describe('point in polygon', () => {
  const ring = flat(polygon(square(0, 0, 10)))[0]![0]!;

  it('tells inside, outside, edge and vertex apart', () => {
    expect(pointInRing(ring, 5, 5)).toBe(1);
    expect(pointInRing(ring, 11, 5)).toBe(-1);
    expect(pointInRing(ring, -0.001, 5)).toBe(-1);
    expect(pointInRing(ring, 10, 5)).toBe(0);
    expect(pointInRing(ring, 5, 0)).toBe(0);
    expect(pointInRing(ring, 10, 10)).toBe(0);
  });

  it('excludes holes but counts their edges, and checks every part of a MultiPolygon', () => {
    const withHole = flat(polygon(square(0, 0, 10), square(4, 4, 2).reverse()));
    expect(polygonsContain(withHole, 1, 1)).toBe(true);
    expect(polygonsContain(withHole, 5, 5)).toBe(false);
    expect(polygonsContain(withHole, 4, 5)).toBe(true);
    const multi = flat({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]] });
    expect(polygonsContain(multi, 5.5, 5.5)).toBe(true);
    expect(polygonsContain(multi, 3, 3)).toBe(false);
  });

  it('gives a point beside a slanted shared edge to exactly one of the two grids', () => {
    // Two quadrilaterals sharing the edge (3, 0)–(4.7, 10), listed in opposite directions.
    const left = flat(
      polygon([
        [0, 0],
        [3, 0],
        [4.7, 10],
        [0, 10],
        [0, 0],
      ]),
    )[0]![0]!;
    const right = flat(
      polygon([
        [3, 0],
        [10, 0],
        [10, 10],
        [4.7, 10],
        [3, 0],
      ]),
    )[0]![0]!;
    for (let k = 1; k < 1000; k++) {
      const y = k / 100;
      const x = 3 + (1.7 * y) / 10; // on the edge up to rounding
      for (const dx of [0, Number.EPSILON * 8, -Number.EPSILON * 8]) {
        const a = pointInRing(left, x + dx, y);
        const b = pointInRing(right, x + dx, y);
        const owners = (a >= 0 ? 1 : 0) + (b >= 0 ? 1 : 0);
        expect([k, dx, owners >= 1, a === 0 ? b === 0 : owners === 1]).toEqual([k, dx, true, true]);
      }
    }
  });
});

describe('ring validity', () => {
  const issuesOf = (geometry: GridGeometry) => geometryIssues(geometry).map((i) => `${i.path.join('.')} ${i.issue}`);

  it('accepts a concave polygon with a hole', () => {
    const u: Position[] = [
      [0, 0],
      [6, 0],
      [6, 6],
      [4, 6],
      [4, 2],
      [2, 2],
      [2, 6],
      [0, 6],
      [0, 0],
    ];
    expect(
      issuesOf(
        polygon(u, [
          [0.5, 0.5],
          [0.5, 1],
          [1, 1],
          [0.5, 0.5],
        ]),
      ),
    ).toEqual([]);
  });

  it('refuses crossing edges, a vertex touching another edge, a spike, no area and holes outside', () => {
    expect(
      issuesOf(
        polygon([
          [0, 0],
          [4, 4],
          [4, 0],
          [0, 2],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates.0 环自相交（边相交或重叠）']);
    expect(
      issuesOf(
        polygon([
          [0, 0],
          [4, 0],
          [2, 2],
          [4, 4],
          [0, 4],
          [2, 2],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates.0 环自相交（边相交或重叠）']);
    expect(
      issuesOf(
        polygon([
          [0, 0],
          [4, 0],
          [4, 4],
          [4, 2],
          [0, 4],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates.0 环自相交（边相交或重叠）']);
    expect(
      issuesOf(
        polygon([
          [0, 0],
          [1, 1],
          [2, 2],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates.0 环的面积为 0']);
    expect(
      issuesOf(
        polygon([
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates.0 环至少需要 3 个不同的顶点']);
    expect(issuesOf({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1), square(7, 7, 1)]] })).toEqual([
      'coordinates.1.1 内环（洞）必须位于外环之内',
    ]);
  });
});

describe('label point', () => {
  it('lies inside a U shape whose centroid is outside, and outside the hole of a ring', () => {
    const u = flat(
      polygon([
        [0, 0],
        [6, 0],
        [6, 6],
        [5, 6],
        [5, 1],
        [1, 1],
        [1, 6],
        [0, 6],
        [0, 0],
      ]),
    );
    const p = labelPoint(u);
    expect(polygonsContain(u, p.lng, p.lat)).toBe(true);
    const donut = flat(polygon(square(0, 0, 10), square(2, 2, 6).reverse()));
    const q = labelPoint(donut);
    expect(polygonsContain(donut, q.lng, q.lat)).toBe(true);
  });
});

describe('spatial index', () => {
  const entry = (geometry: GridGeometry, value: string) => {
    const polygons = flattenGeometry(geometry);
    return { polygons, bbox: bboxOf(polygons), value };
  };

  it('finds small grids beside one spanning many buckets, first entry winning on shared edges', () => {
    const entries = [entry(polygon(square(0, 0, 100)), 'big')];
    for (let i = 0; i < 50; i++) entries.push(entry(polygon(square(100 + i, 0, 1)), `small-${i}`));
    const index = SpatialIndex.build(entries);
    expect(index.size).toBe(51);
    expect(index.locate(50, 50)).toBe('big');
    expect(index.locate(120.5, 0.5)).toBe('small-20');
    expect(index.locate(100, 0.5)).toBe('big'); // shared edge: the earlier entry
    expect(index.locate(121, 0.5)).toBe('small-20');
    expect(index.locate(120.5, 2)).toBeNull();
    expect(index.locate(-1, 50)).toBeNull();
  });

  it('answers null when empty', () => {
    expect(SpatialIndex.build([]).locate(0, 0)).toBeNull();
  });
});
