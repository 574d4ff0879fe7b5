import exifReader from 'exif-reader';
import type { ExifSuggestion } from '@ssp/shared';

/** EXIF local times carry no zone unless OffsetTimeOriginal says; the product serves China (UTC+8). */
const DEFAULT_OFFSET_MINUTES = 8 * 60;
const EARLIEST_PLAUSIBLE = Date.UTC(1990, 0, 1);
const LATEST_PLAUSIBLE = Date.UTC(2100, 0, 1);

/** [degrees, minutes, seconds] and an N/S/E/W reference to signed decimal degrees. */
export function dmsToDecimal(dms: unknown, ref: unknown, max: number): number | null {
  if (!Array.isArray(dms) || dms.length === 0 || dms.length > 3) return null;
  const [degrees = 0, minutes = 0, seconds = 0] = dms as unknown[];
  if (![degrees, minutes, seconds].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) return null;
  if (ref !== undefined && !['N', 'S', 'E', 'W'].includes(ref as string)) return null;
  const magnitude = (degrees as number) + (minutes as number) / 60 + (seconds as number) / 3600;
  if (magnitude > max) return null;
  const sign = ref === 'S' || ref === 'W' ? -1 : 1;
  return (sign * Math.round(magnitude * 1e6)) / 1e6;
}

/** "+08:00" / "-05:30" to minutes east of UTC. */
function offsetMinutes(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return minutes > 14 * 60 ? null : (match[1] === '-' ? -1 : 1) * minutes;
}

/** exif-reader reads "YYYY:MM:DD HH:MM:SS" as if it were UTC; shift it by the photo's own offset. */
function takenAt(local: unknown, offset: unknown): string | null {
  if (!(local instanceof Date) || Number.isNaN(local.getTime())) return null;
  const utc = local.getTime() - (offsetMinutes(offset) ?? DEFAULT_OFFSET_MINUTES) * 60_000;
  if (utc < EARLIEST_PLAUSIBLE || utc > LATEST_PLAUSIBLE) return null;
  return new Date(utc).toISOString();
}

/**
 * The location and capture time a photo's EXIF block records, or null when it records
 * neither. Broken EXIF is not an error: the photo is still good, there is just no suggestion.
 */
export function readExifSuggestion(exifBlock: Buffer | undefined): ExifSuggestion | null {
  if (!exifBlock?.length) return null;
  let tags: ReturnType<typeof exifReader>;
  try {
    tags = exifReader(exifBlock);
  } catch {
    return null;
  }
  const gps = tags.GPSInfo ?? {};
  let lat = dmsToDecimal(gps.GPSLatitude, gps.GPSLatitudeRef, 90);
  let lng = dmsToDecimal(gps.GPSLongitude, gps.GPSLongitudeRef, 180);
  // Phones without a fix write 0/0 (or only one half): no location rather than a point in the Gulf of Guinea.
  if (lat === null || lng === null || (lat === 0 && lng === 0)) {
    lat = null;
    lng = null;
  }
  const photo = tags.Photo ?? {};
  const time = takenAt(photo.DateTimeOriginal, photo.OffsetTimeOriginal) ?? takenAt(photo.DateTimeDigitized, photo.OffsetTimeDigitized);
  if (lat === null && time === null) return null;
  return { lat, lng, takenAt: time };
}
