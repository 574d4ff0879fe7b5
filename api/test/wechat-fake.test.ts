import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';

/**
 * The WeChat fake is only worth its tests if it refuses what WeChat refuses. These talk to
 * it over HTTP, as the API does, and pin the limits the other suites rely on: subscribe
 * quotas (one send per one-time acceptance, any number for a long-term template, 43101
 * otherwise), msg_sec_check v2, media_check_async with its signed push, getwxacodeunlimit.
 */
let wechat: FakeWeChat;
let token: string;

beforeAll(async () => {
  wechat = await startFakeWeChat({ longTermTemplates: ['tmpl-long'] });
});
afterAll(() => wechat.close());
beforeEach(async () => {
  wechat.reset();
  const res = await post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: wechat.appId, secret: wechat.secret });
  token = (res.body as { access_token: string }).access_token;
});

async function post(path: string, body: unknown, withToken = false): Promise<{ status: number; type: string; body: unknown; bytes: Buffer }> {
  const url = `${wechat.url}${path}${withToken ? `?access_token=${encodeURIComponent(token)}` : ''}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, bytes, body: type.includes('image') ? null : JSON.parse(bytes.toString('utf8')) };
}

/** The user opens the mini-program: a wx.login code traded at jscode2session; returns the openid. */
async function visit(user: string): Promise<string> {
  const q = new URLSearchParams({ appid: wechat.appId, secret: wechat.secret, js_code: wechat.newCode(user), grant_type: 'authorization_code' });
  const res = await fetch(`${wechat.url}/sns/jscode2session?${q}`);
  return ((await res.json()) as { openid: string }).openid;
}

const send = (touser: string, templateId: string) =>
  post('/cgi-bin/message/subscribe/send', { touser, template_id: templateId, data: { thing5: { value: '测试' } } }, true).then(
    (r) => (r.body as { errcode: number }).errcode,
  );

describe('subscribe-message quotas', () => {
  it('allows exactly one send per acceptance of a one-time template, per user and template', async () => {
    const ann = wechat.openidOf('ann');
    const ben = wechat.openidOf('ben');
    expect(await send(ann, 'tmpl-once')).toBe(43101);
    wechat.acceptSubscription(ann, ['tmpl-once']);
    wechat.acceptSubscription(ann, ['tmpl-once']);
    expect(wechat.quotaOf(ann, 'tmpl-once')).toBe(2);
    // Ben's acceptance and Ann's other template are not Ann's sends of this one.
    wechat.acceptSubscription(ben, ['tmpl-once']);
    wechat.acceptSubscription(ann, ['tmpl-other']);
    expect(await send(ann, 'tmpl-once')).toBe(0);
    expect(await send(ann, 'tmpl-once')).toBe(0);
    expect(await send(ann, 'tmpl-once')).toBe(43101);
    expect(wechat.messages.map((m) => [m.touser, m.template_id])).toEqual([
      [ann, 'tmpl-once'],
      [ann, 'tmpl-once'],
    ]);
    expect(wechat.sendAttempts.map((a) => a.outcome)).toEqual([43101, 0, 0, 43101]);
  });

  it('allows any number of sends of a long-term template once accepted, none before', async () => {
    const cat = wechat.openidOf('cat');
    expect(await send(cat, 'tmpl-long')).toBe(43101);
    wechat.acceptSubscription(cat, ['tmpl-long']);
    for (let i = 0; i < 5; i++) expect(await send(cat, 'tmpl-long')).toBe(0);
    expect(wechat.quotaOf(cat, 'tmpl-long')).toBe(Infinity);
  });

  it('takes acceptances over HTTP for browser tests, and refuses a malformed one', async () => {
    const dot = wechat.openidOf('dot');
    const ok = await post('/__fake/subscribe-accept', { openid: dot, templateIds: ['tmpl-once', 'tmpl-long'] });
    expect(ok.status).toBe(200);
    expect(wechat.quotaOf(dot, 'tmpl-once')).toBe(1);
    expect(wechat.quotaOf(dot, 'tmpl-long')).toBe(Infinity);
    expect((await post('/__fake/subscribe-accept', { openid: dot })).status).toBe(400);
    expect(await send(dot, 'tmpl-once')).toBe(0);
    expect(await send(dot, 'tmpl-once')).toBe(43101);
  });

  it('refuses template values beyond the limits WeChat keeps (47003) without spending the acceptance', async () => {
    const fox = wechat.openidOf('fox');
    wechat.acceptSubscription(fox, ['tmpl-once']);
    const sendData = async (data: Record<string, { value: string }>) =>
      ((await post('/cgi-bin/message/subscribe/send', { touser: fox, template_id: 'tmpl-once', data }, true)).body as { errcode: number }).errcode;
    expect(await sendData({ thing5: { value: '字'.repeat(21) } })).toBe(47003);
    expect(await sendData({ phrase3: { value: '已经结案了啊' } })).toBe(47003);
    expect(await sendData({ phrase3: { value: 'done' } })).toBe(47003);
    expect(await sendData({ character_string1: { value: 'X'.repeat(33) } })).toBe(47003);
    expect(await sendData({ time4: { value: '昨天下午' } })).toBe(47003);
    expect(await sendData({ thing5: { value: '' } })).toBe(47003);
    expect(await sendData({})).toBe(47003);
    expect(wechat.quotaOf(fox, 'tmpl-once')).toBe(1);
    expect(
      await sendData({
        character_string1: { value: 'X'.repeat(32) },
        thing2: { value: '字'.repeat(20) },
        phrase3: { value: '已结案' },
        time4: { value: '2026-11-23 10:00' },
        thing5: { value: '问题已解决' },
      }),
    ).toBe(0);
  });

  it('checks the token before the quota', async () => {
    wechat.acceptSubscription(wechat.openidOf('eve'), ['tmpl-once']);
    wechat.invalidateAccessTokens();
    expect(await send(wechat.openidOf('eve'), 'tmpl-once')).toBe(40001);
    expect(wechat.quotaOf(wechat.openidOf('eve'), 'tmpl-once')).toBe(1);
  });
});

describe('msg_sec_check (v2)', () => {
  it('answers pass, review or risky by the scripted words, risky winning', async () => {
    wechat.flagText('赌博');
    wechat.flagText('加微信', 'review');
    const openid = await visit('fay');
    const check = async (content: string) => {
      const res = await post('/wxa/msg_sec_check', { content, version: 2, scene: 2, openid }, true);
      return (res.body as { errcode: number; result: { suggest: string } }).result.suggest;
    };
    expect(await check('井盖坏了')).toBe('pass');
    expect(await check('加微信领红包')).toBe('review');
    expect(await check('加微信进赌博群')).toBe('risky');
    expect(wechat.textChecks.map((c) => c.scene)).toEqual([2, 2, 2]);
  });

  it('refuses v1 bodies, a missing openid, an unknown scene and over-long text', async () => {
    const errcode = async (body: object) => ((await post('/wxa/msg_sec_check', body, true)).body as { errcode: number }).errcode;
    const openid = await visit('gil');
    expect(await errcode({ content: '你好' })).toBe(40003);
    expect(await errcode({ content: '你好', version: 2, scene: 2 })).toBe(40003);
    expect(await errcode({ content: '你好', version: 2, scene: 9, openid })).toBe(40003);
    expect(await errcode({ content: '字'.repeat(2501), version: 2, scene: 2, openid })).toBe(87014);
    expect(wechat.textChecks).toHaveLength(0);
  });

  it('answers 61010 for a user who has not opened the mini-program in the last two hours, as for image checks', async () => {
    const errcode = async (path: string, body: object) => ((await post(path, body, true)).body as { errcode: number }).errcode;
    const never = wechat.openidOf('ivy-never-visited');
    expect(await errcode('/wxa/msg_sec_check', { content: '你好', version: 2, scene: 2, openid: never })).toBe(61010);
    const openid = await visit('ivy');
    expect(await errcode('/wxa/msg_sec_check', { content: '你好', version: 2, scene: 2, openid })).toBe(0);
    wechat.forgetVisit(openid);
    expect(await errcode('/wxa/msg_sec_check', { content: '你好', version: 2, scene: 2, openid })).toBe(61010);
    const image = { media_url: 'https://example.test/media/a.jpg', media_type: 2, version: 2, scene: 3, openid };
    expect(await errcode('/wxa/media_check_async', image)).toBe(61010);
    await visit('ivy');
    expect(await errcode('/wxa/media_check_async', image)).toBe(0);
    expect(wechat.textChecks).toHaveLength(1);
  });
});

describe('media_check_async', () => {
  it('answers a trace id at once and pushes the verdict, signed with the push token, when the test says', async () => {
    const pushes: Array<{ query: URLSearchParams; body: { trace_id: string; Event: string; result: { suggest: string } } }> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pushes.push({ query: new URL(req.url ?? '/', 'http://x').searchParams, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.end('success');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      wechat.configurePush(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/push`, 'push-token');
      wechat.flagMedia('bad.jpg');
      const openid = await visit('hal');
      const ask = async (mediaUrl: string) =>
        (
          (await post('/wxa/media_check_async', { media_url: mediaUrl, media_type: 2, version: 2, scene: 3, openid }, true)).body as {
            trace_id: string;
          }
        ).trace_id;
      const good = await ask('https://example.test/media/good.jpg');
      const bad = await ask('https://example.test/media/bad.jpg');
      expect(good).not.toBe(bad);
      // Nothing is pushed until the test delivers.
      expect(pushes).toHaveLength(0);
      expect(await wechat.deliverMediaChecks()).toEqual([200, 200]);
      expect(pushes.map((p) => [p.body.trace_id, p.body.Event, p.body.result.suggest])).toEqual([
        [good, 'wxa_media_check', 'pass'],
        [bad, 'wxa_media_check', 'risky'],
      ]);
      for (const { query } of pushes) {
        const expected = createHash('sha1')
          .update(['push-token', query.get('timestamp')!, query.get('nonce')!].sort().join(''))
          .digest('hex');
        expect(query.get('signature')).toBe(expected);
      }
      expect(await wechat.deliverMediaChecks()).toEqual([]);
    } finally {
      receiver.close();
    }
  });

  it('refuses a media URL that is not http(s) and a bad media type', async () => {
    const openid = wechat.openidOf('ida');
    const errcode = async (body: object) =>
      ((await post('/wxa/media_check_async', { version: 2, scene: 3, openid, ...body }, true)).body as { errcode: number }).errcode;
    expect(await errcode({ media_url: 'file:///etc/passwd', media_type: 2 })).toBe(47001);
    expect(await errcode({ media_url: 'https://example.test/a.jpg', media_type: 3 })).toBe(47001);
    expect(wechat.mediaChecks).toHaveLength(0);
  });
});

describe('getwxacodeunlimit', () => {
  it('answers a real PNG of the requested width, different per scene', async () => {
    const one = await post('/wxa/getwxacodeunlimit', { scene: 'c=0123456789abcdef01234567', page: 'packagePublic/campaign/index', width: 360 }, true);
    expect(one.type).toBe('image/png');
    expect(one.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(await sharp(one.bytes).metadata()).toMatchObject({ format: 'png', width: 360, height: 360 });
    const two = await post('/wxa/getwxacodeunlimit', { scene: 'c=ffffffffffffffffffffffff', page: 'packagePublic/campaign/index' }, true);
    expect(await sharp(two.bytes).metadata()).toMatchObject({ width: 430, height: 430 });
    const small = await post('/wxa/getwxacodeunlimit', { scene: 'x', page: 'pages/index/index', width: 10 }, true);
    expect((await sharp(small.bytes).metadata()).width).toBe(280);
    const other = await post(
      '/wxa/getwxacodeunlimit',
      { scene: 'c=aaaaaaaaaaaaaaaaaaaaaaaa', page: 'packagePublic/campaign/index', width: 360 },
      true,
    );
    expect(other.bytes.equals(one.bytes)).toBe(false);
    expect(wechat.codes.map((c) => c.width)).toEqual([360, 430, 280, 360]);
  });

  it('refuses a scene over 32 characters or with characters WeChat does not allow (40169), and a page with a leading slash', async () => {
    const errcode = async (body: object) => ((await post('/wxa/getwxacodeunlimit', body, true)).body as { errcode: number }).errcode;
    expect(await errcode({ scene: 'a'.repeat(33), page: 'pages/index/index' })).toBe(40169);
    expect(await errcode({ scene: '', page: 'pages/index/index' })).toBe(40169);
    expect(await errcode({ scene: '活动', page: 'pages/index/index' })).toBe(40169);
    expect(await errcode({ scene: 'a b', page: 'pages/index/index' })).toBe(40169);
    expect(await errcode({ scene: 'a'.repeat(32), page: '/pages/index/index' })).toBe(41030);
    expect(await errcode({ scene: 'a'.repeat(32), page: 'pages/index/index', env_version: 'beta' })).toBe(40097);
    expect(wechat.codes).toHaveLength(0);
    const ok = await post('/wxa/getwxacodeunlimit', { scene: 'a'.repeat(32), page: 'pages/index/index' }, true);
    expect(ok.type).toBe('image/png');
  });
});
