import type { SubscriptionStatus } from '@ssp/shared';
import { TAB_PAGES } from '@ssp/shared';
import Taro from '@tarojs/taro';
// jest.mock below is hoisted above this import; its factories read the test's state only when called.
import { askToSubscribe, loadSubscriptions, refreshUnreadBadge } from '../src/services/subscriptions';

/**
 * The WeChat-only glue of subscribe messages: what the popup is asked for, which of its
 * answers reach the API, and the unread badge on the 我的 tab. The API client is replaced
 * by recorders here; the API side is tested over HTTP in api/test/notifications.test.ts.
 */
const status: SubscriptionStatus = {
  mode: 'one-time',
  templates: [
    { purpose: 'caseAccepted', name: '受理结果通知', templateId: 't-acc', kind: 'one-time', remaining: 0, active: false },
    { purpose: 'caseResult', name: '办理结果通知', templateId: 't-res', kind: 'one-time', remaining: 0, active: false },
    { purpose: 'ratingReminder', name: '评价提醒', templateId: 't-rate', kind: 'one-time', remaining: 0, active: false },
    { purpose: 'campaign', name: '活动开始提醒', templateId: 't-camp', kind: 'one-time', remaining: 0, active: false },
  ],
};

const recorded: Array<Record<string, string>> = [];
let unread = 0;
jest.mock('../src/services/session', () => ({ isCitizenSignedIn: () => true }));
jest.mock('../src/services/api', () => ({
  messagesApi: {
    subscriptions: async () => status,
    recordSubscriptions: async (results: Record<string, string>) => {
      recorded.push(results);
      return status;
    },
    unread: async () => unread,
  },
}));

const popup = Taro.requestSubscribeMessage as unknown as jest.Mock;

beforeEach(() => {
  recorded.length = 0;
  popup.mockClear();
  (Taro.setTabBarBadge as unknown as jest.Mock).mockClear();
  (Taro.removeTabBarBadge as unknown as jest.Mock).mockClear();
  process.env.TARO_ENV = 'weapp';
});
afterAll(() => {
  Reflect.deleteProperty(process.env, 'TARO_ENV');
});

describe('the subscribe popup (weapp)', () => {
  it('asks for the three case templates at once and records what the citizen answered, nothing else', async () => {
    await loadSubscriptions();
    popup.mockResolvedValueOnce({ 't-acc': 'accept', 't-res': 'reject', 't-rate': 'ban', errMsg: 'requestSubscribeMessage:ok' });
    expect(await askToSubscribe()).toBe(true);
    expect(popup).toHaveBeenCalledTimes(1);
    expect(popup.mock.calls[0][0]).toMatchObject({ tmplIds: ['t-acc', 't-res', 't-rate'] });
    expect(recorded).toEqual([{ 't-acc': 'accept', 't-res': 'reject', 't-rate': 'ban' }]);
  });

  it('asks for the campaign template alone on a campaign', async () => {
    await loadSubscriptions();
    popup.mockResolvedValueOnce({ 't-camp': 'accept', errMsg: 'requestSubscribeMessage:ok' });
    await askToSubscribe(['campaign']);
    expect(popup.mock.calls[0][0]).toMatchObject({ tmplIds: ['t-camp'] });
    expect(recorded).toEqual([{ 't-camp': 'accept' }]);
  });

  it('records nothing when the popup fails or is closed', async () => {
    await loadSubscriptions();
    popup.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail cancel', errCode: 20004 });
    expect(await askToSubscribe()).toBe(false);
    expect(recorded).toEqual([]);
  });

  it('shows no popup in the browser (H5 has none)', async () => {
    process.env.TARO_ENV = 'h5';
    await loadSubscriptions();
    expect(await askToSubscribe()).toBe(false);
    expect(popup).not.toHaveBeenCalled();
  });
});

describe('the unread badge on 我的', () => {
  it('sets the count on the 我的 tab and removes it at zero', async () => {
    const mine = TAB_PAGES.indexOf('mine');
    expect(mine).toBeGreaterThanOrEqual(0);
    unread = 7;
    expect(await refreshUnreadBadge()).toBe(7);
    expect(Taro.setTabBarBadge).toHaveBeenCalledWith({ index: mine, text: '7' });
    unread = 0;
    expect(await refreshUnreadBadge()).toBe(0);
    expect(Taro.removeTabBarBadge).toHaveBeenCalledWith({ index: mine });
  });
});
