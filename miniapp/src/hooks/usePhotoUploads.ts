import { useCallback, useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import type { DraftPhoto } from '../logic/draft';
import { UploadQueue, type UploadItem } from '../logic/upload-queue';
import { api, requireCitizen } from '../services/session';
import { isCancel, toastError } from '../services/ui';
import { uploadPhoto } from '../services/upload';
import { forgetPhoto, keepPhoto, restoreAll } from '../services/pending-photos';

/**
 * The report's photo uploads: picked photos are kept on the device first (so one picked
 * offline survives the app closing), uploaded with progress, retried when the network
 * comes back, and handed to `onUploaded` one by one.
 */
export function usePhotoUploads(onUploaded: (photo: DraftPhoto) => void) {
  const [uploads, setUploads] = useState<readonly UploadItem<DraftPhoto>[]>([]);
  const onUploadedRef = useRef(onUploaded);
  onUploadedRef.current = onUploaded;
  /** Queue file path → kept photo ref (services/pending-photos.ts), forgotten once uploaded. */
  const keptRefs = useRef(new Map<string, string>());
  const queueRef = useRef<UploadQueue<DraftPhoto> | null>(null);
  if (!queueRef.current) {
    queueRef.current = new UploadQueue<DraftPhoto>((path, onProgress) => uploadPhoto(api, path, onProgress), {
      onChange: (items) => setUploads([...items]),
      onUploaded: (photo, item) => {
        const ref = keptRefs.current.get(item.filePath);
        if (ref) {
          keptRefs.current.delete(item.filePath);
          void forgetPhoto(ref);
        }
        onUploadedRef.current(photo);
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

  /** Opens the camera or album for up to `room` photos and starts uploading them; false when nothing was picked. */
  const pick = useCallback(
    async (room: number): Promise<boolean> => {
      if (room <= 0) return false;
      if (!(await requireCitizen())) return false;
      try {
        const res = await Taro.chooseMedia({ count: room, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] });
        const paths = res.tempFiles.map((f) => f.tempFilePath).slice(0, room);
        // Kept first, so a photo picked offline survives the app being closed.
        const refs = await Promise.all(paths.map((p) => keepPhoto(p)));
        paths.forEach((p, i) => refs[i] !== p && keptRefs.current.set(p, refs[i]!));
        queue.add(paths);
        return paths.length > 0;
      } catch (err) {
        if (!isCancel(err)) toastError(err, '无法打开相机或相册');
        return false;
      }
    },
    [queue],
  );

  const discard = useCallback(
    (key: string) => {
      const item = queue.items.find((i) => i.key === key);
      const ref = item && keptRefs.current.get(item.filePath);
      if (item && ref) {
        keptRefs.current.delete(item.filePath);
        void forgetPhoto(ref);
      }
      queue.remove(key);
    },
    [queue],
  );

  const discardAll = useCallback(() => {
    queue.items.forEach((i) => queue.remove(i.key));
    for (const [path, ref] of keptRefs.current) {
      keptRefs.current.delete(path);
      void forgetPhoto(ref);
    }
  }, [queue]);

  return { uploads, queue, pick, discard, discardAll };
}
