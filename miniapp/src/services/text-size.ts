import { storage } from './storage';

/**
 * Large-text mode (适老化): every font size in the app's CSS is `calc(… * var(--text-scale, 1))`,
 * so one variable scales all text. In the browser it is set on the document; in WeChat,
 * where pages have no shared root, each page sets it through <TextScale /> (page-meta).
 */
const KEY = 'ssp.largeText';
export const LARGE_TEXT_SCALE = 1.25;

export function isLargeText(): boolean {
  return storage.get<boolean>(KEY) === true;
}

export function textScale(): number {
  return isLargeText() ? LARGE_TEXT_SCALE : 1;
}

export function applyTextScale(): void {
  if (process.env.TARO_ENV === 'h5' && typeof document !== 'undefined') {
    document.documentElement.style.setProperty('--text-scale', String(textScale()));
  }
}

export function setLargeText(on: boolean): void {
  storage.set(KEY, on);
  applyTextScale();
}
