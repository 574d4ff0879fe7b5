import { loadConfig } from '../src/config';
import { WeChatApiError, WeChatClient, WECHAT_ERRCODE, type SubscribeMessage } from '../src/auth/wechat-client';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { TestClock } from './helpers/harness';

let wechat: FakeWeChat;
beforeAll(async () => {
  wechat = await startFakeWeChat();
});
afterAll(async () => {
  await wechat.close();
});
beforeEach(() => wechat.reset());

function newClient(clock = new TestClock(), env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', ...wechat.env, WECHAT_TIMEOUT_MS: '300', WECHAT_MINIPROGRAM_STATE: 'trial', ...env });
  return new WeChatClient(config.wechat, clock);
}

const message = (touser: string): SubscribeMessage => ({
  touser,
  templateId: 'tpl-case-status',
  page: 'pages/report/detail?id=r1',
  data: { thing1: { value: '井盖破损' }, phrase2: { value: '已结案' } },
});

async function failureOf(promise: Promise<unknown>): Promise<WeChatApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WeChatApiError);
  return err as WeChatApiError;
}

describe('code2Session', () => {
  it('answers the openid and nothing of the session key', async () => {
    const session = await newClient().code2Session(wechat.newCode('alice'));
    expect(session).toEqual({ openid: wechat.openidOf('alice') });
    expect(session.openid).toMatch(/^o[A-Za-z0-9]{27}$/);
  });

  it('throws the errcode WeChat answered', async () => {
    wechat.scriptCode('bad-code', 40029);
    const err = await failureOf(newClient().code2Session('bad-code'));
    expect(err).toMatchObject({ errcode: 40029, kind: 'api', isRetryable: false });
  });

  it('fails with the configured secret wrong', async () => {
    const err = await failureOf(newClient(undefined, { WECHAT_SECRET: 'wrong' }).code2Session(wechat.newCode('x')));
    expect(err).toMatchObject({ errcode: 40125, kind: 'api' });
  });
});

describe('access token', () => {
  it('is fetched from stable_token once and cached until five minutes before it expires', async () => {
    const clock = new TestClock();
    const client = newClient(clock);
    const [a, b] = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    expect(a).toBe(b);
    expect(await client.getAccessToken()).toBe(a);
    expect(wechat.tokenRequests).toEqual([{ api: 'stable_token', forceRefresh: false }]);

    clock.advance((7200 - 300) * 1000 - 1000);
    expect(await client.getAccessToken()).toBe(a);
    expect(wechat.tokenRequests).toHaveLength(1);

    clock.advance(2000);
    const renewed = await client.getAccessToken();
    expect(renewed).not.toBe(a);
    expect(wechat.tokenRequests).toHaveLength(2);
  });
});

describe('sendSubscribeMessage', () => {
  it('delivers the message in WeChat’s format', async () => {
    const client = newClient();
    const openid = wechat.openidOf('alice');
    wechat.acceptSubscription(openid, ['tpl-case-status']);
    await client.sendSubscribeMessage(message(openid));
    expect(wechat.messages).toEqual([
      {
        touser: openid,
        template_id: 'tpl-case-status',
        page: 'pages/report/detail?id=r1',
        data: { thing1: { value: '井盖破损' }, phrase2: { value: '已结案' } },
        miniprogram_state: 'trial',
        lang: 'zh_CN',
        accessToken: await client.getAccessToken(),
      },
    ]);
  });

  it('throws 43101 as not retryable when the user did not subscribe', async () => {
    // No acceptance in the subscribe popup: no send is allowed.
    const openid = wechat.openidOf('bob');
    const err = await failureOf(newClient().sendSubscribeMessage(message(openid)));
    expect(err).toMatchObject({ errcode: WECHAT_ERRCODE.USER_NOT_SUBSCRIBED, kind: 'api', isRetryable: false });
    expect(err.message).not.toContain(openid);
    expect(wechat.messages).toHaveLength(0);
  });

  it('throws "system busy" as retryable; the next send goes through', async () => {
    const client = newClient();
    wechat.acceptSubscription(wechat.openidOf('carol'), ['tpl-case-status']);
    wechat.failNextSends(1, { errcode: -1 });
    const err = await failureOf(client.sendSubscribeMessage(message(wechat.openidOf('carol'))));
    expect(err).toMatchObject({ errcode: WECHAT_ERRCODE.SYSTEM_BUSY, isRetryable: true });
    await client.sendSubscribeMessage(message(wechat.openidOf('carol')));
    expect(wechat.messages).toHaveLength(1);
  });

  it('renews a rejected access token and retries once', async () => {
    const client = newClient();
    wechat.acceptSubscription(wechat.openidOf('dave'), ['tpl-case-status', 'tpl-case-status']);
    await client.sendSubscribeMessage(message(wechat.openidOf('dave')));
    wechat.invalidateAccessTokens();
    await client.sendSubscribeMessage(message(wechat.openidOf('dave')));
    expect(wechat.sendAttempts.map((a) => a.outcome)).toEqual([0, 40001, 0]);
    expect(wechat.tokenRequests).toHaveLength(2);
    expect(wechat.messages).toHaveLength(2);
  });

  it('retries a rejected access token only once', async () => {
    const client = newClient();
    wechat.failNextSends(3, { errcode: 42001 });
    const err = await failureOf(client.sendSubscribeMessage(message(wechat.openidOf('erin'))));
    expect(err).toMatchObject({ errcode: 42001, isRetryable: true });
    expect(wechat.sendAttempts).toHaveLength(2);
  });

  it.each([
    ['an HTTP 500', 'http', { httpStatus: 500 } as const],
    ['a dropped connection', 'network', 'destroy' as const],
    ['no answer', 'timeout', 'hang' as const],
  ])('throws %s as a retryable failure of kind %s', async (_label, kind, failure) => {
    const client = newClient();
    await client.getAccessToken();
    wechat.failNextSends(1, failure);
    const err = await failureOf(client.sendSubscribeMessage(message(wechat.openidOf('frank'))));
    expect(err).toMatchObject({ errcode: WECHAT_ERRCODE.NETWORK, kind, isRetryable: true });
  });

  it('throws a network failure while WeChat is unreachable', async () => {
    const client = newClient();
    wechat.acceptSubscription(wechat.openidOf('grace'), ['tpl-case-status']);
    wechat.setDown(true);
    const err = await failureOf(client.sendSubscribeMessage(message(wechat.openidOf('grace'))));
    expect(err).toMatchObject({ errcode: WECHAT_ERRCODE.NETWORK, kind: 'network', isRetryable: true });
    wechat.setDown(false);
    await client.sendSubscribeMessage(message(wechat.openidOf('grace')));
    expect(wechat.messages).toHaveLength(1);
  });
});
