import Taro from '@tarojs/taro';
import { storage } from './storage';

/**
 * Photos picked for a report but not yet uploaded, kept so that closing the app on a
 * weak network loses none: on WeChat the temporary file is saved (Taro.saveFile), in the
 * browser the image itself goes to IndexedDB (its blob: URL dies with the page). The list
 * of kept photos lives in storage; `restoreAll` gives back paths the uploader can read.
 */
const KEY = 'ssp.pendingPhotos';
const DB = 'ssp-pending-photos';
const STORE = 'photos';

export interface KeptPhoto {
  /** Saved file path (weapp) or IndexedDB key (h5). */
  ref: string;
}

const list = (): KeptPhoto[] => storage.get<KeptPhoto[]>(KEY) ?? [];
const save = (items: KeptPhoto[]) => storage.set(KEY, items);

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idb<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = fn(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps a just-picked photo; returns its ref (the path itself where it cannot be kept). */
export async function keepPhoto(tempPath: string): Promise<string> {
  let ref = tempPath;
  try {
    if (process.env.TARO_ENV === 'weapp') {
      ref = ((await Taro.saveFile({ tempFilePath: tempPath })) as unknown as { savedFilePath: string }).savedFilePath;
    } else {
      ref = `photo-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      const blob = await (await fetch(tempPath)).blob();
      await idb('readwrite', (s) => s.put(blob, ref));
    }
  } catch {
    return tempPath; // not kept: still uploads now, just not after a restart
  }
  save([...list(), { ref }]);
  return ref;
}

/** A path the uploader can read for a kept photo. */
async function pathOf(ref: string): Promise<string | null> {
  if (process.env.TARO_ENV === 'weapp') return ref;
  const blob = await idb<Blob | undefined>('readonly', (s) => s.get(ref) as IDBRequest<Blob | undefined>).catch(() => undefined);
  return blob ? URL.createObjectURL(blob) : null;
}

/** Every kept photo with a readable path (ones that cannot be read any more are dropped). */
export async function restoreAll(): Promise<{ ref: string; path: string }[]> {
  const out: { ref: string; path: string }[] = [];
  for (const { ref } of list()) {
    const path = await pathOf(ref);
    if (path) out.push({ ref, path });
    else await forgetPhoto(ref);
  }
  return out;
}

/** Uploaded or discarded: no longer kept. */
export async function forgetPhoto(ref: string): Promise<void> {
  save(list().filter((p) => p.ref !== ref));
  try {
    if (process.env.TARO_ENV === 'weapp') await Taro.removeSavedFile({ filePath: ref });
    else await idb('readwrite', (s) => s.delete(ref));
  } catch {
    // already gone
  }
}

export const keptCount = () => list().length;
