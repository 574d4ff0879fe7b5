import Taro from '@tarojs/taro';
import { ApiRequestError, requestErrorMessage } from '@ssp/shared';

const CJK = /[\u4e00-\u9fff]/;

/**
 * The text to show for any failure: the API's (Chinese) message, made specific with the
 * first field problem it names when that is written for people (e.g. 结束时间已过).
 */
export function errorMessage(err: unknown, fallback = '操作失败，请稍后重试'): string {
  if (err instanceof ApiRequestError) {
    const base = err.message || requestErrorMessage(err.code);
    const detail = err.details.find((d) => CJK.test(d.issue))?.issue;
    return detail && !base.includes(detail) ? `${base}：${detail}` : base;
  }
  const msg = (err as { errMsg?: string; message?: string } | null)?.errMsg ?? (err as Error | null)?.message;
  if (msg && /cancel/i.test(msg)) return '';
  return fallback;
}

export function toastError(err: unknown, fallback?: string): void {
  const title = errorMessage(err, fallback);
  if (title) void Taro.showToast({ title, icon: 'none', duration: 2500 });
}

export function toastOk(title: string): void {
  void Taro.showToast({ title, icon: 'success', duration: 1500 });
}

export async function confirm(title: string, content: string, confirmText = '确定'): Promise<boolean> {
  const res = await Taro.showModal({ title, content, confirmText, cancelText: '取消' });
  return res.confirm;
}

/** A user cancelling a picker is not an error worth a toast. */
export function isCancel(err: unknown): boolean {
  const msg = (err as { errMsg?: string } | null)?.errMsg ?? '';
  return /cancel|abort/i.test(msg);
}
