import { useEffect, useState } from 'react';
import type { AreaTree, PublicCategory, PublicDepartment } from '@ssp/shared';
import { api } from './session';

export interface Catalogue {
  areas: AreaTree;
  categories: PublicCategory[];
  departments: PublicDepartment[];
  /** Name of a district, street or grid by id. */
  areaName: (id: string | null | undefined) => string;
  departmentName: (id: string | null | undefined) => string;
}

let cached: Promise<Catalogue> | null = null;

/** The city's areas, categories and departments, read once per page load. */
export function loadCatalogue(): Promise<Catalogue> {
  cached ??= Promise.all([api.call('getAreaTree'), api.call('listCategories'), api.call('listDepartments')])
    .then(([areas, categories, departments]) => {
      const names = new Map<string, string>();
      for (const d of areas.districts) {
        names.set(d.id, d.name);
        for (const s of d.streets) {
          names.set(s.id, s.name);
          for (const g of s.grids) names.set(g.id, g.name);
        }
      }
      const deptNames = new Map(departments.departments.map((d) => [d.id, d.name]));
      return {
        areas,
        categories: categories.categories,
        departments: departments.departments,
        areaName: (id: string | null | undefined) => (id ? (names.get(id) ?? id) : '—'),
        departmentName: (id: string | null | undefined) => (id ? (deptNames.get(id) ?? id) : '—'),
      };
    })
    .catch((e: unknown) => {
      cached = null;
      throw e;
    });
  return cached;
}

export function useCatalogue(): Catalogue | null {
  const [catalogue, setCatalogue] = useState<Catalogue | null>(null);
  useEffect(() => {
    let live = true;
    loadCatalogue()
      .then((c) => live && setCatalogue(c))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return catalogue;
}
