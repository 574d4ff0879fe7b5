import Taro from '@tarojs/taro';
import type { KeyValueStore } from '../logic/storage';

/** Taro storage (wx storage on WeChat, localStorage on H5) behind the logic's KeyValueStore. */
export const storage: KeyValueStore = {
  get<T>(key: string): T | undefined {
    try {
      const v = Taro.getStorageSync(key) as T | '';
      return v === '' ? undefined : v;
    } catch {
      return undefined;
    }
  },
  set(key, value) {
    try {
      Taro.setStorageSync(key, value);
    } catch {
      // Storage full or unavailable: the app keeps working, only persistence is lost.
    }
  },
  remove(key) {
    try {
      Taro.removeStorageSync(key);
    } catch {
      /* ignore */
    }
  },
};
