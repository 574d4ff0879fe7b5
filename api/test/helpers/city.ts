import type { LatLng } from '@ssp/shared';
import { distanceMeters } from '@ssp/shared';
import type { TestApi } from './harness';

/** A point `northM` metres north and `eastM` metres east of `p`. */
export function offset(p: LatLng, northM: number, eastM: number): LatLng {
  return {
    lat: p.lat + northM / 111_320,
    lng: p.lng + eastM / (111_320 * Math.cos((p.lat * Math.PI) / 180)),
  };
}

/**
 * Loads the demo city into the test database and picks what tests need:
 * a point in the most central grid, public and internal categories, departments.
 */
export async function demoCity(api: TestApi) {
  const catalogue = api.services.catalogue;
  await catalogue.seedCityDataIfEmpty();
  const city = await catalogue.getCity();
  const grids = (await catalogue.areaTree()).districts.flatMap((d) => d.streets.flatMap((s) => s.grids));
  const central = grids.reduce((best, g) => (distanceMeters(g.centroid, city.center) < distanceMeters(best.centroid, city.center) ? g : best));
  const located = await catalogue.locate(central.centroid.lat, central.centroid.lng);
  if (located?.grid.id !== central.id) throw new Error('demo city: the central grid centroid is not inside its grid');

  const categories = await catalogue.allCategories();
  const publicOnes = categories.filter((c) => c.publicReportable);
  const publicCategory = publicOnes[0]!;
  const otherCategory = publicOnes.find((c) => c.id !== publicCategory.id)!;
  const internalCategory = categories.find((c) => !c.publicReportable)!;
  const departmentIds = (await catalogue.listDepartments()).map((d) => d.id);
  return {
    point: central.centroid,
    gridId: central.id,
    publicCategory,
    otherCategory,
    internalCategory,
    departmentIds,
  };
}
