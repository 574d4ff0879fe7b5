import type { SubscriptionStatus } from '@ssp/shared';
import { badgeText, caseUpdatesReachWeChat, templatesToAsk } from '../src/logic/subscriptions';

const oneTime = (remaining: [number, number, number]): SubscriptionStatus => ({
  mode: 'one-time',
  templates: [
    { purpose: 'caseAccepted', name: '受理结果通知', templateId: 't-acc', kind: 'one-time', remaining: remaining[0], active: remaining[0] > 0 },
    { purpose: 'caseResult', name: '办理结果通知', templateId: 't-res', kind: 'one-time', remaining: remaining[1], active: remaining[1] > 0 },
    { purpose: 'ratingReminder', name: '评价提醒', templateId: 't-rate', kind: 'one-time', remaining: remaining[2], active: remaining[2] > 0 },
    { purpose: 'campaign', name: '活动开始提醒', templateId: 't-camp', kind: 'one-time', remaining: 0, active: false },
  ],
});

describe('subscribe-message asks', () => {
  it('asks for up to three case templates at once, leaving campaign reminders to the campaign page', () => {
    expect(templatesToAsk(oneTime([0, 0, 0]))).toEqual(['t-acc', 't-res', 't-rate']);
    expect(templatesToAsk(oneTime([0, 0, 0]), ['campaign'])).toEqual(['t-camp']);
    expect(templatesToAsk(oneTime([1, 0, 0]), ['caseResult'])).toEqual(['t-res']);
    expect(templatesToAsk(null)).toEqual([]);
  });

  it('does not ask again for a long-term template already accepted', () => {
    const longTerm = (active: boolean): SubscriptionStatus => ({
      mode: 'long-term',
      templates: [{ purpose: 'caseStatus', name: '案件进度提醒', templateId: 't-long', kind: 'long-term', remaining: null, active }],
    });
    expect(templatesToAsk(longTerm(false))).toEqual(['t-long']);
    expect(templatesToAsk(longTerm(true))).toEqual([]);
    expect(caseUpdatesReachWeChat(longTerm(true))).toBe(true);
  });

  it('knows when the next step of a case would reach WeChat', () => {
    expect(caseUpdatesReachWeChat(oneTime([0, 0, 0]))).toBe(false);
    expect(caseUpdatesReachWeChat(oneTime([0, 1, 0]))).toBe(true);
    // Only the rating reminder left: progress would not reach WeChat, so 订阅进度提醒 is offered.
    expect(caseUpdatesReachWeChat(oneTime([0, 0, 1]))).toBe(false);
  });

  it('writes the unread badge as WeChat shows it', () => {
    expect(badgeText(0)).toBeNull();
    expect(badgeText(7)).toBe('7');
    expect(badgeText(120)).toBe('99+');
  });
});
