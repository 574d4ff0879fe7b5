import { readFileSync } from 'node:fs';
import path from 'node:path';
import { areaTreeSchema, areasFileSchema, errorEnvelopeSchema, locateResultSchema, type AreasFile, type Position } from '@ssp/shared';
import { signAccessToken } from '../src/auth/tokens';
import { startTestApi, type TestApi } from './helpers/harness';

const DEMO_AREAS = path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo', 'areas.geojson');
const demoAreas = (): AreasFile => areasFileSchema.parse(JSON.parse(readFileSync(DEMO_AREAS, 'utf8')));

let api: TestApi;
let adminToken: string;

beforeAll(async () => {
  api = await startTestApi();
  await api.services.catalogue.seedCityDataIfEmpty();
  adminToken = signAccessToken(api.config.jwtSecret, { kind: 'staff', userId: 'admin-1', role: 'admin' });
});
afterAll(async () => {
  await api.close();
});

async function errorOf(res: Response) {
  return errorEnvelopeSchema.parse(await res.json()).error;
}

function locate(lat: number | string, lng: number | string): Promise<Response> {
  return fetch(`${api.url}/areas/locate?lat=${lat}&lng=${lng}`);
}

async function gridAt(point: { lat: number; lng: number }): Promise<string | null> {
  const res = await locate(point.lat, point.lng);
  if (res.status === 422) {
    expect((await errorOf(res)).code).toBe('OUTSIDE_SERVICE_AREA');
    return null;
  }
  expect(res.status).toBe(200);
  return locateResultSchema.parse(await res.json()).grid.id;
}

const average = (ring: Position[]) => {
  const points = ring.slice(0, -1);
  return {
    lng: points.reduce((s, p) => s + p[0], 0) / points.length,
    lat: points.reduce((s, p) => s + p[1], 0) / points.length,
  };
};

function putAreas(body: unknown): Promise<Response> {
  return fetch(`${api.url}/admin/areas`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
}

describe('GET /areas', () => {
  it('returns the district → street → grid tree with a representative point per grid', async () => {
    const res = await fetch(`${api.url}/areas`);
    expect(res.status).toBe(200);
    const { districts } = areaTreeSchema.parse(await res.json());
    expect(districts.map((d) => `${d.id} ${d.name}`)).toEqual(['QH01 老城区', 'QH02 新城区', 'QH03 工业园区']);
    expect(districts.flatMap((d) => d.streets)).toHaveLength(8);
    const grids = districts.flatMap((d) => d.streets.flatMap((s) => s.grids));
    expect(grids).toHaveLength(50);
    // Every grid's point locates back to that grid (also the lake grid and the one with an island).
    for (const grid of grids) expect(await gridAt(grid.centroid)).toBe(grid.id);
  });

  it('serves the grids as GeoJSON to admins', async () => {
    const res = await fetch(`${api.url}/admin/areas`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    expect(areasFileSchema.parse(await res.json())).toEqual(demoAreas());
  });
});

describe('GET /areas/locate', () => {
  it('answers the grid, street and district containing the point', async () => {
    const res = await locate(28.72, 115.774);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      grid: { id: 'QH010101', name: '青禾街道第1网格' },
      street: { id: 'QH0101', name: '青禾街道' },
      district: { id: 'QH01', name: '老城区' },
    });
  });

  it('answers 422 in the lake (a hole) and outside the county, and finds the island grid', async () => {
    const features = demoAreas().features;
    const lakeGrid = features.find((f) => f.geometry.type === 'Polygon' && f.geometry.coordinates.length > 1)!;
    const islandGrid = features.find((f) => f.geometry.type === 'MultiPolygon')!;
    expect(lakeGrid.properties.gridId).toBe('QH020105');
    expect(islandGrid.properties.gridId).toBe('QH020102');
    const hole = (lakeGrid.geometry.coordinates as Position[][])[1]!;
    const island = average((islandGrid.geometry.coordinates as Position[][][])[1]![0]!);
    const centre = average(hole);
    // Halfway from the lake's centre to its shore point farthest from the island.
    const shore = hole.reduce((far, p) =>
      Math.hypot(p[0] - island.lng, p[1] - island.lat) > Math.hypot(far[0] - island.lng, far[1] - island.lat) ? p : far,
    );
    const inLake = { lng: (centre.lng + shore[0]) / 2, lat: (centre.lat + shore[1]) / 2 };
    expect(await gridAt(inLake)).toBeNull();
    expect(await gridAt(island)).toBe('QH020102');
    // Just beyond the shore point, on the land of the lake's grid.
    expect(await gridAt({ lng: shore[0] + 0.05 * (shore[0] - centre.lng), lat: shore[1] + 0.05 * (shore[1] - centre.lat) })).toBe('QH020105');
    expect(await gridAt({ lat: 39.9042, lng: 116.4074 })).toBeNull();
    const res = await locate(28.7, 115.6);
    expect(res.status).toBe(422);
    expect(await errorOf(res)).toEqual({ code: 'OUTSIDE_SERVICE_AREA', message: '该位置不在本市服务范围内' });
  });

  it('resolves a vertex shared by two grids to the lower grid id, every time', async () => {
    const [a, b] = demoAreas().features;
    const shared = (a!.geometry.coordinates as Position[][])[0]!.find((p) =>
      (b!.geometry.coordinates as Position[][])[0]!.some((q) => q[0] === p[0] && q[1] === p[1]),
    )!;
    expect([a!.properties.gridId, b!.properties.gridId]).toEqual(['QH010101', 'QH010102']);
    for (let i = 0; i < 3; i++) expect(await gridAt({ lng: shared[0], lat: shared[1] })).toBe('QH010101');
  });

  it('answers 400 naming lat or lng for missing, non-numeric and out-of-range values', async () => {
    const cases: [string, string][] = [
      ['lng=115.8', 'lat'],
      ['lat=28.7', 'lng'],
      ['lat=&lng=115.8', 'lat'],
      ['lat=abc&lng=115.8', 'lat'],
      ['lat=28.7&lng=1e2', 'lng'],
      ['lat=91&lng=115.8', 'lat'],
      ['lat=28.7&lng=-181', 'lng'],
      ['lat=28.7&lat=28.8&lng=115.8', 'lat'],
    ];
    for (const [query, field] of cases) {
      const res = await fetch(`${api.url}/areas/locate?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      const error = await errorOf(res);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect([query, error.details?.map((d) => d.field)]).toEqual([query, [field]]);
    }
  });
});

describe('PUT /admin/areas', () => {
  const unclosed = (file: AreasFile, index: number): unknown => {
    const copy = structuredClone(file) as { features: { geometry: { coordinates: unknown[][] } }[] };
    const ring = copy.features[index]!.geometry.coordinates[0] as number[][];
    ring[ring.length - 1] = [ring[0]![0]! + 0.001, ring[0]![1]!];
    return copy;
  };

  async function expectRefused(body: unknown, fields: string[]): Promise<void> {
    const res = await putAreas(body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('CITY_DATA_INVALID');
    expect(error.details?.map((d) => d.field)).toEqual(fields);
    // The previous areas are still served.
    expect(await gridAt({ lat: 28.72, lng: 115.774 })).toBe('QH010101');
    const tree = areaTreeSchema.parse(await (await fetch(`${api.url}/areas`)).json());
    expect(tree.districts.flatMap((d) => d.streets.flatMap((s) => s.grids))).toHaveLength(50);
  }

  it('refuses an unclosed ring', async () => {
    expect(demoAreas().features[6]!.geometry.type).toBe('Polygon');
    await expectRefused(unclosed(demoAreas(), 6), ['features[6].geometry.coordinates[0]']);
  });

  it('refuses a self-intersecting ring, a hole outside its polygon and a wrong geometry type', async () => {
    const file = structuredClone(demoAreas()) as AreasFile;
    const bowtie: Position[] = [
      [115.7, 28.7],
      [115.72, 28.72],
      [115.72, 28.7],
      [115.7, 28.71],
      [115.7, 28.7],
    ];
    file.features[0]!.geometry = { type: 'Polygon', coordinates: [bowtie] };
    const square: Position[] = [
      [115.7, 28.7],
      [115.71, 28.7],
      [115.71, 28.71],
      [115.7, 28.71],
      [115.7, 28.7],
    ];
    const farHole: Position[] = [
      [115.72, 28.72],
      [115.72, 28.725],
      [115.725, 28.725],
      [115.72, 28.72],
    ];
    file.features[1]!.geometry = { type: 'MultiPolygon', coordinates: [[square, farHole]] };
    (file.features[2] as { geometry: unknown }).geometry = { type: 'Point', coordinates: [115.7, 28.7] };
    const res = await putAreas(file);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.details?.map((d) => d.field)).toEqual(['features[2].geometry.type']);
    file.features[2] = demoAreas().features[2]!;
    await expectRefused(file, ['features[0].geometry.coordinates[0]', 'features[1].geometry.coordinates[0][1]']);
  });

  it('refuses duplicate grid ids and inconsistent street names', async () => {
    const file = structuredClone(demoAreas());
    file.features[1]!.properties.gridId = file.features[0]!.properties.gridId;
    file.features[4]!.properties.streetName = '别的街道';
    await expectRefused(file, ['features[1].properties.gridId', 'features[4].properties.streetName']);
  });

  it('refuses dropping a street a department is responsible for', async () => {
    const file = structuredClone(demoAreas());
    file.features = file.features.filter((f) => f.properties.streetId !== 'QH0302');
    await expectRefused(file, ['departments[17].areaIds[0]']);
  });

  it('refuses a body that is not a FeatureCollection', async () => {
    await expectRefused([], ['body']);
    await expectRefused({ type: 'FeatureCollection', features: [] }, ['features']);
  });

  it('replaces the areas and locates in the new ones at once', async () => {
    const file = structuredClone(demoAreas());
    // Move the whole county 1 degree north.
    for (const feature of file.features) {
      const polygons = feature.geometry.type === 'Polygon' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
      for (const ring of polygons.flat()) for (const p of ring) p[1] = Math.round((p[1] + 1) * 1e6) / 1e6;
    }
    const res = await putAreas(file);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: expect.any(Number), count: 50 });
    expect(await gridAt({ lat: 28.72, lng: 115.774 })).toBeNull();
    expect(await gridAt({ lat: 29.72, lng: 115.774 })).toBe('QH010101');
    const back = await fetch(`${api.url}/admin/areas`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(areasFileSchema.parse(await back.json())).toEqual(file);
  });
});
