import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { ApiRequestError, MAX_PHOTOS_PER_REPORT, type NearbyCase, type PublicCategory, type ReportDetail } from '@ssp/shared';
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
import { UploadQueue, type UploadItem } from '../logic/upload-queue';
import { cityApi, reportsApi } from '../services/api';
import { currentLocation, locationErrorText } from '../services/location';
import { api, refreshMe, requireCitizen } from '../services/session';
import { storage } from '../services/storage';
import { errorMessage, isCancel, toastError, toastOk } from '../services/ui';
import { uploadPhoto } from '../services/upload';
import { askToSubscribe } from '../services/subscriptions';
import { forgetPhoto, keepPhoto, restoreAll } from '../services/pending-photos';

/**
 * Everything the 上报 page does, around one persisted draft: photo uploads with
 * progress and retry, the location and its grid name, nearby open cases of the
 * chosen category, and an idempotent submit.
 */
export function useReportDraft() {
  const [draft, setDraftState] = useState<ReportDraft>(() => loadDraft(storage));
  const draftRef = useRef(draft);
  const [uploads, setUploads] = useState<readonly UploadItem<DraftPhoto>[]>([]);
  const [place, setPlace] = useState<{ text: string; error: boolean }>({ text: '', error: false });
  const [locating, setLocating] = useState(false);
  const [nearby, setNearby] = useState<NearbyCase[]>([]);
  const [supportingId, setSupportingId] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitFailed, setSubmitFailed] = useState(false);
  const [submitted, setSubmitted] = useState<ReportDetail | null>(null);
  const triedAutoLocate = useRef(false);

  const update = useCallback((fn: (d: ReportDraft) => ReportDraft) => {
    const next = saveDraft(storage, fn(draftRef.current));
    draftRef.current = next;
    setDraftState(next);
  }, []);

  const setLocation = useCallback((loc: DraftLocation) => update((d) => ({ ...d, location: loc })), [update]);

  const queueRef = useRef<UploadQueue<DraftPhoto> | null>(null);
  /** Queue file path → kept photo ref (services/pending-photos.ts), forgotten once uploaded. */
  const keptRefs = useRef(new Map<string, string>());
  if (!queueRef.current) {
    queueRef.current = new UploadQueue<DraftPhoto>((path, onProgress) => uploadPhoto(api, path, onProgress), {
      onChange: (items) => setUploads([...items]),
      onUploaded: (photo, item) => {
        const ref = keptRefs.current.get(item.filePath);
        if (ref) {
          keptRefs.current.delete(item.filePath);
          void forgetPhoto(ref);
        }
        update((d) => addPhotos(d, [photo]));
        // No position yet: where the photo was taken (EXIF, converted to GCJ-02 by the API) is the best guess.
        if (!draftRef.current.location && photo.exif?.lat != null && photo.exif.lng != null) {
          setLocation({ lat: round6(photo.exif.lat), lng: round6(photo.exif.lng), source: 'exif' });
        }
      },
    });
  }
  const queue = queueRef.current;

  // Photos still waiting from before the app closed: back in the queue, uploading again.
  useEffect(() => {
    void restoreAll().then((kept) => {
      const fresh = kept.filter((k) => ![...keptRefs.current.values()].includes(k.ref));
      for (const k of fresh) keptRefs.current.set(k.path, k.ref);
      if (fresh.length) queue.add(fresh.map((k) => k.path));
    });
    // Back online: whatever failed for the network goes again.
    const onNetwork = (res: { isConnected: boolean }) => {
      if (res.isConnected) queue.retryAll();
    };
    Taro.onNetworkStatusChange(onNetwork);
    // Browsers without the Network Information API only fire 'online'.
    const online = () => onNetwork({ isConnected: true });
    if (process.env.TARO_ENV === 'h5') window.addEventListener('online', online);
    return () => {
      Taro.offNetworkStatusChange?.(onNetwork);
      if (process.env.TARO_ENV === 'h5') window.removeEventListener('online', online);
    };
  }, [queue]);

  /** Back on the page: another page may have changed the stored draft (joining a campaign). */
  const reloadDraft = useCallback(() => {
    const stored = loadDraft(storage);
    if (stored.clientRequestId !== draftRef.current.clientRequestId || stored.updatedAt > draftRef.current.updatedAt) {
      draftRef.current = stored;
      setDraftState(stored);
    }
  }, []);

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
  }, [setLocation]);

  const autoLocate = useCallback(() => {
    if (triedAutoLocate.current || draftRef.current.location) return;
    triedAutoLocate.current = true;
    void locate();
  }, [locate]);

  // The grid name tells the citizen the position is right (or outside the city).
  const lat = draft.location?.lat;
  const lng = draft.location?.lng;
  const placeName = draft.location?.placeName;
  useEffect(() => {
    if (lat === undefined || lng === undefined) return;
    let live = true;
    cityApi
      .locate(lat, lng)
      .then(
        (r) => live && setPlace({ text: `${placeName ? `${placeName} · ` : ''}${r.district.name} ${r.street.name} ${r.grid.name}`, error: false }),
      )
      .catch((e: unknown) => {
        if (!live) return;
        const outside = e instanceof ApiRequestError && e.code === 'OUTSIDE_SERVICE_AREA';
        setPlace({ text: outside ? '该位置不在本市服务范围内，请调整位置' : `${lat}, ${lng}`, error: outside });
      });
    return () => {
      live = false;
    };
  }, [lat, lng, placeName]);

  // The street address at the position, where a geocoding provider is configured; never
  // over what the citizen typed (only over an address it filled itself).
  const autoAddress = useRef('');
  useEffect(() => {
    if (lat === undefined || lng === undefined) return;
    let live = true;
    cityApi
      .reverse(lat, lng)
      .then((address) => {
        const current = draftRef.current.address;
        if (!live || !address || (current && current !== autoAddress.current)) return;
        autoAddress.current = address;
        update((d) => ({ ...d, address }));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [lat, lng, update]);

  // Open cases of this category nearby: 我也遇到 instead of a duplicate.
  const categoryId = draft.categoryId;
  useEffect(() => {
    if (lat === undefined || lng === undefined || !categoryId) {
      setNearby([]);
      return;
    }
    let live = true;
    reportsApi
      .nearby(lat, lng, categoryId)
      .then((items) => live && setNearby(items))
      .catch(() => live && setNearby([]));
    return () => {
      live = false;
    };
  }, [lat, lng, categoryId]);

  const addPhotosFromDevice = useCallback(async () => {
    const room = MAX_PHOTOS_PER_REPORT - draftRef.current.photos.length - queue.items.length;
    if (room <= 0) return;
    if (!(await requireCitizen())) return;
    try {
      const res = await Taro.chooseMedia({ count: room, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] });
      const paths = res.tempFiles.map((f) => f.tempFilePath).slice(0, room);
      // Kept first, so a photo picked offline survives the app being closed.
      const refs = await Promise.all(paths.map((p) => keepPhoto(p)));
      paths.forEach((p, i) => refs[i] !== p && keptRefs.current.set(p, refs[i]!));
      queue.add(paths);
      autoLocate();
    } catch (err) {
      if (!isCancel(err)) toastError(err, '无法打开相机或相册');
    }
  }, [queue, autoLocate]);

  const chooseCategory = useCallback(
    (c: Pick<PublicCategory, 'id' | 'name'>) => {
      update((d) => ({ ...d, categoryId: c.id, categoryName: c.name }));
      storage.set(RECENT_CATEGORIES_KEY, rememberRecent(storage.get<string[]>(RECENT_CATEGORIES_KEY) ?? [], c.id));
    },
    [update],
  );

  const support = useCallback(async (c: NearbyCase) => {
    if (!(await requireCitizen())) return;
    setSupportingId(c.id);
    try {
      const r = await reportsApi.support(c.id);
      setNearby((list) => list.map((x) => (x.id === c.id ? { ...x, supportedByMe: true, supporterCount: r.supporterCount } : x)));
      toastOk('已附议');
    } catch (err) {
      toastError(err);
    } finally {
      setSupportingId(null);
    }
  }, []);

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
      const fresh = newDraft();
      draftRef.current = fresh;
      setDraftState(fresh);
      setNearby([]);
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
  }, [queue]);

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
    discardUpload: (key: string) => {
      const item = queue.items.find((i) => i.key === key);
      const ref = item && keptRefs.current.get(item.filePath);
      if (item && ref) {
        keptRefs.current.delete(item.filePath);
        void forgetPhoto(ref);
      }
      queue.remove(key);
    },
    chooseCategory,
    support,
    submit,
    startOver: () => {
      setSubmitted(null);
      reloadDraft();
    },
    discardDraft: () => {
      clearDraft(storage);
      const fresh = newDraft();
      draftRef.current = fresh;
      setDraftState(fresh);
      queue.items.forEach((i) => queue.remove(i.key));
      for (const [path, ref] of keptRefs.current) {
        keptRefs.current.delete(path);
        void forgetPhoto(ref);
      }
    },
  };
}
