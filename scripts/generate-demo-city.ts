/**
 * Generates data/cities/demo/areas.geojson: the grids of 青禾县, a made-up county
 * placed near lat 28.70, lng 115.80 (GCJ-02). The output is committed as data; run
 * this again only to change the demo layout:
 *
 *   npx tsx scripts/generate-demo-city.ts
 *
 * Layout: a 9 × 6 lattice of cells (about 0.9 km each) without its four corner cells,
 * so 50 grids in 3 districts and 8 streets. Lattice vertices and edge midpoints are
 * jittered by a fixed hash, so the grids are irregular octagons that still share
 * their edges exactly. Grid QH020105 has a lake (a hole); the lake's island belongs
 * to grid QH020102, which is therefore a MultiPolygon. Output is deterministic.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { areasFileSchema, type GridFeature, type Position } from '../shared/src/catalogue';

const COLS = 9;
const ROWS = 6;
/** North-west corner of the lattice. */
const ORIGIN = { lng: 115.7595, lat: 28.724 };
const DX = 0.009;
const DY = 0.008;
const MISSING_CELLS = new Set(['0,0', '8,0', '0,5', '8,5']);
const LAKE_CELL = { col: 4, row: 1 };
const ISLAND_OWNER = { col: 4, row: 0 };

interface Street {
  id: string;
  name: string;
  districtId: string;
  districtName: string;
}
const DISTRICTS = { QH01: '老城区', QH02: '新城区', QH03: '工业园区' } as const;
const street = (id: string, name: string, districtId: keyof typeof DISTRICTS): Street => ({
  id,
  name,
  districtId,
  districtName: DISTRICTS[districtId],
});
const STREETS = {
  QH0101: street('QH0101', '青禾街道', 'QH01'),
  QH0102: street('QH0102', '文昌街道', 'QH01'),
  QH0103: street('QH0103', '河西街道', 'QH01'),
  QH0201: street('QH0201', '东湖街道', 'QH02'),
  QH0202: street('QH0202', '城南街道', 'QH02'),
  QH0203: street('QH0203', '湖滨街道', 'QH02'),
  QH0301: street('QH0301', '桃源镇', 'QH03'),
  QH0302: street('QH0302', '金桥街道', 'QH03'),
};

function streetOf(col: number, row: number): Street {
  if (col <= 2) return row <= 1 ? STREETS.QH0101 : row <= 3 ? STREETS.QH0102 : STREETS.QH0103;
  if (col <= 5) return row <= 1 ? STREETS.QH0201 : row <= 3 ? STREETS.QH0202 : STREETS.QH0203;
  return row <= 2 ? STREETS.QH0301 : STREETS.QH0302;
}

/** A fixed pseudo-random value in [-1, 1) for integer inputs. */
function noise(a: number, b: number, salt: number): number {
  let h = Math.imul(a + 1, 374761393) ^ Math.imul(b + 1, 668265263) ^ Math.imul(salt, 1274126177);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return ((h >>> 0) / 2 ** 32) * 2 - 1;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const at = (x: number, y: number): Position => [round6(ORIGIN.lng + x * DX), round6(ORIGIN.lat - y * DY)];

/** Lattice vertex (i, j): column line i, row line j (j grows southwards). */
const vertex = (i: number, j: number) => ({ x: i + 0.22 * noise(i, j, 1), y: j + 0.22 * noise(i, j, 2) });

/** Midpoint of the horizontal edge (i, j)–(i+1, j), pushed north or south. */
function horizontalMid(i: number, j: number): { x: number; y: number } {
  const [a, b] = [vertex(i, j), vertex(i + 1, j)];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 + 0.12 * noise(i, j, 3) };
}

/** Midpoint of the vertical edge (i, j)–(i, j+1), pushed east or west. */
function verticalMid(i: number, j: number): { x: number; y: number } {
  const [a, b] = [vertex(i, j), vertex(i, j + 1)];
  return { x: (a.x + b.x) / 2 + 0.12 * noise(i, j, 4), y: (a.y + b.y) / 2 };
}

/** A closed ring, counter-clockwise in lng/lat for an exterior and clockwise for a hole (RFC 7946). */
function ring(points: { x: number; y: number }[], exterior: boolean): Position[] {
  const positions = points.map((p) => at(p.x, p.y));
  let area = 0;
  positions.forEach(([x1, y1], k) => {
    const [x2, y2] = positions[(k + 1) % positions.length]!;
    area += x1 * y2 - x2 * y1;
  });
  if (area > 0 !== exterior) positions.reverse();
  return [...positions, positions[0]!];
}

/** The cell's corners and edge midpoints: NW, W, SW, S, SE, E, NE, N. */
function cellRing(col: number, row: number): Position[] {
  return ring(
    [
      vertex(col, row),
      verticalMid(col, row),
      vertex(col, row + 1),
      horizontalMid(col, row + 1),
      vertex(col + 1, row + 1),
      verticalMid(col + 1, row),
      vertex(col + 1, row),
      horizontalMid(col, row),
    ],
    true,
  );
}

/** An irregular polygon around the centre of a cell. */
function blob(col: number, row: number, offset: { x: number; y: number }, radius: number, corners: number, exterior: boolean): Position[] {
  const points = Array.from({ length: corners }, (_, k) => {
    const angle = (k * 2 * Math.PI) / corners + Math.PI;
    const r = radius * (1 + 0.1 * noise(col * 10 + k, row, 7));
    return { x: col + 0.5 + offset.x + r * Math.cos(angle), y: row + 0.5 + offset.y + r * Math.sin(angle) };
  });
  return ring(points, exterior);
}

function generate(): { type: 'FeatureCollection'; features: GridFeature[] } {
  const counters = new Map<string, number>();
  const features: GridFeature[] = [];
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      if (MISSING_CELLS.has(`${col},${row}`)) continue;
      const s = streetOf(col, row);
      const n = (counters.get(s.id) ?? 0) + 1;
      counters.set(s.id, n);
      const outer = cellRing(col, row);
      let geometry: GridFeature['geometry'] = { type: 'Polygon', coordinates: [outer] };
      if (col === LAKE_CELL.col && row === LAKE_CELL.row) {
        geometry = { type: 'Polygon', coordinates: [outer, blob(col, row, { x: 0, y: 0 }, 0.26, 7, false)] };
      } else if (col === ISLAND_OWNER.col && row === ISLAND_OWNER.row) {
        const island = blob(LAKE_CELL.col, LAKE_CELL.row, { x: 0.05, y: 0 }, 0.06, 5, true);
        geometry = { type: 'MultiPolygon', coordinates: [[outer], [island]] };
      }
      features.push({
        type: 'Feature',
        geometry,
        properties: {
          gridId: `${s.id}${String(n).padStart(2, '0')}`,
          gridName: `${s.name}第${n}网格`,
          streetId: s.id,
          streetName: s.name,
          districtId: s.districtId,
          districtName: s.districtName,
        },
      });
    }
  }
  return areasFileSchema.parse({ type: 'FeatureCollection', features }) as { type: 'FeatureCollection'; features: GridFeature[] };
}

/** One feature per line keeps the committed file readable and its diffs small. */
function format(collection: ReturnType<typeof generate>): string {
  const lines = collection.features.map((f) => `    ${JSON.stringify(f)}`);
  return `{\n  "type": "FeatureCollection",\n  "features": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

const out = path.resolve(__dirname, '..', 'data', 'cities', 'demo', 'areas.geojson');
const collection = generate();
writeFileSync(out, format(collection));
process.stdout.write(`Wrote ${collection.features.length} grids to ${path.relative(process.cwd(), out)}\n`);
