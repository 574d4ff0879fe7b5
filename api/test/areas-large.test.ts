import { areaTreeSchema, locateResultSchema, type AreasFile, type GridFeature, type Position } from '@ssp/shared';
import { signAccessToken } from '../src/auth/tokens';
import { startTestApi, type TestApi } from './helpers/harness';
import { seededRandom } from '../src/core/seeded-random';

/*
 * 5,000 grids loaded through the admin endpoint: a 100 × 50 lattice of jittered
 * quadrilaterals (shared corners), every 7th with a square hole in the middle.
 * The streets are the demo city's, so its departments stay valid.
 */
const COLS = 100;
const ROWS = 50;
const ORIGIN = { lng: 115.6, lat: 28.6 };
const STEP = 0.002;
const STREETS = [
  ['QH0101', '青禾街道', 'QH01', '老城区'],
  ['QH0102', '文昌街道', 'QH01', '老城区'],
  ['QH0103', '河西街道', 'QH01', '老城区'],
  ['QH0201', '东湖街道', 'QH02', '新城区'],
  ['QH0202', '城南街道', 'QH02', '新城区'],
  ['QH0203', '湖滨街道', 'QH02', '新城区'],
  ['QH0301', '桃源镇', 'QH03', '工业园区'],
  ['QH0302', '金桥街道', 'QH03', '工业园区'],
] as const;

const jitter = (i: number, j: number, axis: number) => (seededRandom(i * 7919 + j * 104729 + axis)() - 0.5) * 0.4;
const corner = (i: number, j: number): Position => [ORIGIN.lng + (i + jitter(i, j, 1)) * STEP, ORIGIN.lat + (j + jitter(i, j, 2)) * STEP];
const at = (x: number, y: number): Position => [ORIGIN.lng + x * STEP, ORIGIN.lat + y * STEP];
const gridId = (col: number, row: number) => `G${String(row * COLS + col).padStart(5, '0')}`;
const hasHole = (col: number, row: number) => (row * COLS + col) % 7 === 0;

function lattice(): AreasFile {
  const features: GridFeature[] = [];
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      const [streetId, streetName, districtId, districtName] = STREETS[Math.floor((col * STREETS.length) / COLS)]!;
      const outer = [corner(col, row), corner(col + 1, row), corner(col + 1, row + 1), corner(col, row + 1), corner(col, row)];
      const [cx, cy] = [col + 0.5, row + 0.5];
      const hole = [at(cx - 0.1, cy - 0.1), at(cx - 0.1, cy + 0.1), at(cx + 0.1, cy + 0.1), at(cx + 0.1, cy - 0.1), at(cx - 0.1, cy - 0.1)];
      features.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: hasHole(col, row) ? [outer, hole] : [outer] },
        properties: { gridId: gridId(col, row), gridName: `网格${row * COLS + col}`, streetId, streetName, districtId, districtName },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ env: { JSON_BODY_LIMIT_BYTES: String(16 * 1024 * 1024) } });
  await api.services.catalogue.seedCityDataIfEmpty();
  const token = signAccessToken(api.config.jwtSecret, { kind: 'staff', userId: 'admin-1', role: 'admin' });
  const res = await fetch(`${api.url}/admin/areas`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(lattice()),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ version: expect.any(Number), count: COLS * ROWS });
}, 60_000);
afterAll(async () => {
  await api.close();
});

describe('locate among 5,000 grids', () => {
  it('finds the right grid for sampled points, and nothing in holes or outside', async () => {
    const next = seededRandom(42);
    let inHoles = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const col = Math.floor(next() * COLS);
      const row = Math.floor(next() * ROWS);
      const dx = (next() - 0.5) * 0.3;
      const dy = (next() - 0.5) * 0.3;
      const [lng, lat] = at(col + 0.5 + dx, row + 0.5 + dy);
      const holeHit = hasHole(col, row) && Math.abs(dx) < 0.1 && Math.abs(dy) < 0.1;
      if (holeHit) inHoles++;
      const expected = holeHit ? null : gridId(col, row);
      const found = (await api.services.catalogue.locate(lat, lng))?.grid.id ?? null;
      if (found !== expected) wrong.push(`(${lat}, ${lng}): expected ${expected}, got ${found}`);
    }
    expect(wrong).toEqual([]);
    expect(inHoles).toBeGreaterThan(20);
    for (const [x, y] of [
      [-1, 10],
      [COLS + 1, 10],
      [10, -1],
      [10, ROWS + 1],
    ] as const) {
      const [lng, lat] = at(x, y);
      expect(await api.services.catalogue.locate(lat, lng)).toBeNull();
    }
  });

  it('answers over HTTP with street and district', async () => {
    const [lng, lat] = at(99.5, 49.5);
    const res = await fetch(`${api.url}/areas/locate?lat=${lat}&lng=${lng}`);
    expect(res.status).toBe(200);
    expect(locateResultSchema.parse(await res.json())).toEqual({
      grid: { id: gridId(99, 49), name: `网格${49 * COLS + 99}` },
      street: { id: 'QH0302', name: '金桥街道' },
      district: { id: 'QH03', name: '工业园区' },
    });
    const [hx, hy] = at(0.5, 0.5);
    expect((await fetch(`${api.url}/areas/locate?lat=${hy}&lng=${hx}`)).status).toBe(422);
  });

  it('lists all 5,000 grids in the tree, each with a point inside it', async () => {
    const { districts } = areaTreeSchema.parse(await (await fetch(`${api.url}/areas`)).json());
    const grids = districts.flatMap((d) => d.streets.flatMap((s) => s.grids));
    expect(grids).toHaveLength(COLS * ROWS);
    const wrong: string[] = [];
    for (const grid of grids) {
      const found = await api.services.catalogue.locate(grid.centroid.lat, grid.centroid.lng);
      if (found?.grid.id !== grid.id) wrong.push(`${grid.id} → ${found?.grid.id}`);
    }
    expect(wrong).toEqual([]);
  });
});
