import { useEffect, useState } from 'react';
import type { AreaTree, PublicCategory, PublicDepartment, WorkCalendar } from '@ssp/shared';
import { api } from './session';

export interface Catalogue {
  areas: AreaTree;
  categories: PublicCategory[];
  departments: PublicDepartment[];
  /** The working calendar deadlines run on (null if it could not be read). */
  calendar: WorkCalendar | null;
  /** Whether a category's time limit runs on the clock (urgent) rather than the working calendar. */
  isUrgent: (categoryId: string) => boolean;
  /** Name of a district, street or grid by id. */
  areaName: (id: string | null | undefined) => string;
  departmentName: (id: string | null | undefined) => string;
}

let cached: Promise<Catalogue> | null = null;

/** The city's areas, categories and departments, read once per page load. */
export function loadCatalogue(): Promise<Catalogue> {
  cached ??= Promise.all([
    api.call('getAreaTree'),
    api.call('listCategories'),
    api.call('listDepartments'),
    api
      .call('getWorkCalendar')
      .then((r) => r.calendar)
      .catch(() => null),
  ])
    .then(([areas, categories, departments, calendar]) => {
      const names = new Map<string, string>();
      for (const d of areas.districts) {
        names.set(d.id, d.name);
        for (const s of d.streets) {
          names.set(s.id, s.name);
          for (const g of s.grids) names.set(g.id, g.name);
        }
      }
      const deptNames = new Map(departments.departments.map((d) => [d.id, d.name]));
      const urgent = new Set(categories.categories.filter((c) => c.timeLimit.unit === 'urgent_hours').map((c) => c.id));
      return {
        areas,
        categories: categories.categories,
        departments: departments.departments,
        calendar,
        isUrgent: (categoryId: string) => urgent.has(categoryId),
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

/** Reads the city data again on next use (after an administrator replaced it). */
export function forgetCatalogue(): void {
  cached = null;
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
