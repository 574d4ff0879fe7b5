import { DESCRIPTION_MAX_LENGTH, MAX_PHOTOS_PER_REPORT, type CreateReportInput, type ExifSuggestion } from '@ssp/shared';
import { newClientRequestId } from './ids';
import type { KeyValueStore } from './storage';

/**
 * The report being written. It lives in storage so that closing the app, a crash or
 * a dead network loses nothing: photos already uploaded, the place, the category,
 * the text, and the clientRequestId that makes a retried submit return the same report.
 */
export const DRAFT_KEY = 'ssp.reportDraft';
const DRAFT_VERSION = 1;

export type LocationSource = 'gps' | 'exif' | 'map' | 'manual' | 'grid';

export interface DraftPhoto {
  id: string;
  url: string;
  thumbUrl: string;
  exif: ExifSuggestion | null;
}

export interface DraftLocation {
  lat: number;
  lng: number;
  source: LocationSource;
  /** The grid/street name from /areas/locate, or a place name picked on the map. */
  placeName?: string;
}

export interface DraftCampaign {
  id: string;
  title: string;
  categoryIds: string[];
  multiplier?: number;
}

export interface ReportDraft {
  v: typeof DRAFT_VERSION;
  clientRequestId: string;
  photos: DraftPhoto[];
  location: DraftLocation | null;
  address: string;
  categoryId: string | null;
  categoryName: string | null;
  description: string;
  anonymous: boolean;
  campaign: DraftCampaign | null;
  updatedAt: number;
}

export function newDraft(now = Date.now()): ReportDraft {
  return {
    v: DRAFT_VERSION,
    clientRequestId: newClientRequestId(now),
    photos: [],
    location: null,
    address: '',
    categoryId: null,
    categoryName: null,
    description: '',
    anonymous: false,
    campaign: null,
    updatedAt: now,
  };
}

function isDraft(value: unknown): value is ReportDraft {
  const d = value as Partial<ReportDraft> | null;
  return !!d && d.v === DRAFT_VERSION && typeof d.clientRequestId === 'string' && Array.isArray(d.photos);
}

/** The saved draft, or a fresh one when there is none (or it is from an older app version). */
export function loadDraft(store: KeyValueStore, now = Date.now()): ReportDraft {
  const saved = store.get<unknown>(DRAFT_KEY);
  return isDraft(saved) ? saved : newDraft(now);
}

export function saveDraft(store: KeyValueStore, draft: ReportDraft, now = Date.now()): ReportDraft {
  const stamped = { ...draft, updatedAt: now };
  store.set(DRAFT_KEY, stamped);
  return stamped;
}

/** After a successful submit: the next report starts clean with a new clientRequestId. */
export function clearDraft(store: KeyValueStore): void {
  store.remove(DRAFT_KEY);
}

/** True when the draft holds anything worth keeping (drives the "继续上次的上报" hint). */
export function hasContent(d: ReportDraft): boolean {
  return d.photos.length > 0 || !!d.location || !!d.categoryId || d.description.trim().length > 0;
}

export function addPhotos(d: ReportDraft, photos: DraftPhoto[]): ReportDraft {
  const known = new Set(d.photos.map((p) => p.id));
  const fresh = photos.filter((p) => !known.has(p.id));
  return { ...d, photos: [...d.photos, ...fresh].slice(0, MAX_PHOTOS_PER_REPORT) };
}

export function removePhoto(d: ReportDraft, id: string): ReportDraft {
  return { ...d, photos: d.photos.filter((p) => p.id !== id) };
}

/** Joins a campaign: the category is preselected when the campaign targets exactly one. */
export function joinCampaign(d: ReportDraft, campaign: DraftCampaign, categoryNames: Record<string, string> = {}): ReportDraft {
  const next: ReportDraft = { ...d, campaign };
  const keepsCategory = d.categoryId && (campaign.categoryIds.length === 0 || campaign.categoryIds.includes(d.categoryId));
  if (!keepsCategory && campaign.categoryIds.length === 1) {
    const only = campaign.categoryIds[0]!;
    next.categoryId = only;
    next.categoryName = categoryNames[only] ?? null;
  } else if (!keepsCategory) {
    next.categoryId = null;
    next.categoryName = null;
  }
  return next;
}

/** The first photo's EXIF position, if any photo carries one (GCJ-02: the API converts the camera's WGS-84). */
export function exifSuggestion(d: ReportDraft): { lat: number; lng: number; takenAt: string | null } | null {
  for (const p of d.photos) {
    if (p.exif && p.exif.lat !== null && p.exif.lng !== null) return { lat: p.exif.lat, lng: p.exif.lng, takenAt: p.exif.takenAt };
  }
  return null;
}

export type MissingField = 'photos' | 'location' | 'category' | 'description';

export const MISSING_FIELD_HINTS: Record<MissingField, string> = {
  photos: '请至少拍一张照片',
  location: '请确认问题位置',
  category: '请选择问题类型',
  description: `描述最多 ${DESCRIPTION_MAX_LENGTH} 字`,
};

/** What still stops the draft from being submitted, in the order the page shows them. */
export function missingFields(d: ReportDraft): MissingField[] {
  const missing: MissingField[] = [];
  if (d.photos.length === 0) missing.push('photos');
  if (!d.location) missing.push('location');
  if (!d.categoryId) missing.push('category');
  if (d.description.trim().length > DESCRIPTION_MAX_LENGTH) missing.push('description');
  return missing;
}

/** The body of POST /reports; throws when the draft is incomplete (check missingFields first). */
export function toCreateReportInput(d: ReportDraft): CreateReportInput {
  if (missingFields(d).length) throw new Error(`draft incomplete: ${missingFields(d).join(', ')}`);
  const input: CreateReportInput = {
    categoryId: d.categoryId!,
    description: d.description.trim(),
    location: { lat: d.location!.lat, lng: d.location!.lng },
    photoIds: d.photos.map((p) => p.id),
    anonymous: d.anonymous,
    clientRequestId: d.clientRequestId,
  };
  const address = d.address.trim() || d.location!.placeName;
  if (address) input.address = address.slice(0, 200);
  if (d.campaign) input.campaignId = d.campaign.id;
  return input;
}
