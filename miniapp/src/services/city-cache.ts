import type { CityAnswer as City, PublicCategory } from '@ssp/shared';
import { cityApi } from './api';
import { storage } from './storage';

/**
 * City data changes rarely and is needed offline-ish (the category picker on a weak
 * network): serve the stored copy at once and refresh it in the background.
 */
const CATEGORIES_KEY = 'ssp.cache.categories';
const CITY_KEY = 'ssp.cache.city';

export function cachedCategories(): PublicCategory[] {
  return storage.get<PublicCategory[]>(CATEGORIES_KEY) ?? [];
}

export async function loadCategories(): Promise<PublicCategory[]> {
  try {
    const { categories } = await cityApi.categories();
    storage.set(CATEGORIES_KEY, categories);
    return categories;
  } catch (err) {
    const cached = cachedCategories();
    if (cached.length) return cached;
    throw err;
  }
}

export function cachedCity(): City | null {
  return storage.get<City>(CITY_KEY) ?? null;
}

export async function loadCity(): Promise<City | null> {
  try {
    const city = await cityApi.city();
    storage.set(CITY_KEY, city);
    return city;
  } catch {
    return cachedCity();
  }
}

export function categoryNames(list: readonly PublicCategory[]): Record<string, string> {
  return Object.fromEntries(list.map((c) => [c.id, c.name]));
}
