import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PHOTO_ID_PATTERN, PHOTO_UPLOAD_FIELD, photoUrls, type Photo, type UploadResult, wgs84ToGcj02 } from '@ssp/shared';
import type { Principal } from '../auth/tokens';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import { groupedLookup } from '../core/group-commit';
import { LocalDiskBlobStore, type BlobStore } from './blob-store';
import { processImage, type ProcessedImage } from './image';
import { photoModel, type PhotoDoc, type PhotoOwnerKind } from './model';
import { receiveFiles } from './multipart';

export type { PhotoDoc } from './model';

export interface PhotoOwner {
  kind: PhotoOwnerKind;
  id: string;
}

export type ImageVariant = 'display' | 'thumb';

/** Any signed-in principal may upload; citizens and staff own their photos separately. */
export function ownerOf(principal: Principal): PhotoOwner {
  return { kind: principal.kind, id: principal.userId };
}

/** Display and thumbnail blobs are named by the display JPEG's SHA-256. */
function blobKeyOf(hash: string, variant: ImageVariant): string {
  return variant === 'display' ? `${hash}.jpg` : `${hash}.thumb.jpg`;
}

function newPhotoId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A photo for its uploader: with the EXIF location/time suggestion. Cameras record
 * WGS-84; the product (WeChat, maps in China) works in GCJ-02, so the suggestion is converted.
 */
function toUploadedPhoto(doc: PhotoDoc): Photo {
  const point = doc.exif?.lat != null && doc.exif.lng != null ? wgs84ToGcj02({ lat: doc.exif.lat, lng: doc.exif.lng }) : null;
  const exif = doc.exif && { lat: point?.lat ?? null, lng: point?.lng ?? null, takenAt: doc.exif.takenAt?.toISOString() ?? null };
  return { id: doc._id, ...photoUrls(doc._id), width: doc.width, height: doc.height, exif: exif ?? null };
}

export class MediaService {
  constructor(
    readonly ctx: ServiceContext,
    readonly store: BlobStore = new LocalDiskBlobStore(ctx.config.media.dir),
  ) {}

  private get photos() {
    return photoModel(this.ctx.db);
  }

  /** Where a photo and its thumbnail are served (relative to the API base URL). */
  photoUrls(id: string): { url: string; thumbUrl: string } {
    return photoUrls(id);
  }

  /** URLs that also show a photo hidden by content security: for staff reviewing it. */
  reviewUrls(id: string): { url: string; thumbUrl: string } {
    const { url, thumbUrl } = photoUrls(id);
    const q = `?review=${this.reviewToken(id)}`;
    return { url: `${url}${q}`, thumbUrl: `${thumbUrl}${q}` };
  }

  private reviewToken(id: string): string {
    return createHmac('sha256', this.ctx.config.jwtSecret).update(`photo-review:${id}`).digest('base64url').slice(0, 22);
  }

  private isReviewToken(id: string, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.reviewToken(id));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Checks and converts one photo (see image.ts); refusals name `field`. */
  processImage(data: Buffer, field?: string): Promise<ProcessedImage> {
    return processImage(data, { maxInputPixels: this.ctx.config.media.maxInputPixels }, field);
  }

  /**
   * Reads a multipart upload, processes every photo while the rest still arrives, and
   * stores them only when all passed: a refused file leaves nothing behind.
   */
  async upload(req: IncomingMessage, owner: PhotoOwner): Promise<UploadResult> {
    const processed = await receiveFiles(req, this.ctx.config.upload, (data, index) => this.processImage(data, `${PHOTO_UPLOAD_FIELD}[${index}]`));
    const docs = await this.save(processed, owner);
    return { photos: docs.map(toUploadedPhoto) };
  }

  /** Writes each distinct image once (thumbnail first, so a present display implies both), then one Photo per upload. */
  async save(processed: ProcessedImage[], owner: PhotoOwner): Promise<PhotoDoc[]> {
    const written = new Set<string>();
    for (const image of processed) {
      if (written.has(image.hash)) continue;
      written.add(image.hash);
      if (await this.store.exists(blobKeyOf(image.hash, 'display'))) continue;
      await this.store.put(blobKeyOf(image.hash, 'thumb'), image.thumb.data, 'image/jpeg');
      await this.store.put(blobKeyOf(image.hash, 'display'), image.display.data, 'image/jpeg');
    }
    const createdAt = this.ctx.clock.now();
    const docs: PhotoDoc[] = processed.map((image) => ({
      _id: newPhotoId(),
      ownerKind: owner.kind,
      ownerId: owner.id,
      blobKey: image.hash,
      width: image.display.width,
      height: image.display.height,
      thumbWidth: image.thumb.width,
      thumbHeight: image.thumb.height,
      bytes: image.display.data.length,
      sourceFormat: image.sourceKind,
      exif: image.exif && {
        lat: image.exif.lat,
        lng: image.exif.lng,
        takenAt: image.exif.takenAt ? new Date(image.exif.takenAt) : null,
      },
      createdAt,
    }));
    await this.photos.insertMany(docs);
    return docs;
  }

  /** Photos asked for together (concurrent submissions) are read in one query. */
  private readonly photosById = groupedLookup(
    (ids) =>
      this.photos
        .find({ _id: { $in: ids } })
        .lean<PhotoDoc[]>()
        .exec(),
    (doc) => doc._id,
  );

  /** The photos that exist among `ids`, in the order asked (unknown ids are left out). */
  async getPhotos(ids: string[]): Promise<PhotoDoc[]> {
    const wanted = [...new Set(ids.filter((id) => PHOTO_ID_PATTERN.test(id)))];
    if (wanted.length === 0) return [];
    const byId = new Map((await this.photosById(wanted)).map((doc) => [doc._id, doc]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Records that WeChat's image check of a photo started (moderation/service.ts); its verdict comes later. */
  async markImageCheck(photoId: string, traceId: string): Promise<void> {
    await this.photos.updateOne({ _id: photoId }, { $set: { check: { traceId, verdict: 'pending' } } });
  }

  /** Records an image check's verdict; a risky photo is served from then on only to staff reviewing it. Null for an unknown trace. */
  async recordImageVerdict(traceId: string, verdict: 'pass' | 'review' | 'risky'): Promise<PhotoDoc | null> {
    return this.photos
      .findOneAndUpdate({ 'check.traceId': traceId }, { $set: { 'check.verdict': verdict } }, { returnDocument: 'after' })
      .lean<PhotoDoc>();
  }

  /**
   * For reports, cases and campaigns that attach photos: every id must be a photo this
   * owner uploaded. Otherwise 400 PHOTO_NOT_FOUND naming each `field[i]` at fault
   * (another owner's photo looks exactly like an unknown one).
   */
  async requireOwnedPhotos(ids: string[], owner: PhotoOwner, field = 'photoIds'): Promise<PhotoDoc[]> {
    const byId = new Map((await this.getPhotos(ids)).map((doc) => [doc._id, doc]));
    const owned = (doc: PhotoDoc | undefined): doc is PhotoDoc => doc !== undefined && doc.ownerKind === owner.kind && doc.ownerId === owner.id;
    const details = ids.flatMap((id, i) => (owned(byId.get(id)) ? [] : [{ field: `${field}[${i}]`, issue: '照片不存在或不属于当前用户' }]));
    if (details.length > 0) throw new ApiError(400, 'PHOTO_NOT_FOUND', undefined, details);
    return ids.map((id) => byId.get(id)!);
  }

  /** The stored JPEG behind a photo id, with its ETag; null for any id that is not a stored photo. */
  async readImage(id: string, variant: ImageVariant, reviewToken?: string): Promise<{ data: Buffer; etag: string } | null> {
    if (!PHOTO_ID_PATTERN.test(id)) return null;
    const doc = await this.photos.findById(id, { blobKey: 1, check: 1 }).lean<Pick<PhotoDoc, 'blobKey' | 'check'>>();
    if (!doc) return null;
    // Found risky by WeChat's image check: gone for everyone but a staff reviewer.
    if (doc.check?.verdict === 'risky' && !this.isReviewToken(id, reviewToken)) return null;
    const data = await this.store.get(blobKeyOf(doc.blobKey, variant));
    if (!data) {
      this.ctx.logger.warn({ photoId: id, variant }, 'photo blob missing');
      return null;
    }
    return { data, etag: `"${variant === 'display' ? doc.blobKey : `${doc.blobKey}-thumb`}"` };
  }
}
