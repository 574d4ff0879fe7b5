import type { SubscribePurpose, SubscriptionStatus } from '@ssp/shared';

/** WeChat shows at most three templates in one subscribe popup. */
export const MAX_TEMPLATES_PER_ASK = 3;

/**
 * The templates worth asking for now: those of the given purposes (default: every case
 * template) that would not already reach the citizen (a long-term one accepted already
 * needs no second ask; one-time ones are asked again, each acceptance is one more send).
 */
export function templatesToAsk(status: SubscriptionStatus | null, purposes?: readonly SubscribePurpose[]): string[] {
  if (!status) return [];
  return status.templates
    .filter((t) => (purposes ? purposes.includes(t.purpose) : t.purpose !== 'campaign'))
    .filter((t) => !(t.kind === 'long-term' && t.active))
    .map((t) => t.templateId)
    .slice(0, MAX_TEMPLATES_PER_ASK);
}

/** Whether further steps of a case would reach WeChat: a progress template active (a rating reminder alone tells nothing of progress). */
export function caseUpdatesReachWeChat(status: SubscriptionStatus | null): boolean {
  return !!status?.templates.some((t) => t.purpose !== 'campaign' && t.purpose !== 'ratingReminder' && t.active);
}

/** The badge text for an unread count: nothing at 0, "99+" past 99. */
export function badgeText(unread: number): string | null {
  if (unread <= 0) return null;
  return unread > 99 ? '99+' : String(unread);
}
