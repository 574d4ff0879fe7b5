/**
 * Point → grid lookup speed: `npx tsx bench/locate.ts`.
 *
 * For 50, 5,000 and 50,000 generated grids (a jittered lattice of 8-vertex
 * polygons sharing edges, every 7th with a hole) prints the time to validate the
 * polygons, to build what the API builds on a reload (spatial index, area tree
 * with label points) and the index alone, then the per-lookup latency over random
 * points in and around the extent.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { GridGeometry, GridProperties, Position } from '@ssp/shared';
import { buildAreasView, prepareGrid } from '../api/src/catalogue/areas';
import { geometryIssues } from '../api/src/catalogue/geometry';
import { SpatialIndex } from '../api/src/catalogue/spatial-index';
import { seededRandom } from '../api/src/core/seeded-random';

const LOOKUPS = 200_000;
const STEP = 0.002;
const ORIGIN = { lng: 115.5, lat: 28.5 };

const at = (x: number, y: number): Position => [ORIGIN.lng + x * STEP, ORIGIN.lat + y * STEP];
const jitter = (i: number, j: number, salt: number) => (seededRandom(i * 7919 + j * 104729 + salt)() - 0.5) * 0.3;
const vertex = (i: number, j: number) => ({ x: i + jitter(i, j, 1), y: j + jitter(i, j, 2) });
const mid = (a: { x: number; y: number }, b: { x: number; y: number }, i: number, j: number, salt: number) => ({
  x: (a.x + b.x) / 2 + 0.1 * jitter(i, j, salt),
  y: (a.y + b.y) / 2 + 0.1 * jitter(i, j, salt + 1),
});

function lattice(count: number): { properties: GridProperties; geometry: GridGeometry }[] {
  const cols = Math.ceil(Math.sqrt(count * 2));
  const rows = Math.ceil(count / cols);
  const grids: { properties: GridProperties; geometry: GridGeometry }[] = [];
  for (let n = 0; n < count; n++) {
    const [i, j] = [n % cols, Math.floor(n / cols)];
    const [sw, se, ne, nw] = [vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), vertex(i, j + 1)];
    const points = [sw, mid(sw, se, i, j, 3), se, mid(se, ne, i + 1, j, 5), ne, mid(nw, ne, i, j + 1, 3), nw, mid(sw, nw, i, j, 5)];
    const outer = [...points, points[0]!].map((p) => at(p.x, p.y));
    const hole = [at(i + 0.45, j + 0.45), at(i + 0.45, j + 0.55), at(i + 0.55, j + 0.55), at(i + 0.55, j + 0.45), at(i + 0.45, j + 0.45)];
    const street = Math.floor(j / Math.max(1, Math.ceil(rows / 20)));
    grids.push({
      properties: {
        gridId: `G${String(n).padStart(6, '0')}`,
        gridName: `网格${n}`,
        streetId: `S${street}`,
        streetName: `街道${street}`,
        districtId: `D${Math.floor(street / 5)}`,
        districtName: `区${Math.floor(street / 5)}`,
      },
      geometry: { type: 'Polygon', coordinates: n % 7 === 0 ? [outer, hole] : [outer] },
    });
  }
  return grids;
}

const ms = (start: number) => (performance.now() - start).toFixed(1);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function run(count: number): void {
  const grids = lattice(count);
  let start = performance.now();
  const invalid = grids.reduce((sum, g) => sum + geometryIssues(g.geometry).length, 0);
  const validateMs = ms(start);

  start = performance.now();
  const view = buildAreasView(grids.map((g) => prepareGrid(g.properties, g.geometry)));
  const viewMs = ms(start);

  const prepared = grids.map((g) => prepareGrid(g.properties, g.geometry));
  start = performance.now();
  SpatialIndex.build(prepared.map((g) => ({ polygons: g.polygons, bbox: g.bbox, value: g.properties.gridId })));
  const indexMs = ms(start);

  const cols = Math.ceil(Math.sqrt(count * 2));
  const rows = Math.ceil(count / cols);
  const next = seededRandom(7);
  const points = Array.from({ length: LOOKUPS }, () => at(-1 + next() * (cols + 2), -1 + next() * (rows + 2)));
  for (let k = 0; k < 20_000; k++) view.index.locate(points[k]![0], points[k]![1]); // warm-up

  const times = new Float64Array(LOOKUPS);
  let found = 0;
  const total = performance.now();
  for (let k = 0; k < LOOKUPS; k++) {
    const t = performance.now();
    if (view.index.locate(points[k]![0], points[k]![1])) found++;
    times[k] = performance.now() - t;
  }
  const totalMs = performance.now() - total;
  times.sort();
  const us = (v: number) => (v * 1000).toFixed(2).padStart(6);
  console.log(
    `${String(count).padStart(6)} grids | validate ${validateMs.padStart(7)} ms (${invalid} issues) | build view ${viewMs.padStart(7)} ms | index only ${indexMs.padStart(6)} ms | ` +
      `lookup median ${us(percentile(times, 0.5))} µs, p99 ${us(percentile(times, 0.99))} µs, mean ${us(totalMs / LOOKUPS)} µs | ${((found / LOOKUPS) * 100).toFixed(0)}% inside`,
  );
}

console.log(
  `locate bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, load average ${os.loadavg()[0]!.toFixed(1)}`,
);
console.log(`${LOOKUPS.toLocaleString('en')} random lookups per size; per-lookup times include the timer's own overhead`);
for (const count of [50, 5_000, 50_000]) run(count);
