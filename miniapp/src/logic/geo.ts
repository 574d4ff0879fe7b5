import type { LatLng } from '@ssp/shared';

/** A point moved `northM` metres north and `eastM` metres east (for nudging a location by hand). */
export function nudge(p: LatLng, northM: number, eastM: number): LatLng {
  return {
    lat: round6(p.lat + northM / 111_320),
    lng: round6(p.lng + eastM / (111_320 * Math.cos((p.lat * Math.PI) / 180))),
  };
}

/** Six decimals ≈ 0.1 m: plenty for a report, and short to show. */
export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Parses a user-typed coordinate; null when it is not a number within range. */
export function parseCoordinate(text: string, kind: 'lat' | 'lng'): number | null {
  const trimmed = text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  const v = Number(trimmed);
  const limit = kind === 'lat' ? 90 : 180;
  return v >= -limit && v <= limit ? v : null;
}
