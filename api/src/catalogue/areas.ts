import type { AreaTree, GridGeometry, GridProperties, LocateResult } from '@ssp/shared';
import { bboxOf, flattenGeometry, labelPoint, type BBox, type FlatPolygon } from './geometry';
import { SpatialIndex } from './spatial-index';
import type { AreaLevel } from './validate';

export interface PreparedGrid {
  properties: GridProperties;
  geometry: GridGeometry;
  polygons: FlatPolygon[];
  bbox: BBox;
}

/** What lookups need of the active areas, built once per version. */
export interface AreasView {
  index: SpatialIndex<LocateResult>;
  tree: AreaTree;
  levels: Map<string, AreaLevel>;
}

export function prepareGrid(properties: GridProperties, geometry: GridGeometry, storedBbox?: number[]): PreparedGrid {
  const polygons = flattenGeometry(geometry);
  const bbox = storedBbox?.length === 4 ? (storedBbox as BBox) : bboxOf(polygons);
  return { properties, geometry, polygons, bbox };
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byId = (a: { id: string }, b: { id: string }) => compareIds(a.id, b.id);

export function buildAreasView(grids: PreparedGrid[]): AreasView {
  // Sorted by grid id, so a point on an edge two grids share goes to the lower id.
  const sorted = [...grids].sort((a, b) => compareIds(a.properties.gridId, b.properties.gridId));
  const index = SpatialIndex.build(
    sorted.map(({ polygons, bbox, properties: p }) => ({
      polygons,
      bbox,
      value: {
        grid: { id: p.gridId, name: p.gridName },
        street: { id: p.streetId, name: p.streetName },
        district: { id: p.districtId, name: p.districtName },
      },
    })),
  );

  const levels = new Map<string, AreaLevel>();
  const districts = new Map<string, AreaTree['districts'][number]>();
  const streets = new Map<string, AreaTree['districts'][number]['streets'][number]>();
  for (const { properties: p, polygons } of sorted) {
    levels.set(p.districtId, 'district').set(p.streetId, 'street').set(p.gridId, 'grid');
    let district = districts.get(p.districtId);
    if (!district) districts.set(p.districtId, (district = { id: p.districtId, name: p.districtName, streets: [] }));
    let street = streets.get(p.streetId);
    if (!street) {
      streets.set(p.streetId, (street = { id: p.streetId, name: p.streetName, grids: [] }));
      district.streets.push(street);
    }
    const centroid = labelPoint(polygons);
    street.grids.push({ id: p.gridId, name: p.gridName, centroid: { lat: round6(centroid.lat), lng: round6(centroid.lng) } });
  }
  const tree: AreaTree = { districts: [...districts.values()].sort(byId) };
  for (const district of tree.districts) district.streets.sort(byId);
  return { index, tree, levels };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
