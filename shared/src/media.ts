import { z } from 'zod';

/** Multipart field that carries the photos of `POST /media`. */
export const PHOTO_UPLOAD_FIELD = 'photos';

/** A photo id: 16 random bytes, base64url (unguessable; the URL is the capability). */
export const PHOTO_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const photoIdSchema = z.string().regex(PHOTO_ID_PATTERN, '照片编号格式不正确');

/** Where a photo and its thumbnail are served, relative to the API base URL. */
export function photoUrls(id: string): { url: string; thumbUrl: string } {
  return { url: `/media/${id}`, thumbUrl: `/media/${id}/thumb` };
}

/**
 * Location and time read from the photo's EXIF before it was stripped: a suggestion
 * for the uploader only. lat/lng are WGS-84 decimal degrees as the camera recorded them
 * (both present or both null); takenAt is ISO 8601 UTC (the EXIF local time, read with
 * its OffsetTimeOriginal, else as China Standard Time +08:00).
 */
export const exifSuggestionSchema = z.object({
  lat: z.number().min(-90).max(90).nullable(),
  lng: z.number().min(-180).max(180).nullable(),
  takenAt: z.iso.datetime().nullable(),
});
export type ExifSuggestion = z.infer<typeof exifSuggestionSchema>;

/** A photo as its uploader gets it back from `POST /media` (others see only id and URLs). */
export const photoSchema = z.object({
  id: photoIdSchema,
  url: z.string(),
  thumbUrl: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  exif: exifSuggestionSchema.nullable(),
});
export type Photo = z.infer<typeof photoSchema>;

/** `201` answer of `POST /media`: the photos in upload order. */
export const uploadResultSchema = z.object({
  photos: z.array(photoSchema).min(1),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;
