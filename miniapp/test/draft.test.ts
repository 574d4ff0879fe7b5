import { createReportSchema } from '@ssp/shared';
import {
  addPhotos,
  clearDraft,
  DRAFT_KEY,
  exifSuggestion,
  hasContent,
  joinCampaign,
  loadDraft,
  missingFields,
  newDraft,
  removePhoto,
  saveDraft,
  toCreateReportInput,
  type DraftPhoto,
} from '../src/logic/draft';
import { memoryStore } from '../src/logic/storage';

const photo = (id: string, exif: DraftPhoto['exif'] = null): DraftPhoto => ({ id, url: `/media/${id}`, thumbUrl: `/media/${id}/thumb`, exif });
const PID = (n: number) => `p${String(n).padStart(21, '0')}`;

describe('report draft', () => {
  it('starts fresh with a valid clientRequestId, and a new one each time', () => {
    const a = newDraft();
    const b = newDraft();
    expect(a.clientRequestId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(a.clientRequestId).not.toBe(b.clientRequestId);
    expect(hasContent(a)).toBe(false);
  });

  it('survives closing the app: photos, place, category, text and the same clientRequestId come back', () => {
    const store = memoryStore();
    let d = newDraft();
    d = addPhotos(d, [photo(PID(1))]);
    d = { ...d, location: { lat: 28.7, lng: 115.8, source: 'gps' }, categoryId: 'C0101', categoryName: '上水井盖', description: '井盖缺了一角' };
    saveDraft(store, d, 1000);

    const restored = loadDraft(memoryStore(store.dump()));
    expect(restored).toEqual({ ...d, updatedAt: 1000 });
    expect(restored.clientRequestId).toBe(d.clientRequestId);
    expect(hasContent(restored)).toBe(true);
  });

  it('replaces an unreadable or old-format draft with a fresh one', () => {
    expect(loadDraft(memoryStore({ [DRAFT_KEY]: { v: 0, junk: true } })).photos).toEqual([]);
    expect(loadDraft(memoryStore({ [DRAFT_KEY]: 'garbage' })).v).toBe(1);
  });

  it('clears after a successful submit, so the next report gets a new clientRequestId', () => {
    const store = memoryStore();
    const d = saveDraft(store, newDraft());
    clearDraft(store);
    expect(store.get(DRAFT_KEY)).toBeUndefined();
    expect(loadDraft(store).clientRequestId).not.toBe(d.clientRequestId);
  });

  it('keeps at most 9 distinct photos, in order', () => {
    let d = newDraft();
    d = addPhotos(d, [photo(PID(1)), photo(PID(2))]);
    d = addPhotos(d, [photo(PID(2)), ...Array.from({ length: 10 }, (_, i) => photo(PID(i + 3)))]);
    expect(d.photos.map((p) => p.id)).toEqual([PID(1), PID(2), ...Array.from({ length: 7 }, (_, i) => PID(i + 3))]);
    expect(removePhoto(d, PID(1)).photos).toHaveLength(8);
  });

  it('says what is missing before submitting', () => {
    const d = newDraft();
    expect(missingFields(d)).toEqual(['photos', 'location', 'category']);
    expect(
      missingFields({
        ...d,
        photos: [photo(PID(1))],
        location: { lat: 1, lng: 2, source: 'gps' },
        categoryId: 'C0101',
        description: 'x'.repeat(501),
      }),
    ).toEqual(['description']);
    expect(() => toCreateReportInput(d)).toThrow(/incomplete/);
  });

  it('builds a body the API schema accepts, with the campaign and an address', () => {
    let d = addPhotos(newDraft(), [photo(PID(1)), photo(PID(2))]);
    d = {
      ...d,
      location: { lat: 28.7, lng: 115.8, source: 'grid', placeName: '城南街道第2网格' },
      categoryId: 'C0101',
      description: '  有积水  ',
      anonymous: true,
    };
    d = joinCampaign(d, { id: 'camp1', title: '活动', categoryIds: [] });
    const input = toCreateReportInput(d);
    expect(input).toEqual({
      categoryId: 'C0101',
      description: '有积水',
      location: { lat: 28.7, lng: 115.8 },
      photoIds: [PID(1), PID(2)],
      anonymous: true,
      clientRequestId: d.clientRequestId,
      address: '城南街道第2网格',
      campaignId: 'camp1',
    });
    expect(createReportSchema.safeParse(input).success).toBe(true);
  });

  it('joining a campaign preselects its only category, and keeps a chosen one that fits', () => {
    const d = { ...newDraft(), categoryId: 'E0102', categoryName: '暴露垃圾' };
    expect(joinCampaign(d, { id: 'c', title: 't', categoryIds: ['E0201'] }, { E0201: '非法小广告' })).toMatchObject({
      categoryId: 'E0201',
      categoryName: '非法小广告',
    });
    expect(joinCampaign(d, { id: 'c', title: 't', categoryIds: ['E0102', 'E0201'] })).toMatchObject({ categoryId: 'E0102' });
    expect(joinCampaign(d, { id: 'c', title: 't', categoryIds: ['E0201', 'E0204'] })).toMatchObject({ categoryId: null });
    expect(joinCampaign(d, { id: 'c', title: 't', categoryIds: [] })).toMatchObject({ categoryId: 'E0102' });
  });

  it('suggests the first photo position the camera recorded', () => {
    const d = addPhotos(newDraft(), [
      photo(PID(1), { lat: null, lng: null, takenAt: null }),
      photo(PID(2), { lat: 28.1, lng: 115.2, takenAt: '2026-11-20T01:00:00Z' }),
    ]);
    expect(exifSuggestion(d)).toEqual({ lat: 28.1, lng: 115.2, takenAt: '2026-11-20T01:00:00Z' });
    expect(exifSuggestion(newDraft())).toBeNull();
  });
});
