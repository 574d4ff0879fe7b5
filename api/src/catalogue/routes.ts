import { ApiError } from '../core/errors';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/**
 * Public reads of the city data (categories, departments, areas, the city) and the
 * admin endpoints that replace it. Admin PUT bodies have the data files' formats.
 */
export function catalogueHandlers(services: Services): Handlers<OperationsOfTag<'catalogue'>> {
  const { catalogue, geocoder } = services;
  return {
    listCategories: ({ query }) => catalogue.listCategories(query),
    listDepartments: async () => {
      const departments = await catalogue.listDepartments();
      return { departments: departments.map(({ id, name, kind }) => ({ id, name, kind })) };
    },
    getCity: async () => ({ ...(await catalogue.getCity()), mapTiles: services.ctx.config.mapTiles }),
    getAreaTree: () => catalogue.areaTree(),
    locateArea: async ({ query }) => {
      const place = await catalogue.locate(query.lat, query.lng);
      if (!place) throw new ApiError(422, 'OUTSIDE_SERVICE_AREA');
      return place;
    },
    reverseGeocode: async ({ query }) => ({ address: await geocoder.addressAt(query.lat, query.lng) }),
    getCatalogueData: () => catalogue.categoriesData(),
    replaceCatalogueData: ({ query }, ctx) => catalogue.replaceCategories(ctx.request.body, query.baseVersion),
    getDepartmentsData: () => catalogue.departmentsData(),
    replaceDepartmentsData: ({ query }, ctx) => catalogue.replaceDepartments(ctx.request.body, query.baseVersion),
    getAreasData: () => catalogue.areasData(),
    getGridBoundaries: () => catalogue.areasGeoJson(),
    replaceAreasData: ({ query }, ctx) => catalogue.replaceAreas(ctx.request.body, query.baseVersion),
    getCalendar: () => catalogue.calendarData(),
    getWorkCalendar: async () => ({ calendar: await catalogue.getCalendar() }),
    replaceCalendar: ({ query }, ctx) => catalogue.replaceCalendar(ctx.request.body, query.baseVersion),
  };
}
