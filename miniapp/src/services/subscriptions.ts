import Taro from '@tarojs/taro';
import { TAB_PAGES, type SubscribePurpose, type SubscriptionStatus } from '@ssp/shared';
import { badgeText, templatesToAsk } from '../logic/subscriptions';
import { messagesApi } from './api';
import { isCitizenSignedIn } from './session';

/*
 * WeChat subscribe messages and the unread badge. WeChat opens the subscribe popup only
 * inside a tap handler, so the template ids are loaded ahead (`loadSubscriptions` on page
 * show) and the tap calls `askToSubscribe` before anything else it awaits.
 */

let status: SubscriptionStatus | null = null;

export async function loadSubscriptions(): Promise<SubscriptionStatus | null> {
  if (!isCitizenSignedIn()) return null;
  status = await messagesApi.subscriptions().catch(() => status);
  return status;
}

export const currentSubscriptions = () => status;

/** Shows WeChat's subscribe popup (weapp only) and records the answers; false when there was nothing to ask. */
export async function askToSubscribe(purposes?: readonly SubscribePurpose[]): Promise<boolean> {
  const tmplIds = templatesToAsk(status, purposes);
  if (process.env.TARO_ENV !== 'weapp' || !tmplIds.length) return false;
  let answer: Record<string, string>;
  try {
    answer = (await Taro.requestSubscribeMessage({ tmplIds, entityIds: [] } as never)) as unknown as Record<string, string>;
  } catch {
    return false;
  }
  const results = Object.fromEntries(
    tmplIds.filter((id) => ['accept', 'reject', 'ban', 'filter'].includes(answer[id] ?? '')).map((id) => [id, answer[id] as 'accept']),
  );
  if (Object.keys(results).length) status = await messagesApi.recordSubscriptions(results).catch(() => status);
  return true;
}

/** The unread count on the 我的 tab (weapp and H5); returns the count. */
export async function refreshUnreadBadge(): Promise<number> {
  if (!isCitizenSignedIn()) return 0;
  const unread = await messagesApi.unread().catch(() => 0);
  const index = TAB_PAGES.indexOf('mine');
  const text = badgeText(unread);
  try {
    if (text) await Taro.setTabBarBadge({ index, text });
    else await Taro.removeTabBarBadge({ index });
  } catch {
    // Not on a tab page (WeChat refuses there): the tab shows it next time.
  }
  return unread;
}
