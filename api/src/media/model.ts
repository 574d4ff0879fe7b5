import { Schema, type Connection, type Model } from 'mongoose';

export type PhotoOwnerKind = 'citizen' | 'staff';

export interface PhotoDoc {
  /** 16 random bytes, base64url: the capability in the photo's URL. */
  _id: string;
  ownerKind: PhotoOwnerKind;
  ownerId: string;
  /** SHA-256 (hex) of the display JPEG; the same photo uploaded twice shares its blobs. */
  blobKey: string;
  width: number;
  height: number;
  thumbWidth: number;
  thumbHeight: number;
  /** Size of the display JPEG. */
  bytes: number;
  sourceFormat: 'jpeg' | 'png' | 'webp' | 'heif';
  /** EXIF location/time suggestion, for the uploader only; never published. */
  exif: { lat: number | null; lng: number | null; takenAt: Date | null } | null;
  /** WeChat's image check (moderation/service.ts): risky photos are served only to staff reviewing them. */
  check?: { traceId: string; verdict: 'pending' | 'pass' | 'review' | 'risky' } | null;
  createdAt: Date;
}

const exifSchema = new Schema(
  {
    lat: { type: Number, default: null },
    lng: { type: Number, default: null },
    takenAt: { type: Date, default: null },
  },
  { _id: false },
);

const photoSchema = new Schema<PhotoDoc>(
  {
    _id: { type: String, required: true },
    ownerKind: { type: String, enum: ['citizen', 'staff'], required: true },
    ownerId: { type: String, required: true },
    blobKey: { type: String, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    thumbWidth: { type: Number, required: true },
    thumbHeight: { type: Number, required: true },
    bytes: { type: Number, required: true },
    sourceFormat: { type: String, enum: ['jpeg', 'png', 'webp', 'heif'], required: true },
    exif: { type: exifSchema, default: null },
    check: { type: new Schema({ traceId: String, verdict: String }, { _id: false }), default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'photos', versionKey: false },
);
photoSchema.index({ 'check.traceId': 1 }, { sparse: true });

export function photoModel(db: Connection): Model<PhotoDoc> {
  return (db.models.Photo as Model<PhotoDoc> | undefined) ?? db.model<PhotoDoc>('Photo', photoSchema);
}
