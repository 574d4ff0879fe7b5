import type { LatLng } from '@ssp/shared';

/*
 * WGS-84 (GPS, photo EXIF, browsers) → GCJ-02 (WeChat maps and the city data).
 * The published offset algorithm; accurate to a few metres. Outside mainland China
 * the two systems coincide.
 */
const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina({ lat, lng }: LatLng): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLng(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

export function wgs84ToGcj02(p: LatLng): LatLng {
  if (outOfChina(p)) return { lat: p.lat, lng: p.lng };
  let dLat = transformLat(p.lng - 105.0, p.lat - 35.0);
  let dLng = transformLng(p.lng - 105.0, p.lat - 35.0);
  const radLat = (p.lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

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
