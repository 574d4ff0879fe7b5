/**
 * A staff account signed in from the mini-program is linked to its WeChat user, so that
 * WeChat's content checks of what staff publish have an openid (api/test/content-security
 * tests the API side). The weapp login module is used here; the browser has no code to send.
 */
let platform: 'weapp' | 'h5' = 'weapp';
jest.mock('../src/services/login', () =>
  platform === 'weapp' ? jest.requireActual('../src/services/login.weapp') : jest.requireActual('../src/services/login.h5'),
);

const sent: Array<{ path: string; data: unknown; authorization?: string }> = [];
const answers: Record<string, unknown> = {
  '/auth/staff/login': {
    accessToken: 'staff-access',
    accessTokenExpiresIn: 900,
    refreshToken: 'staff-refresh-token-0123456789',
    refreshTokenExpiresIn: 86400,
    staff: { id: 's1', username: 'xc', displayName: '宣传科', role: 'publicity', departmentId: null },
  },
  '/staff/me/wechat': { linked: true },
};

/** Signs in with a fresh module registry (its own Taro stand-in); returns how often wx.login was asked. */
async function signIn(wxLoginAnswer: { code?: string; errMsg: string } = { code: 'wx-code-1', errMsg: 'login:ok' }): Promise<number> {
  sent.length = 0;
  let wxLogins = 0;
  await jest.isolateModulesAsync(async () => {
    const { default: Taro } = await import('@tarojs/taro');
    (Taro.login as unknown as jest.Mock).mockImplementation(async () => {
      wxLogins += 1;
      return wxLoginAnswer;
    });
    (Taro.request as unknown as jest.Mock).mockImplementation(async (req: { url: string; data?: unknown; header: Record<string, string> }) => {
      const path = new URL(req.url, 'http://api').pathname;
      sent.push({ path, data: req.data, authorization: req.header.authorization ?? req.header.Authorization });
      return path in answers ? { statusCode: 200, data: answers[path], header: {} } : { statusCode: 404, data: {}, header: {} };
    });
    const { staffLogin } = await import('../src/services/session');
    await staffLogin('xc', 'secret-password');
    await new Promise((r) => setTimeout(r, 0)); // the link runs after sign-in, without holding it up
  });
  return wxLogins;
}

describe('linking a staff account to its WeChat user', () => {
  it('sends a fresh wx.login code with the staff token after signing in on weapp', async () => {
    platform = 'weapp';
    expect(await signIn()).toBe(1);
    expect(sent.map((s) => s.path)).toEqual(['/auth/staff/login', '/staff/me/wechat']);
    expect(sent[1]).toMatchObject({ data: { code: 'wx-code-1' }, authorization: 'Bearer staff-access' });
  });

  it('signs in anyway when WeChat gives no code, and sends nothing in the browser', async () => {
    platform = 'weapp';
    expect(await signIn({ errMsg: 'login:fail' })).toBe(1);
    expect(sent.map((s) => s.path)).toEqual(['/auth/staff/login']);

    platform = 'h5';
    expect(await signIn()).toBe(0);
    expect(sent.map((s) => s.path)).toEqual(['/auth/staff/login']);
  });
});
