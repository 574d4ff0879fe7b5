import { useCallback, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { MAX_PHOTOS_PER_REPORT, type PublicCategory, type ReportDetail } from '@ssp/shared';
import { RECENT_CATEGORIES_KEY, rememberRecent } from '../logic/categories';
import {
  addPhotos,
  clearDraft,
  exifSuggestion,
  loadDraft,
  missingFields,
  MISSING_FIELD_HINTS,
  newDraft,
  removePhoto,
  saveDraft,
  toCreateReportInput,
  type DraftLocation,
  type DraftPhoto,
  type ReportDraft,
} from '../logic/draft';
import { round6 } from '../logic/geo';
import { reportsApi } from '../services/api';
import { currentLocation, locationErrorText } from '../services/location';
import { refreshMe, requireCitizen } from '../services/session';
import { storage } from '../services/storage';
import { errorMessage } from '../services/ui';
import { askToSubscribe } from '../services/subscriptions';
import { useNearbyCases } from './useNearbyCases';
import { usePhotoUploads } from './usePhotoUploads';
import { useReportPlace } from './useReportPlace';

/**
 * Everything the 上报 page does, around one persisted draft: photo uploads
 * (usePhotoUploads), the position and what it is called (useReportPlace), nearby open
 * cases of the chosen category (useNearbyCases), and an idempotent submit.
 */
export function useReportDraft() {
  const [draft, setDraftState] = useState<ReportDraft>(() => loadDraft(storage));
  const draftRef = useRef(draft);
  const [locating, setLocating] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitFailed, setSubmitFailed] = useState(false);
  const [submitted, setSubmitted] = useState<ReportDetail | null>(null);
  const triedAutoLocate = useRef(false);

  const update = useCallback((fn: (d: ReportDraft) => ReportDraft) => {
    const next = saveDraft(storage, fn(draftRef.current));
    draftRef.current = next;
    setDraftState(next);
  }, []);
  const replaceDraft = useCallback((next: ReportDraft) => {
    draftRef.current = next;
    setDraftState(next);
  }, []);

  const setLocation = useCallback((loc: DraftLocation) => update((d) => ({ ...d, location: loc })), [update]);

  const {
    uploads,
    queue,
    pick: pickPhotos,
    discard: discardUpload,
    discardAll: discardUploads,
  } = usePhotoUploads((photo: DraftPhoto) => {
    update((d) => addPhotos(d, [photo]));
    // No position yet: where the photo was taken (EXIF, converted to GCJ-02 by the API) is the best guess.
    if (!draftRef.current.location && photo.exif?.lat != null && photo.exif.lng != null) {
      setLocation({ lat: round6(photo.exif.lat), lng: round6(photo.exif.lng), source: 'exif' });
    }
  });

  const { place, setPlace } = useReportPlace(
    { lat: draft.location?.lat, lng: draft.location?.lng, placeName: draft.location?.placeName },
    { current: () => draftRef.current.address, onAddress: (address) => update((d) => ({ ...d, address })) },
  );
  const { nearby, supportingId, support } = useNearbyCases(draft.location?.lat, draft.location?.lng, draft.categoryId);

  /** Back on the page: another page may have changed the stored draft (joining a campaign). */
  const reloadDraft = useCallback(() => {
    const stored = loadDraft(storage);
    if (stored.clientRequestId !== draftRef.current.clientRequestId || stored.updatedAt > draftRef.current.updatedAt) replaceDraft(stored);
  }, [replaceDraft]);

  const locate = useCallback(async () => {
    setLocating(true);
    try {
      const p = await currentLocation();
      setLocation({ lat: round6(p.lat), lng: round6(p.lng), source: 'gps' });
    } catch (err) {
      setPlace({ text: locationErrorText(err), error: true });
    } finally {
      setLocating(false);
    }
  }, [setLocation, setPlace]);

  const autoLocate = useCallback(() => {
    if (triedAutoLocate.current || draftRef.current.location) return;
    triedAutoLocate.current = true;
    void locate();
  }, [locate]);

  const addPhotosFromDevice = useCallback(async () => {
    const room = MAX_PHOTOS_PER_REPORT - draftRef.current.photos.length - queue.items.length;
    if (await pickPhotos(room)) autoLocate();
  }, [pickPhotos, queue, autoLocate]);

  const chooseCategory = useCallback(
    (c: Pick<PublicCategory, 'id' | 'name'>) => {
      update((d) => ({ ...d, categoryId: c.id, categoryName: c.name }));
      storage.set(RECENT_CATEGORIES_KEY, rememberRecent(storage.get<string[]>(RECENT_CATEGORIES_KEY) ?? [], c.id));
    },
    [update],
  );

  const submit = useCallback(async () => {
    const d = draftRef.current;
    const missing = missingFields(d);
    if (missing.length) {
      void Taro.showToast({ title: MISSING_FIELD_HINTS[missing[0]!], icon: 'none' });
      return;
    }
    if (queue.busy) {
      void Taro.showToast({ title: '照片还在上传，请稍候', icon: 'none' });
      return;
    }
    // Must run first in the tap handler: WeChat only asks inside a user gesture. Up to
    // three templates at once (受理结果, 办理结果, 评价提醒), or the one long-term template.
    await askToSubscribe();
    if (!(await requireCitizen())) return;
    setSubmitting(true);
    try {
      // The same clientRequestId on every retry: the API answers with the first report.
      const { report } = await reportsApi.create(toCreateReportInput(d));
      clearDraft(storage);
      replaceDraft(newDraft());
      setPlace({ text: '', error: false });
      triedAutoLocate.current = false;
      setSubmitFailed(false);
      setSubmitted(report);
      void refreshMe().catch(() => undefined);
    } catch (err) {
      setSubmitFailed(true);
      void Taro.showModal({
        title: '提交未成功',
        content: `${errorMessage(err)}。草稿已保存，可稍后重新提交。`,
        showCancel: false,
        confirmText: '知道了',
      });
    } finally {
      setSubmitting(false);
    }
  }, [queue, replaceDraft, setPlace]);

  const exif = exifSuggestion(draft);
  return {
    draft,
    update,
    uploads,
    queue,
    place,
    locating,
    nearby,
    supportingId,
    submitting,
    submitFailed,
    submitted,
    exifLocation: exif ? { lat: round6(exif.lat), lng: round6(exif.lng) } : null,
    missing: missingFields(draft),
    reloadDraft,
    autoLocate,
    locate,
    setLocation,
    addPhotosFromDevice,
    removePhoto: (id: string) => update((d) => removePhoto(d, id)),
    discardUpload,
    chooseCategory,
    support,
    submit,
    startOver: () => {
      setSubmitted(null);
      reloadDraft();
    },
    discardDraft: () => {
      clearDraft(storage);
      replaceDraft(newDraft());
      discardUploads();
    },
  };
}
